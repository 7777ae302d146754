/**
 * The trigger's webhook() against a stand-in of n8n's webhook context: what it answers, and whether it
 * starts an execution (workflowData) and with which items. Real n8n runs it in test/e2e/trigger.ts.
 */
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import {
	NodeHelpers,
	type IDataObject,
	type INodeParameters,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { AltcraftTrigger } from '../../nodes/AltcraftTrigger/AltcraftTrigger.node';
import { GUESSED_PROMO_EVENT_TYPES } from '../../nodes/AltcraftTrigger/helpers/events';

const trigger = new AltcraftTrigger();
const { description } = trigger;

interface Call {
	params?: Record<string, unknown>;
	query?: IDataObject;
	/** What n8n parsed, when it read the body itself (then `raw` is its rawBody). */
	body?: unknown;
	raw?: string | Buffer;
	/** Leave the body unread for the node (n8n skips reading when options.binaryData is set). */
	stream?: boolean;
	headers?: Record<string, string>;
	nodeId?: string;
}

interface Outcome {
	status: number | undefined;
	text: string | undefined;
	result: IWebhookResponseData;
	headers?: Record<string, string>;
}

async function call({
	params = {},
	query = {},
	body,
	raw,
	stream = false,
	headers = {},
	nodeId = 'node-1',
}: Call): Promise<Outcome> {
	const sent: { status?: number; text?: string; headers: Record<string, string> } = { headers: {} };
	const response = {
		status(code: number) {
			sent.status = code;
			return response;
		},
		type() {
			return response;
		},
		send(text: string) {
			sent.text = text;
			return response;
		},
		setHeader(name: string, value: string) {
			sent.headers[name] = value;
		},
	};
	const rawBuffer = raw === undefined ? undefined : Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
	const request = stream
		? Object.assign(Readable.from(rawBuffer ? [rawBuffer] : []), { headers })
		: { rawBody: rawBuffer, readableEnded: true, headers };
	const defaults =
		NodeHelpers.getNodeParameters(
			description.properties,
			params as INodeParameters,
			true,
			false,
			null,
			description,
		) ?? {};
	const context = {
		getResponseObject: () => response,
		getRequestObject: () => request,
		getQueryData: () => query,
		getBodyData: () => (stream ? {} : (body ?? {})),
		getNodeParameter: (name: string, fallback?: unknown) =>
			(defaults as Record<string, unknown>)[name] ?? fallback,
		getWorkflow: () => ({ id: 'wf-1' }),
		getNode: () => ({ id: nodeId }),
		getMode: () => 'webhook',
	} as unknown as IWebhookFunctions;
	const result = await trigger.webhook.call(context);
	const outcome: Outcome = { status: sent.status, text: sent.text, result };
	if (Object.keys(sent.headers).length > 0) outcome.headers = sent.headers;
	return outcome;
}

const event = (type: string, n: number, extra: IDataObject = {}) => ({
	event_type: type,
	profile_id: `p${n}`,
	is_test: false,
	...extra,
});
const attached = (n: number) => event(GUESSED_PROMO_EVENT_TYPES.attached, n);
const activated = (n: number) => event(GUESSED_PROMO_EVENT_TYPES.activated, n);

describe('AltcraftTrigger description', () => {
	it('is a webhook trigger named altcraftTrigger with one POST webhook and no credential', () => {
		expect(description.name).toBe('altcraftTrigger');
		expect(description.group).toEqual(['trigger']);
		expect(description.inputs).toEqual([]);
		expect(description.credentials).toBeUndefined();
		// n8n answers a batch that starts the workflow with responseData once the execution exists.
		expect(description.webhooks).toEqual([
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				responseData: 'OK',
				path: 'altcraft',
			},
		]);
	});

	it('asks n8n to leave the body unread (options.binaryData, as n8n checks it on version-1 nodes), in a hidden parameter', () => {
		const hidden = description.properties.find((p) => p.name === 'options');
		expect(hidden).toMatchObject({ type: 'hidden', default: { binaryData: true } });
		const defaults = NodeHelpers.getNodeParameters(
			description.properties,
			{},
			true,
			false,
			null,
			description,
		) as Record<string, unknown>;
		expect(defaults.options).toEqual({ binaryData: true });
		expect(description.version).toBe(1);
	});

	it('defaults the promo event_type settings to the guesses the sandbox sends', () => {
		const defaults = NodeHelpers.getNodeParameters(
			description.properties,
			{},
			true,
			false,
			null,
			description,
		) as Record<string, unknown>;
		expect(defaults.events).toEqual(['promoCodeAttached', 'promoCodeActivated']);
		expect(defaults.attachedEventType).toBe(GUESSED_PROMO_EVENT_TYPES.attached);
		expect(defaults.activatedEventType).toBe(GUESSED_PROMO_EVENT_TYPES.activated);
		expect(defaults.output).toBe('eachEvent');
	});

	it('shows each event_type setting only while its kind is selected, and the guess notice with them', () => {
		const shown = (events: string[]) =>
			description.properties
				.filter((p) =>
					NodeHelpers.displayParameter(
						{ events } as INodeParameters,
						p,
						{ typeVersion: 1 },
						description,
					),
				)
				.map((p) => p.name);
		expect(shown(['promoCodeAttached'])).toEqual(
			expect.arrayContaining(['promoGuessNotice', 'attachedEventType']),
		);
		expect(shown(['promoCodeAttached'])).not.toContain('activatedEventType');
		expect(shown(['open'])).not.toEqual(expect.arrayContaining(['promoGuessNotice']));
		expect(shown(['other'])).toContain('otherEventTypes');
		expect(shown(['open'])).toContain('setupNotice');
	});
});

describe('AltcraftTrigger webhook()', () => {
	it('starts the workflow with one item per selected event, in order, leaving the answer to n8n', async () => {
		const body = [attached(1), event('open', 2), activated(3), attached(4)];
		const { status, result } = await call({ body });
		expect(status).toBeUndefined();
		expect(result.noWebhookResponse).toBeUndefined();
		expect(result.workflowData?.[0].map((item) => item.json)).toEqual([
			attached(1),
			activated(3),
			attached(4),
		]);
	});

	it('outputs one item per batch when asked', async () => {
		const { result } = await call({
			body: [attached(1), activated(2)],
			params: { output: 'batch' },
		});
		expect(result.workflowData).toEqual([
			[{ json: { events: [attached(1), activated(2)], count: 2 } }],
		]);
	});

	it('leaves out test events unless asked', async () => {
		const body = [attached(1), event(GUESSED_PROMO_EVENT_TYPES.attached, 2, { is_test: true })];
		expect((await call({ body })).result.workflowData?.[0]).toHaveLength(1);
		const withTests = await call({ body, params: { settings: { includeTestEvents: true } } });
		expect(withTests.result.workflowData?.[0]).toHaveLength(2);
	});

	it('a batch with nothing selected: 200 OK, no execution', async () => {
		const { status, text, result } = await call({
			body: [event('open', 1), { profile_id: 'no-type' }],
		});
		expect([status, text, result]).toEqual([200, 'OK', { noWebhookResponse: true }]);
	});

	it('All passes events without event_type and of unknown types', async () => {
		const body = [{ profile_id: 'no-type' }, event('made_up', 2)];
		const { result } = await call({ body, params: { events: ['*'] } });
		expect(result.workflowData?.[0].map((item) => item.json)).toEqual(body);
	});

	it('an empty array: 200 OK, no execution', async () => {
		expect(await call({ body: [] })).toEqual({
			status: 200,
			text: 'OK',
			result: { noWebhookResponse: true },
		});
	});

	it.each([
		['not JSON', {}, 'not json', 'The body is not JSON'],
		[
			'an object',
			{ event_type: 'x' },
			'{"event_type":"x"}',
			'The body must be a JSON array of events, got an object',
		],
		['an array with a non-object', ['x'], '["x"]', 'Event 1 of 1 is a string, not an object'],
	])(
		'a body that is %s: 400 naming the problem, no execution',
		async (_name, body, raw, problem) => {
			const { status, text, result } = await call({ body, raw });
			expect(status).toBe(400);
			expect(text).toContain(problem);
			expect(result).toEqual({ noWebhookResponse: true });
		},
	);

	describe('reading the body itself (n8n left it unread)', () => {
		it('parses the stream and starts the workflow', async () => {
			const { result } = await call({
				stream: true,
				raw: JSON.stringify([attached(1), activated(2)]),
			});
			expect(result.workflowData?.[0].map((item) => item.json)).toEqual([
				attached(1),
				activated(2),
			]);
		});

		it('reads a gzip body', async () => {
			const { result } = await call({
				stream: true,
				raw: gzipSync(JSON.stringify([attached(3)])),
				headers: { 'content-encoding': 'gzip' },
			});
			expect(result.workflowData?.[0]).toHaveLength(1);
		});

		it('broken JSON: 400', async () => {
			const { status, text, result } = await call({ stream: true, raw: '[{"event_type":' });
			expect([status, text, result]).toEqual([
				400,
				'Altcraft Trigger: The body is not JSON: Altcraft sends a JSON array of events',
				{ noWebhookResponse: true },
			]);
		});

		it('over Maximum Body Size: 413, Connection: close, no execution', async () => {
			const big = JSON.stringify([
				{ event_type: 'promocode_attach', blob: 'x'.repeat(1024 * 1024 + 10) },
			]);
			const outcome = await call({
				stream: true,
				raw: big,
				params: { settings: { maxBodyMb: 1 } },
			});
			expect([outcome.status, outcome.result]).toEqual([413, { noWebhookResponse: true }]);
			expect(outcome.text).toBe(
				"Altcraft Trigger: the body is larger than 1 MB; lower the hook's batch size in Altcraft",
			);
			expect(outcome.headers).toEqual({ Connection: 'close' });
		});
	});

	describe('with a secret', () => {
		const params = { secret: 'k9-secret' };
		it('starts the workflow when the query carries it', async () => {
			const { status, result } = await call({
				params,
				query: { secret: 'k9-secret' },
				body: [attached(1)],
			});
			expect(status).toBeUndefined();
			expect(result.workflowData?.[0]).toHaveLength(1);
		});

		it.each([[{}], [{ secret: 'k9-secreT' }], [{ secret: ['k9-secret', 'k9-secret'] }]])(
			'answers 401 and starts nothing for %p',
			async (query) => {
				const { status, text, result } = await call({ params, query, body: [attached(1)] });
				expect(status).toBe(401);
				expect(text).not.toContain('k9');
				expect(result).toEqual({ noWebhookResponse: true });
			},
		);

		it('checks the secret before the body', async () => {
			expect((await call({ params, query: {}, body: {}, raw: 'not json' })).status).toBe(401);
		});
	});

	describe('ignoring repeated batches', () => {
		it('runs a batch once and answers its repeat 200 OK without an execution; another node keeps its own memory', async () => {
			const params = { settings: { ignoreRepeatsMinutes: 10 } };
			const body = [attached(101), activated(102)];
			expect((await call({ params, body, nodeId: 'repeat-a' })).result.workflowData).toBeDefined();
			expect(await call({ params, body, nodeId: 'repeat-a' })).toEqual({
				status: 200,
				text: 'OK',
				result: { noWebhookResponse: true },
			});
			expect(
				(await call({ params, body: [attached(103)], nodeId: 'repeat-a' })).result.workflowData,
			).toBeDefined();
			expect((await call({ params, body, nodeId: 'repeat-b' })).result.workflowData).toBeDefined();
		});

		it('is off at 0 minutes', async () => {
			const params = { settings: { ignoreRepeatsMinutes: 0 } };
			const body = [attached(201)];
			expect((await call({ params, body, nodeId: 'repeat-c' })).result.workflowData).toBeDefined();
			expect((await call({ params, body, nodeId: 'repeat-c' })).result.workflowData).toBeDefined();
		});
	});
});
