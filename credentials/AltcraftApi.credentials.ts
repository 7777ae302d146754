import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

// Only the token writer, not the whole transport: n8n loads credential types on their own.
import { withToken } from '../nodes/AltcraftPromo/transport/token';

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
		// The name is n8n's own for this switch (HTTP Request and many credentials); it is a boolean, not a secret.
		// eslint-disable-next-line @n8n/community-nodes/credential-password-field
		{
			displayName: 'Ignore SSL Issues (Insecure)',
			name: 'allowUnauthorizedCerts',
			type: 'boolean',
			default: false,
			description:
				'Whether to connect even if the TLS certificate of the instance cannot be verified, e.g. a self-signed certificate or one from an internal certificate authority',
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
		// Trimmed as everywhere else: a token pasted with a trailing space or line break still works.
		const token = typeof credentials.token === 'string' ? credentials.token.trim() : '';
		return {
			...requestOptions,
			body: withToken(requestOptions.body, token) as IHttpRequestOptions['body'],
		};
	}
}
