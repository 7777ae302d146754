import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { describeBaseUrlProblem, normalizeBaseUrl } from './baseUrl';

export const CREDENTIAL_TYPE = 'altcraftApi';

/** The Altcraft API credential as every caller needs it, read and checked in one place. */
export interface AltcraftCredentials {
	/** Without trailing slash and without `/api/v1.1`. */
	baseUrl: string;
	origin: string;
	/** The API token; goes only into request bodies (token.ts) and is redacted from every message. */
	token: string;
	allowUnauthorizedCerts: boolean;
}

/**
 * Reads the credential's fields. A token or URL pasted with surrounding spaces or a line break
 * is trimmed: Altcraft would compare the spaces as part of the token and answer "Invalid token".
 */
export function readAltcraftCredentials(
	raw: ICredentialDataDecryptedObject | undefined,
): AltcraftCredentials | { problem: string } {
	const data = raw ?? {};
	const baseUrl = normalizeBaseUrl(data.baseUrl);
	if (!baseUrl) {
		return {
			problem:
				describeBaseUrlProblem(data.baseUrl) ??
				'The Base URL in the Altcraft API credential must be an http:// or https:// address',
		};
	}
	return {
		baseUrl,
		origin: new URL(baseUrl).origin,
		token: typeof data.token === 'string' ? data.token.trim() : '',
		allowUnauthorizedCerts: data.allowUnauthorizedCerts === true,
	};
}

export const BASE_URL_ADVICE =
	'Enter the address of your Altcraft instance, e.g. https://example.altcraft.com (with or without /api/v1.1).';
