/**
 * The test-only hold: applied requests stay unanswered until released; refused ones are answered at
 * once; a client that goes away drops out; the HTTP control endpoint does the same.
 */
import { request } from 'http';
import { Sandbox, startSandbox } from '../src';

let sb: Sandbox;
beforeAll(async () => {
	sb = await startSandbox({ port: 0 });
});
afterAll(async () => {
	await sb.stop();
});
beforeEach(() => {
	sb.releaseHeldAnswers();
	sb.reset();
});

const ALICE = '64b000000000000000000001';
const attach = (code: string, email = 'alice@example.com') => ({
	loyalty_id: 1,
	db_id: 1,
	email,
	code,
});
const holders = (code: string) => sb.getCode(1, code)?.attachments.map((a) => a.profileId) ?? [];

/** POSTs without an agent (one connection per request); `abort` closes it from the client side. */
function post(
	path: string,
	body: object,
): { done: Promise<{ status?: number; text: string; error?: string }>; abort: () => void } {
	let abort = () => {};
	const done = new Promise<{ status?: number; text: string; error?: string }>((resolve) => {
		const req = request(
			`${sb.baseUrl}/api/v1.1/${path}`,
			{ method: 'POST', agent: false, headers: { 'Content-Type': 'application/json' } },
			(res) => {
				let text = '';
				res.on('data', (chunk: Buffer) => (text += chunk.toString()));
				res.on('end', () => resolve({ status: res.statusCode, text }));
			},
		);
		req.on('error', (error) => resolve({ text: '', error: error.message }));
		req.end(JSON.stringify({ token: sb.token, ...body }));
		abort = () => req.destroy();
	});
	return { done, abort: () => abort() };
}

async function until(condition: () => boolean, ms = 3000): Promise<void> {
	const end = Date.now() + ms;
	while (!condition()) {
		if (Date.now() > end) throw new Error('condition not met in time');
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

test('an applied attach is held unanswered until release, then answered normally', async () => {
	sb.holdAppliedAnswers('promocodes/attach');
	const first = post('promocodes/attach', attach('WELCOME-0001'));
	let answered = false;
	void first.done.then(() => (answered = true));
	await until(() => sb.heldAnswers().length === 1);
	expect(holders('WELCOME-0001')).toEqual([ALICE]); // applied while held
	await new Promise((resolve) => setTimeout(resolve, 200));
	expect(answered).toBe(false);
	const [held] = sb.heldAnswers();
	expect(held.path).toBe('/api/v1.1/promocodes/attach');
	expect(held.body).toMatchObject({ email: 'alice@example.com', code: 'WELCOME-0001' });
	expect(held.body).not.toHaveProperty('token');
	expect(typeof held.remotePort).toBe('number');
	expect(sb.releaseHeldAnswers()).toBe(1);
	const reply = await first.done;
	expect(reply.status).toBe(200);
	expect(JSON.parse(reply.text)).toMatchObject({ error: 0 });
	// Released: holding is off, the next attach is answered at once.
	const next = await post('promocodes/attach', attach('WELCOME-0002', 'bob@example.com')).done;
	expect(next.status).toBe(200);
});

test('a refused attach is answered at once; other paths are not held', async () => {
	sb.holdAppliedAnswers('promocodes/attach');
	const applied = post('promocodes/attach', attach('WELCOME-0001'));
	await until(() => sb.heldAnswers().length === 1);
	const refused = await post('promocodes/attach', attach('WELCOME-0001', 'bob@example.com')).done;
	expect(JSON.parse(refused.text).error).not.toBe(0);
	const read = await post('promocodes/get', { loyalty_id: 1, code: 'WELCOME-0001' }).done;
	expect(read.status).toBe(200);
	expect(sb.heldAnswers()).toHaveLength(1);
	sb.releaseHeldAnswers();
	await applied.done;
});

test('a client that goes away drops out of the hold, and its attach stays applied', async () => {
	sb.holdAppliedAnswers('promocodes/attach');
	const gone = post('promocodes/attach', attach('WELCOME-0001'));
	await until(() => sb.heldAnswers().length === 1);
	gone.abort();
	expect((await gone.done).error).toBeDefined();
	await until(() => sb.heldAnswers().length === 0);
	expect(sb.releaseHeldAnswers()).toBe(0);
	expect(holders('WELCOME-0001')).toEqual([ALICE]);
});

test('over HTTP: POST starts, GET lists, DELETE releases', async () => {
	const control = async (method: string, body?: unknown) => {
		const response = await fetch(`${sb.baseUrl}/__sandbox/hold`, {
			method,
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		return { status: response.status, json: (await response.json()) as Record<string, unknown> };
	};
	expect((await control('POST', {})).status).toBe(400);
	expect((await control('POST', { path: 'promocodes/attach' })).json).toMatchObject({
		ok: true,
		paths: ['promocodes/attach'],
	});
	const held = post('promocodes/attach', attach('WELCOME-0003'));
	await until(() => sb.heldAnswers().length === 1);
	const listed = await control('GET');
	expect((listed.json.held as unknown[]).length).toBe(1);
	expect(JSON.stringify(listed.json)).not.toContain(sb.token);
	expect((await control('DELETE')).json).toMatchObject({ ok: true, released: 1 });
	expect((await held.done).status).toBe(200);
});
