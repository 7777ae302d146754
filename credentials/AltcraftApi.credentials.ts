import type {
	IAuthenticateRuleResponseSuccessBody,
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { withToken } from '../nodes/AltcraftPromo/transport/token';

const DOCUMENTED_ERRORS: Record<number, string> = {
	400: 'incorrect request; check the Base URL',
	401: 'API token required or not valid',
	402: 'the plan (tariff) limit is reached',
	403: 'no access: the token is not valid or its role may not list databases',
};

/**
 * n8n's credential test can only fail on `body[key] === value`, not on `error != 0`,
 * so there is one rule per error code Altcraft could answer with.
 */
function altcraftErrorRules(): IAuthenticateRuleResponseSuccessBody[] {
	return Array.from({ length: 999 }, (_unused, index) => {
		const code = index + 1;
		const meaning = DOCUMENTED_ERRORS[code] ?? 'check the Base URL and the API token';
		return {
			type: 'responseSuccessBody',
			properties: { key: 'error', value: code, message: `Altcraft answered error ${code}: ${meaning}` },
		};
	});
}

export class AltcraftApi implements ICredentialType {
	name = 'altcraftApi';

	displayName = 'Altcraft API';

	icon: Icon = { light: 'file:../icons/altcraft.svg', dark: 'file:../icons/altcraft.dark.svg' };

	documentationUrl = 'https://guides.altcraft.com/en/developer-guide/api-interaction';

	properties: INodeProperties[] = [
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'e.g. https://example.altcraft.com',
			description:
				'Address of your Altcraft instance. It may end with or without a slash or /api/v1.1.',
		},
		{
			displayName: 'API Token',
			name: 'token',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description: 'An Altcraft API token, created under Settings → Tokens by a master user',
		},
	];

	/**
	 * Altcraft documents the token as a body parameter on every version. A generic
	 * `body` mapping cannot write into an XML string, so this one function puts the
	 * token into the JSON object or into the `<xml>` document alike.
	 */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const token = typeof credentials.token === 'string' ? credentials.token : '';
		return { ...requestOptions, body: withToken(requestOptions.body, token) as IHttpRequestOptions['body'] };
	}

	// databases/list is a read-only call every token role is likely to have; Altcraft may
	// answer a bad token with HTTP 200 and an error code, hence the body rules.
	// (n8n shows the rule's fixed message, not Altcraft's own error text.)
	test: ICredentialTestRequest = {
		request: {
			baseURL:
				'={{ String($credentials.baseUrl).trim().replace(/\\/+$/, "").replace(/\\/api\\/v1\\.1$/i, "") }}',
			url: '/api/v1.1/databases/list',
			method: 'POST',
			body: { limit: 1 },
			json: true,
		},
		rules: [
			...altcraftErrorRules(),
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'error_text',
					value: undefined,
					message:
						'The Base URL did not answer like the Altcraft API; enter the address of your Altcraft instance, e.g. https://example.altcraft.com',
				},
			},
		],
	};
}
