import { parseCodesList } from '../../nodes/AltcraftPromo/helpers/codesList';

describe('parseCodesList', () => {
	it('splits text on new lines and commas, trims, and drops empty entries', () => {
		expect(parseCodesList(' A-1 \r\nA-2,A-3 ,, \n\n A-4 ')).toEqual({
			codes: ['A-1', 'A-2', 'A-3', 'A-4'],
		});
	});

	it('takes an array from an expression, numbers included, keeping order and repeats', () => {
		expect(parseCodesList(['X', ' Y ', 1001, '', null, 'X'])).toEqual({
			codes: ['X', 'Y', '1001', 'X'],
		});
	});

	it('names the entry that is not a code', () => {
		expect(parseCodesList(['X', { code: 'Y' }])).toEqual({
			problem: 'entry 2 is object, not a code',
		});
	});

	it.each([[''], [' , \n '], [[]]])('reports an empty list for %p', (raw) => {
		expect(parseCodesList(raw)).toEqual({ problem: 'contains no codes' });
	});

	it('rejects values that are neither text nor a list', () => {
		expect(parseCodesList({ a: 1 })).toEqual({
			problem: 'must be text or a list of codes, got object',
		});
		expect(parseCodesList(null)).toEqual({ problem: 'must be text or a list of codes, got null' });
	});
});
