/**
 * The transport's public surface: everything outside `transport/` imports from here, never from
 * the files behind it. It is the only code that talks to Altcraft.
 */
import type {
	ICredentialDataDecryptedObject,
	IExecuteFunctions,
	ILoadOptionsFunctions,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import {
	type AltcraftCredentials,
	BASE_URL_ADVICE,
	CREDENTIAL_TYPE,
	readAltcraftCredentials,
} from './credentials';
import { createKeepAliveSender } from './http/keepAliveSender';
import { createN8nHelperSender } from './http/n8nHelperSender';
import { proxyForUrl } from './http/proxyFromEnv';
import type { Sender, WireRequest, WireResponse } from './http/types';
import { TransportFailure } from './http/types';
import { type AltcraftSession, createSession, type TransportSettings } from './session';
import type { ApiMethod, AltcraftRequestBody, ReadBack } from './types';

export type {
	AltcraftEnvelope,
	AltcraftParameterValue,
	AltcraftRequest,
	AltcraftRequestBody,
	ApiMethod,
	CallResult,
	ReadAltcraft,
	ReadBack,
	ReadBackVerdict,
	WireFormat,
} from './types';
export { ENDPOINTS, endpointFacts, sideEffectOf, type SideEffect } from './endpoints';
export { CREDENTIAL_TYPE, readAltcraftCredentials, type AltcraftCredentials } from './credentials';
export { ExecutionCancelledError, sleepUnlessCancelled, throwIfCancelled } from './abort';
export {
	type AltcraftSession,
	type CallOptions,
	createSession,
	isAltcraftRefusal,
	type SessionDependencies,
	type TransportSettings,
} from './session';
export { altcraftErrorHint, bodySnippet, redactSecret, withItem } from './errors';
export { decodeAltcraftBody } from './responseDecoding';
export { withToken } from './token';
export { isTlsTrustProblem } from './http/networkErrors';
export { TransportFailure, type Sender, type WireRequest, type WireResponse } from './http/types';

/** The execution's cancel signal; n8n versions without it give `undefined` (then nothing is cancelled). */
function cancelSignalOf(context: IExecuteFunctions): AbortSignal | undefined {
	return typeof context.getExecutionCancelSignal === 'function'
		? context.getExecutionCancelSignal()
		: undefined;
}

function senderFor(
	context: IExecuteFunctions,
	credentials: AltcraftCredentials,
	concurrency: number,
): Sender {
	// A proxy is n8n's business: then n8n's own helper sends, as for every other node.
	return proxyForUrl(`${credentials.origin}/`)
		? createN8nHelperSender(context, CREDENTIAL_TYPE, credentials.allowUnauthorizedCerts)
		: createKeepAliveSender({
				token: credentials.token,
				allowUnauthorizedCerts: credentials.allowUnauthorizedCerts,
				maxSockets: concurrency,
			});
}

/** One session per execution of the node: credentials are read once, connections kept alive. */
export async function createAltcraftSession(
	context: IExecuteFunctions,
	settings: TransportSettings,
	options: { readBack?: ReadBack } = {},
): Promise<AltcraftSession> {
	const credentials = readAltcraftCredentials(
		await context.getCredentials<ICredentialDataDecryptedObject>(CREDENTIAL_TYPE),
	);
	if ('problem' in credentials) {
		throw new NodeOperationError(context.getNode(), credentials.problem, {
			description: BASE_URL_ADVICE,
		});
	}
	return createSession(settings, {
		node: context.getNode(),
		credentials,
		sender: senderFor(context, credentials, settings.concurrency),
		signal: cancelSignalOf(context),
		readBack: options.readBack,
	});
}

/**
 * One request for the editor (list search): through n8n's authenticated helper, so the
 * credential's `authenticate` adds the token and n8n's proxy settings apply. The answer is
 * returned raw for the caller to judge, as the editor phrases its messages differently.
 */
export interface LookupClient {
	credentials: AltcraftCredentials;
	send(
		method: ApiMethod,
		body: AltcraftRequestBody,
		timeoutMs: number,
	): Promise<WireResponse | TransportFailure>;
}

export async function createLookupClient(
	context: ILoadOptionsFunctions,
): Promise<LookupClient | { problem: string }> {
	const credentials = readAltcraftCredentials(
		await context.getCredentials<ICredentialDataDecryptedObject>(CREDENTIAL_TYPE),
	);
	if ('problem' in credentials) return credentials;
	const sender = createN8nHelperSender(
		context,
		CREDENTIAL_TYPE,
		credentials.allowUnauthorizedCerts,
	);
	return {
		credentials,
		send: async (method, body, timeoutMs) => {
			const request: WireRequest = {
				url: `${credentials.baseUrl}/api/v1.1/${method}`,
				method,
				format: 'json',
				body,
				timeoutMs,
			};
			return await sender.send(request);
		},
	};
}
