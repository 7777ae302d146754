/**
 * Editor e2e step for the Altcraft Trigger: the example workflow's trigger panel shows the Test and
 * Production URLs (what the user pastes into Altcraft) and the setup notice.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { EXAMPLES_DIR } from '../../../scripts/lib/paths';

const EXAMPLE = 'altcraft-trigger-code-activated.json';

export async function checkTriggerPanel(
	page: Page,
	baseUrl: string,
	screenshot: (name: string) => Promise<unknown>,
): Promise<void> {
	const workflow = JSON.parse(readFileSync(path.join(EXAMPLES_DIR, EXAMPLE), 'utf8')) as {
		id: string;
		nodes: Array<{ name: string; type: string; webhookId?: string }>;
	};
	const trigger = workflow.nodes.find((node) => node.type === 'n8n-nodes-altcraft.altcraftTrigger');
	assert.ok(trigger?.webhookId, `${EXAMPLE} has an Altcraft Trigger with a webhookId`);
	await page.goto(`${baseUrl}/workflow/${workflow.id}`);
	const node = page
		.locator('[data-test-id="canvas-node"]')
		.filter({ hasText: trigger.name })
		.first();
	await node.getByText('code activated').waitFor(); // the subtitle names the selected events
	await node.dblclick();
	const ndv = page.locator('[data-test-id="ndv"]');
	await ndv.waitFor();
	await ndv
		.getByText(/Event capture/)
		.first()
		.waitFor();
	await ndv.getByText('Listen for events from Altcraft').first().waitFor(); // the trigger panel's header
	const urls = ndv.getByText(/Webhook URLs/i).first();
	if (await urls.isVisible()) await urls.click(); // a collapsed section in some versions
	await page.waitForTimeout(500);
	const testUrl = `${baseUrl}/webhook-test/${trigger.webhookId}/altcraft`;
	const productionUrl = `${baseUrl}/webhook/${trigger.webhookId}/altcraft`;
	await ndv.getByText(testUrl).first().waitFor();
	await screenshot('trigger-panel-test-url');
	await ndv.getByText('Production URL', { exact: true }).first().click();
	await ndv.getByText(productionUrl).first().waitFor();
	await screenshot('trigger-panel-production-url');
	const text = (await ndv.textContent()) ?? '';
	assert.match(
		text,
		/Paste the Production URL shown above into its URL field; when you set a Secret below, add \?secret= and the secret/,
		'the notice says where the URL and the secret go',
	);
	assert.match(text, /best guess/, 'the promo event_type names are marked as a guess');
	await page.locator('[data-test-id="ndv-close-button"]').first().click();
}
