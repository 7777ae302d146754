import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	INodeCredentialTestResult,
} from 'n8n-workflow';

import { readAltcraftCredentials, withToken } from '../transport';
import {
	DATABASES_LIST_PATH,
	describeNoAnswer,
	judgeDatabasesList,
	LOOKUP_TIMEOUT_MS,
	type RawAnswer,
} from './databasesList';

interface FullResponse {
	statusCode?: unknown;
	headers?: Record<string, unknown>;
	body?: unknown;
}

function asRawAnswer(response: unknown): RawAnswer {
	const full = (typeof response === 'object' && response !== null ? response : {}) as FullResponse;
	const contentType = full.headers?.['content-type'];
	const body = Buffer.isBuffer(full.body)
		? full.body.toString('utf8')
		: typeof full.body === 'string'
			? full.body
			: '';
	return {
		statusCode: typeof full.statusCode === 'number' ? full.statusCode : 0,
		contentType: typeof contentType === 'string' ? contentType : '',
		body,
	};
}

/**
 * The credential's Test button: one `databases/list` call with limit 1, a read-only call any
 * token role is likely to have. n8n hands a function test only `helpers.request`, so the token is
 * added here with the same `withToken` the credential's `authenticate` uses, and Ignore SSL Issues
 * maps to that helper's `rejectUnauthorized`.
 */
export async function altcraftApiTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted<ICredentialDataDecryptedObject>,
): Promise<INodeCredentialTestResult> {
	const credentials = readAltcraftCredentials(credential.data);
	if ('problem' in credentials) return { status: 'Error', message: credentials.problem };
	const { baseUrl, origin, token } = credentials;
	let response: unknown;
	try {
		// A function credential test gets only `helpers.request` (ICredentialTestFunctions has no httpRequest).
		// eslint-disable-next-line @n8n/community-nodes/no-deprecated-workflow-functions
		response = await this.helpers.request({
			method: 'POST',
			uri: `${baseUrl}${DATABASES_LIST_PATH}`,
			headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
			body: JSON.stringify(withToken({ limit: 1 }, token)),
			json: false,
			simple: false,
			resolveWithFullResponse: true,
			timeout: LOOKUP_TIMEOUT_MS,
			rejectUnauthorized: !credentials.allowUnauthorizedCerts,
		});
	} catch (error) {
		return { status: 'Error', message: describeNoAnswer(error, origin, token) };
	}
	const outcome = await judgeDatabasesList(asRawAnswer(response), origin, token);
	if (!outcome.ok) return { status: 'Error', message: outcome.message };
	return { status: 'OK', message: 'Connection successful' };
}
