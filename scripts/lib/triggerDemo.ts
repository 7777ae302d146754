/**
 * `npm start`'s Altcraft Trigger demo: points the sandbox's action hooks at the production URL of the example
 * "a promo code was redeemed", so a code activated in the sandbox starts that workflow, and says how to try it.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Sandbox } from '../../sandbox/src';
import { EXAMPLES_DIR } from './paths';

export const TRIGGER_EXAMPLE = 'altcraft-trigger-code-activated.json';

/** Sets the sandbox's hook URL to the example's trigger; returns the lines to print. */
export function wireTriggerDemo(sandbox: Sandbox, n8nBaseUrl: string): string[] {
	const workflow = JSON.parse(readFileSync(path.join(EXAMPLES_DIR, TRIGGER_EXAMPLE), 'utf8')) as {
		id: string;
		name: string;
		nodes: Array<{ type: string; webhookId?: string; parameters: { secret?: string } }>;
	};
	const trigger = workflow.nodes.find((node) => node.type === 'n8n-nodes-altcraft.altcraftTrigger');
	if (!trigger?.webhookId) return [];
	const secret = trigger.parameters.secret
		? `?secret=${encodeURIComponent(trigger.parameters.secret)}`
		: '';
	const url = `${n8nBaseUrl}/webhook/${trigger.webhookId}/altcraft${secret}`;
	sandbox.hooks.configure({ urls: [url], batchSize: 10, flushMs: 1000 });
	const code = `DEMO-${randomBytes(2).toString('hex').toUpperCase()}`;
	const api = (method: string, body: Record<string, unknown>) =>
		`    curl -s -X POST ${sandbox.baseUrl}/api/v1.1/promocodes/${method} -H 'content-type: application/json' -d '${JSON.stringify({ token: sandbox.token, loyalty_id: 1, ...body })}'`;
	return [
		'',
		`  Altcraft Trigger: the sandbox sends promo-code events (action hooks) to "${workflow.name}":`,
		`    ${url}`,
		'  Redeem a code and watch the workflow run (Executions tab of that workflow):',
		api('attach', { db_id: 1, matching: 'email', email: 'alice@example.com', code }),
		api('activate', { code }),
		`    curl -s -X POST ${sandbox.baseUrl}/__sandbox/hooks/test -d '{"kind":"activate","is_test":false}'   # a made-up event, no API call`,
	];
}
