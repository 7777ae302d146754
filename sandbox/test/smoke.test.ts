import { Sandbox, startSandbox } from '../src';
import { call, ok } from './helpers';

describe('sandbox smoke', () => {
	let sb: Sandbox;
	beforeAll(async () => {
		sb = await startSandbox({ port: 0 });
	});
	afterAll(async () => {
		await sb.stop();
	});

	it('serves get in JSON and XML and logs requests', async () => {
		const env = await ok(sb, 'promocodes/get', { code: 'WELCOME-0001', loyalty_id: 1 });
		expect(env.data).toMatchObject({ code: 'WELCOME-0001', is_attached: false, loyalty_id: 1 });
		const x = await call(
			sb,
			'promocodes/get',
			{ code: 'WELCOME-0001', loyalty_id: 1, format: 'xml' },
			{ xml: true },
		);
		expect(x.text.startsWith('<xml><data><activated/>')).toBe(true);
		expect(sb.requests).toHaveLength(2);
		expect(sb.requests[1].body).toMatchObject({ code: 'WELCOME-0001', loyalty_id: '1' });
	});
});
