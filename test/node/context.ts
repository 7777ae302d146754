import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { startSandbox, type Sandbox } from '../../sandbox/src';
import {
	runAltcraftNode,
	shutdownEngine,
	type RunNodeOptions,
	type RunNodeResult,
} from '../harness';

/** Distinctive, so a leak anywhere in a run is found by a plain substring search. */
export const TOKEN = 'dummy-token-for-leak-checks-5e1f';

export const FORMATS = ['json', 'xml'] as const;
export type Format = (typeof FORMATS)[number];

export interface NodeTestContext {
	sandbox: Sandbox;
	run(
		parameters: INodeParameters,
		options?: {
			items?: IDataObject[];
			onError?: RunNodeOptions['onError'];
			token?: string;
			baseUrl?: string;
		},
	): Promise<RunNodeResult>;
}

/** One sandbox per test file, reset to the default seed before every test. */
export function useSandbox(): NodeTestContext {
	const context = {} as NodeTestContext;
	beforeAll(async () => {
		context.sandbox = await startSandbox({ port: 0, token: TOKEN });
		context.run = async (parameters, options = {}) =>
			await runAltcraftNode({
				parameters: { resource: 'promoCode', ...parameters },
				items: options.items,
				onError: options.onError,
				credentials: {
					baseUrl: options.baseUrl ?? context.sandbox.baseUrl,
					token: options.token ?? TOKEN,
				},
			});
	});
	beforeEach(() => context.sandbox.reset());
	afterAll(async () => {
		await context.sandbox.stop();
		shutdownEngine();
	});
	return context;
}

/** The JSON of every output item, to compare runs without pairedItem noise. */
export function jsonOf(result: RunNodeResult): IDataObject[] {
	return result.output.map((item) => item.json);
}
