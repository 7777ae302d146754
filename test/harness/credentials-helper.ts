/**
 * In-memory ICredentialsHelper for engine tests.
 *
 * n8n-core asks `additionalData.credentialsHelper` for three things while a node runs
 * `httpRequestWithAuthentication`: getDecrypted (credential data), preAuthentication and
 * authenticate (apply the credential type's `authenticate` to the request). The semantics
 * below follow n8n's CLI CredentialsHelper (packages/cli/src/credentials-helper.ts) so the
 * node's credential is exercised the way a real n8n instance applies it.
 */
import { getAdditionalKeys } from 'n8n-core';
import {
	ICredentialsHelper,
	NodeHelpers,
	isExpression,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type ICredentials,
	type ICredentialsExpressionResolveValues,
	type IExecuteData,
	type IHttpRequestOptions,
	type INode,
	type INodeCredentialsDetails,
	type INodeParameters,
	type INodeProperties,
	type IRequestOptionsSimplified,
	type IWorkflowExecuteAdditionalData,
	type Workflow,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

export class HarnessCredentialsHelper extends ICredentialsHelper {
	constructor(
		/** Credential type by name, or undefined when unknown. */
		private readonly credentialTypes: (name: string) => ICredentialType | undefined,
		/** Decrypted credential data keyed by credential type name. */
		private readonly credentials: Record<string, ICredentialDataDecryptedObject>,
	) {
		super();
	}

	private getType(name: string): ICredentialType {
		const type = this.credentialTypes(name);
		if (!type) throw new Error(`Harness: unknown credential type "${name}"`);
		return type;
	}

	getParentTypes(name: string): string[] {
		const parents = this.getType(name).extends ?? [];
		return parents.flatMap((parent) => [parent, ...this.getParentTypes(parent)]);
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		return this.getType(type).properties;
	}

	/**
	 * As n8n: a function `authenticate` gets (credentials, requestOptions) and its result is
	 * the request; a generic one is merged shallowly, one level deep: for every
	 * `properties[outerKey][key] = value`, key and value are resolved as expressions against
	 * `$credentials` and written to `requestOptions[outerKey][key]` (the outer object is
	 * created when missing, `headers` always exists afterwards). An expression that resolves
	 * to nothing becomes ''.
	 */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow: Workflow,
		node: INode,
	): Promise<IHttpRequestOptions> {
		const { authenticate } = this.getType(typeName);
		if (typeof authenticate === 'function') {
			return await authenticate(credentials, requestOptions as IHttpRequestOptions);
		}
		if (authenticate?.type === 'generic') {
			requestOptions.headers ??= {};
			// requestOptions[outerKey] is one of headers/qs/body/auth: plain string maps here.
			const target = requestOptions as unknown as Record<
				string,
				Record<string, unknown> | undefined
			>;
			const resolve = (value: string): string => {
				if (!isExpression(value)) return value;
				const resolved = workflow.expression.getSimpleParameterValue(
					node,
					value,
					'internal',
					{ $credentials: credentials },
					undefined,
					'',
				);
				return resolved ? resolved.toString() : '';
			};
			for (const [outerKey, outerValue] of Object.entries(authenticate.properties)) {
				for (const [key, value] of Object.entries(outerValue as Record<string, string>)) {
					const bucket = (target[outerKey] ??= {});
					bucket[resolve(key)] = resolve(value);
				}
			}
		}
		return requestOptions as IHttpRequestOptions;
	}

	/**
	 * n8n only calls a credential's preAuthentication when the type has an expirable hidden
	 * property (token refresh). Types used in these tests have none, so, as in n8n, nothing
	 * is refreshed.
	 */
	async preAuthentication(): Promise<ICredentialDataDecryptedObject | undefined> {
		return undefined;
	}

	/**
	 * As n8n's getDecrypted + applyDefaultsAndOverwrites: stored data, completed with the
	 * credential type's defaults, then with expressions resolved in the node's context.
	 */
	async getDecrypted(
		additionalData: IWorkflowExecuteAdditionalData,
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		mode: WorkflowExecuteMode,
		executeData?: IExecuteData,
		raw?: boolean,
		expressionResolveValues?: ICredentialsExpressionResolveValues,
	): Promise<ICredentialDataDecryptedObject> {
		const stored = this.credentials[type];
		if (!stored) {
			throw new Error(
				`Harness: no credentials of type "${type}" (${nodeCredentials.name}) given to the run`,
			);
		}
		if (raw === true) return { ...stored };

		const withDefaults = NodeHelpers.getNodeParameters(
			this.getCredentialsProperties(type),
			{ ...stored } as INodeParameters,
			true,
			false,
			null,
			null,
		) as ICredentialDataDecryptedObject;
		if (!expressionResolveValues) return withDefaults;

		const { workflow, runExecutionData, runIndex, itemIndex, node, connectionInputData } =
			expressionResolveValues;
		return workflow.expression.getParameterValue(
			withDefaults as INodeParameters,
			runExecutionData,
			runIndex,
			itemIndex,
			node.name,
			connectionInputData,
			mode,
			getAdditionalKeys(additionalData, mode, null),
			executeData,
			false,
			withDefaults,
		) as ICredentialDataDecryptedObject;
	}

	// Storage-backed operations (OAuth token updates, credential entities) have no meaning here.
	async getCredentials(): Promise<ICredentials> {
		throw new Error('Harness: getCredentials is not supported');
	}

	async updateCredentials(): Promise<void> {
		throw new Error('Harness: updateCredentials is not supported');
	}

	async updateCredentialsOauthTokenData(): Promise<void> {
		throw new Error('Harness: updateCredentialsOauthTokenData is not supported');
	}
}
