/**
 * The sign-up and checkout examples (examples/signup-welcome-code.json, examples/checkout-redeem-code.json)
 * published in a real `n8n start`: a new customer gets a profile and a welcome code, a sign-up sent twice at
 * once makes one profile with one code, and the code is redeemed at checkout exactly once, also when ten
 * checkouts send it at the same moment. Checked on the HTTP answers and in the sandbox's state.
 */
import assert from 'node:assert/strict';
import type { Sandbox } from '../../../sandbox/src';
import {
	activateWorkflow,
	startN8n,
	type N8nServer,
	type N8nSetup,
} from '../../../scripts/lib/n8n';
import { log, stopProcess } from '../../../scripts/lib/processes';
import { postToWebhook, type WebhookAnswer as Answer } from '../lib/webhook';
import type { Check } from './shop';

export const SIGNUP = { id: 'altcraft-signup-welcome', path: 'altcraft-signup' } as const;
export const CHECKOUT = { id: 'altcraft-checkout-redeem', path: 'altcraft-checkout' } as const;
const LOYALTY_ID = 1;
const DATABASE_ID = 1;

function profilesWithEmail(sandbox: Sandbox, email: string) {
	return (
		sandbox
			.getState()
			.databases.find((d) => d.id === DATABASE_ID)
			?.profiles.filter((p) => p.email === email) ?? []
	);
}

function codesHeldBy(sandbox: Sandbox, profileId: string): string[] {
	const program = sandbox.getState().loyaltyPrograms.find((p) => p.id === LOYALTY_ID);
	return (program?.codes ?? [])
		.filter((c) => c.attachments.some((a) => a.profileId === profileId))
		.map((c) => c.code);
}

export async function runCheckoutChecks(
	check: Check,
	setup: N8nSetup,
	sandbox: Sandbox,
	outputs: string[],
): Promise<void> {
	let server: N8nServer | undefined;
	const post = async (path: string, body: Record<string, unknown>): Promise<Answer> =>
		await postToWebhook(server!.baseUrl, path, body, outputs);
	let welcomeCode = '';
	let twinsCode = '';

	try {
		await check('examples "sign-up" and "checkout" are published and n8n starts', async () => {
			await activateWorkflow(setup, SIGNUP.id);
			await activateWorkflow(setup, CHECKOUT.id);
			server = await startN8n(setup);
		});

		await check(
			'sign-up of a new customer → 200 with a code; the profile is created and holds it',
			async () => {
				assert.equal(profilesWithEmail(sandbox, 'newcomer@example.com').length, 0);
				const answer = await post(SIGNUP.path, { email: 'newcomer@example.com', name: 'Nina' });
				assert.equal(answer.status, 200, `${answer.status} ${answer.text}`);
				const [profile] = profilesWithEmail(sandbox, 'newcomer@example.com');
				assert.ok(profile, 'profile created');
				assert.equal(profile.fields._fname, 'Nina');
				assert.deepEqual(answer.body, {
					email: 'newcomer@example.com',
					code: answer.body.code,
					profile_id: profile.id,
					replay: false,
				});
				assert.deepEqual(codesHeldBy(sandbox, profile.id), [answer.body.code]);
				welcomeCode = String(answer.body.code);
			},
		);

		await check(
			'sign-up race: one new email posted twice at the same moment → one profile, one code, both answers name it',
			async () => {
				const answers = await Promise.all(
					[0, 1].map(async () => await post(SIGNUP.path, { email: 'twins@example.com' })),
				);
				assert.deepEqual(
					answers.map((a) => a.status),
					[200, 200],
					answers.map((a) => a.text).join(' | '),
				);
				const profiles = profilesWithEmail(sandbox, 'twins@example.com');
				assert.equal(profiles.length, 1, `profiles for twins@example.com: ${profiles.length}`);
				assert.equal(new Set(answers.map((a) => a.body.code)).size, 1, 'the same code');
				assert.deepEqual(codesHeldBy(sandbox, profiles[0].id), [answers[0].body.code]);
				twinsCode = String(answers[0].body.code);
				log(`    replay flags: ${answers.map((a) => String(a.body.replay)).join(', ')}`);
			},
		);

		await check('sign-up without an email → 400 naming the field, nothing created', async () => {
			const answer = await post(SIGNUP.path, { name: 'No mail' });
			assert.equal(answer.status, 400, `${answer.status} ${answer.text}`);
			assert.match(String(answer.body.error), /^Email is empty \[item 0\]$/);
		});

		await check(
			'checkout: the customer redeems the welcome code → 200; the code is activated',
			async () => {
				const answer = await post(CHECKOUT.path, {
					email: 'newcomer@example.com',
					code: welcomeCode,
				});
				assert.equal(answer.status, 200, `${answer.status} ${answer.text}`);
				assert.deepEqual(answer.body, { code: welcomeCode, redeemed: true });
				assert.ok(
					sandbox.getCode(LOYALTY_ID, welcomeCode)?.activated,
					`${welcomeCode} activated in the sandbox`,
				);
			},
		);

		await check(
			'checkout: rejections → 422 with the reason (already_redeemed, other_customer, not_found, not_attached)',
			async () => {
				const cases: Array<[Record<string, unknown>, string]> = [
					[{ email: 'newcomer@example.com', code: welcomeCode }, 'already_redeemed'],
					[{ email: 'newcomer@example.com', code: twinsCode }, 'other_customer'],
					[{ email: 'newcomer@example.com', code: 'NO-SUCH-CODE' }, 'not_found'],
					[{ email: 'newcomer@example.com', code: 'WELCOME-0010' }, 'not_attached'],
				];
				for (const [body, reason] of cases) {
					const answer = await post(CHECKOUT.path, body);
					assert.equal(
						answer.status,
						422,
						`${JSON.stringify(body)}: ${answer.status} ${answer.text}`,
					);
					assert.deepEqual(answer.body, { code: body.code, redeemed: false, reason });
				}
				assert.equal(
					sandbox.getCode(LOYALTY_ID, twinsCode)?.activated,
					null,
					"the other customer's code is untouched",
				);
			},
		);

		await check(
			'checkout: a code with a space → 400 naming the field, nothing sent to Altcraft',
			async () => {
				const before = sandbox.requests.length;
				const answer = await post(CHECKOUT.path, {
					email: 'twins@example.com',
					code: 'WELCOME 0001',
				});
				assert.equal(answer.status, 400, `${answer.status} ${answer.text}`);
				assert.equal(answer.body.error, 'Promo Code "WELCOME 0001" contains a space [item 0]');
				assert.equal(sandbox.requests.length, before);
			},
		);

		await check(
			'checkout race: 10 checkouts of one code at the same moment → exactly one 200, nine 422 already_redeemed',
			async () => {
				const answers = await Promise.all(
					Array.from(
						{ length: 10 },
						async () => await post(CHECKOUT.path, { email: 'twins@example.com', code: twinsCode }),
					),
				);
				const statuses = answers.map((a) => a.status).sort();
				assert.deepEqual(
					statuses,
					[200, ...Array(9).fill(422)],
					answers.map((a) => a.text).join(' | '),
				);
				for (const answer of answers.filter((a) => a.status === 422))
					assert.equal(answer.body.reason, 'already_redeemed');
				assert.ok(sandbox.getCode(LOYALTY_ID, twinsCode)?.activated);
				const activations = sandbox.requests.filter(
					(r) => r.path.endsWith('promocodes/activate') && r.body?.code === twinsCode,
				);
				log(
					`    ${activations.length} activation request(s) reached Altcraft for the 10 checkouts`,
				);
			},
		);
	} finally {
		if (server) {
			await stopProcess(server.process);
			outputs.push(server.output());
		}
	}
}
