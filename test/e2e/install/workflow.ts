/**
 * A workflow using the installed node, created and published over the editor's REST API (the package is
 * installed while n8n runs, so nothing can be imported before start): Webhook → Altcraft Promo "Get" →
 * the node's first item as the HTTP answer. Calling the webhook runs the node inside the server process,
 * i.e. the code n8n loaded from the registry install.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { isN8n1, type N8nRest, type N8nSetup } from '../../../scripts/lib/n8n';
import { NODE_TYPE } from '../../../scripts/lib/paths';

export const WORKFLOW_NAME = 'Install e2e: get a promo code';

export interface WebhookWorkflow {
	id: string;
	url: string;
}

export async function createCredential(
	rest: N8nRest,
	data: { baseUrl: string; token: string },
): Promise<{ id: string; name: string }> {
	const name = 'Altcraft Sandbox';
	const { status, data: created } = await rest.request<{ id: string }>('POST', '/credentials', {
		name,
		type: 'altcraftApi',
		data: { ...data, allowUnauthorizedCerts: false },
	});
	assert.equal(
		status,
		200,
		`POST /rest/credentials: HTTP ${status} ${JSON.stringify(created).slice(0, 500)}`,
	);
	return { id: created.id, name };
}

/** Creates and publishes (2.x) / activates (1.x) the webhook workflow; returns its production URL. */
export async function createWebhookWorkflow(
	rest: N8nRest,
	setup: N8nSetup,
	credential: { id: string; name: string },
	{ loyaltyId, nodeVersion }: { loyaltyId: number; nodeVersion: number },
): Promise<WebhookWorkflow> {
	const path = `altcraft-install-e2e-${randomUUID().slice(0, 8)}`;
	const body = {
		name: WORKFLOW_NAME,
		active: false,
		settings: { executionOrder: 'v1' },
		connections: { Webhook: { main: [[{ node: 'Get code', type: 'main', index: 0 }]] } },
		nodes: [
			{
				id: randomUUID(),
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: randomUUID(),
				parameters: { httpMethod: 'POST', path, responseMode: 'lastNode', options: {} },
			},
			{
				id: randomUUID(),
				name: 'Get code',
				type: NODE_TYPE,
				typeVersion: nodeVersion,
				position: [220, 0],
				parameters: {
					resource: 'promoCode',
					operation: 'get',
					loyaltyId,
					code: '={{ $json.body.code }}',
				},
				credentials: { altcraftApi: credential },
			},
		],
	};
	const created = await rest.request<{ id: string; versionId: string }>('POST', '/workflows', body);
	assert.equal(
		created.status,
		200,
		`POST /rest/workflows: HTTP ${created.status} ${JSON.stringify(created.data).slice(0, 500)}`,
	);
	const { id, versionId } = created.data;
	// 2.x publishes a version (POST .../activate); 1.x flips `active` with a PATCH, as the editor's toggle does.
	const activated = isN8n1(setup.runtime)
		? await rest.request('PATCH', `/workflows/${id}`, { active: true, versionId })
		: await rest.request('POST', `/workflows/${id}/activate`, { versionId });
	assert.equal(
		activated.status,
		200,
		`activating workflow ${id}: HTTP ${activated.status} ${JSON.stringify(activated.data).slice(0, 500)}`,
	);
	return { id, url: `${rest.baseUrl}/webhook/${path}` };
}

export interface WebhookAnswer {
	status: number;
	body: Record<string, unknown>;
	text: string;
}

export async function callWebhook(
	workflow: WebhookWorkflow,
	payload: Record<string, unknown>,
): Promise<WebhookAnswer> {
	const response = await fetch(workflow.url, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(payload),
	});
	const text = await response.text();
	let body: Record<string, unknown> = {};
	try {
		body = JSON.parse(text) as Record<string, unknown>;
	} catch {
		// not JSON: the assertion that follows shows the text
	}
	return { status: response.status, body, text };
}
