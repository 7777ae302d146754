import { secretAccepted } from '../../nodes/AltcraftTrigger/helpers/secret';

describe('secretAccepted (Altcraft Trigger URL secret)', () => {
	it('lets every request through when no secret is set', () => {
		expect(secretAccepted('', undefined)).toBe(true);
		expect(secretAccepted('', 'anything')).toBe(true);
	});

	it('accepts exactly the configured secret', () => {
		expect(secretAccepted('s3cr3t-Ünïcode', 's3cr3t-Ünïcode')).toBe(true);
	});

	it.each([
		['missing', undefined],
		['empty', ''],
		['wrong', 's3cr3t-x'],
		['a prefix', 's3cr3'],
		['longer', 's3cr3t-plus'],
		['other case', 'S3CR3T'],
		['repeated in the query (an array)', ['s3cr3t', 's3cr3t']],
		['a number', 123],
	])('refuses a %s value', (_name, given) => {
		expect(secretAccepted('s3cr3t', given)).toBe(false);
	});
});
