import { FailedCodes } from '../../nodes/AltcraftPromo/helpers/failedCodes';

describe('FailedCodes', () => {
	it('keeps nothing when nothing failed', () => {
		const failed = new FailedCodes(3);
		expect(failed.count).toBe(0);
		expect(failed.listed).toEqual([]);
		expect(failed.truncated).toBe(false);
		expect(failed.csv()).toBeUndefined();
	});

	it('lists the first ones and writes all of them as CSV, quoting where needed', () => {
		const failed = new FailedCodes(2);
		failed.add({ code: 'A-1', error: 500, error_text: 'Promocode duplicated' });
		failed.add({ code: 'B,2', error: 500, error_text: 'Promocode duplicated', after_resend: true });
		failed.add({ code: 'C"3', error: 402, error_text: 'Limit, reached' });
		failed.add({ code: ' D ', error: 1, error_text: 'line\nbreak' });
		expect(failed.count).toBe(4);
		expect(failed.truncated).toBe(true);
		expect(failed.listed.map((entry) => entry.code)).toEqual(['A-1', 'B,2']);
		expect(failed.csv()?.toString('utf8')).toBe(
			'code,error,error_text,after_resend\n' +
				'A-1,500,Promocode duplicated,\n' +
				'"B,2",500,Promocode duplicated,true\n' +
				'"C""3",402,"Limit, reached",\n' +
				'" D ",1,"line\nbreak",\n',
		);
	});

	it('keeps 250,000 failures in the CSV across blocks, the list capped', () => {
		const failed = new FailedCodes();
		for (let index = 0; index < 250_000; index++)
			failed.add({ code: `C${index}`, error: 500, error_text: 'Promocode duplicated' });
		expect(failed.listed).toHaveLength(100);
		const lines = (failed.csv() as Buffer).toString('utf8').split('\n');
		expect(lines).toHaveLength(250_002);
		expect(lines[250_000]).toBe('C249999,500,Promocode duplicated,');
		// Asking twice gives the same file.
		expect((failed.csv() as Buffer).length).toBe(lines.join('\n').length);
	});
});
