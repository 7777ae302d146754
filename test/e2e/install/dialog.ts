/**
 * The Community Nodes page of the n8n 2.x editor, driven in Chromium as a user does it:
 * Settings → Community nodes → "Install a community node" → package name, the risk checkbox, Install;
 * and the package card's "Uninstall package" with its confirmation. A screenshot of every state.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../../../scripts/lib/chromium';

export class CommunityNodesPage {
	private shots = 0;

	private constructor(
		private readonly context: BrowserContext,
		readonly page: Page,
		private readonly baseUrl: string,
		private readonly shotDir: string,
	) {}

	static async open(
		profileDir: string,
		baseUrl: string,
		shotDir: string,
	): Promise<CommunityNodesPage> {
		mkdirSync(shotDir, { recursive: true });
		const context = await launchChromium(profileDir);
		const page = context.pages()[0] ?? (await context.newPage());
		page.setDefaultTimeout(30_000);
		return new CommunityNodesPage(context, page, baseUrl, shotDir);
	}

	async screenshot(name: string): Promise<string> {
		this.shots += 1;
		const file = path.join(this.shotDir, `${String(this.shots).padStart(2, '0')}-${name}.png`);
		await this.page.screenshot({ path: file });
		return file;
	}

	get screenshotCount(): number {
		return this.shots;
	}

	async signIn(email: string, password: string): Promise<void> {
		const p = this.page;
		await p.goto(`${this.baseUrl}/signin`);
		await p.fill('input[name="emailOrLdapLoginId"]', email);
		await p.fill('input[name="password"]', password);
		await p.click('[data-test-id="form-submit-button"]');
		await p.waitForURL((url) => !url.pathname.includes('signin'));
	}

	/** Opens Settings → Community nodes (n8n sends a signed-out browser to /signin first). */
	async openSettings(): Promise<void> {
		await this.page.goto(`${this.baseUrl}/settings/community-nodes`);
		await this.page.waitForURL(
			(url) => url.pathname.includes('signin') || url.pathname.includes('community-nodes'),
		);
		await this.page.getByText('Community nodes').first().waitFor();
		await this.page.waitForTimeout(500);
	}

	/** The card of an installed package (name, version, node count), or its absence. */
	card(packageName: string) {
		return this.page
			.locator('[data-test-id="community-package-card"]')
			.filter({ hasText: packageName });
	}

	/** Installs through the dialog; resolves once n8n reports "Package installed" and the card shows. */
	async install(packageName: string): Promise<string> {
		const p = this.page;
		await this.openSettings();
		await this.screenshot('community-nodes-empty');
		await p.getByRole('button', { name: 'Install a community node' }).first().click();
		const dialog = p.getByRole('dialog').filter({ hasText: 'Install community nodes' });
		await dialog.waitFor();
		await dialog
			.locator('[data-test-id="package-name-input"]')
			.locator('xpath=descendant-or-self::input')
			.first()
			.fill(packageName);
		await dialog.locator('[data-test-id="user-agreement-checkbox"]').click();
		await this.screenshot('install-dialog-filled');
		await dialog.locator('[data-test-id="install-community-package-button"]').click();
		await p.getByText('Package installed').first().waitFor({ timeout: 120_000 });
		await this.card(packageName).waitFor();
		await p.waitForTimeout(500);
		await this.screenshot('installed-package-card');
		return (await this.card(packageName).textContent()) ?? '';
	}

	/** The node picker of a new workflow, searched for `term`; returns the listed items' text. */
	async searchNodePicker(term: string, expected: string): Promise<string> {
		const p = this.page;
		await p.goto(`${this.baseUrl}/workflow/new`);
		await p.click('[data-test-id="canvas-add-button"]');
		await p.keyboard.type(term);
		const item = p.locator('[data-test-id="node-creator-item-name"]', { hasText: expected });
		await item.first().waitFor();
		await this.screenshot('node-picker');
		return (await p.locator('[data-test-id="node-creator"]').textContent()) ?? '';
	}

	/**
	 * The card's menu → "Uninstall package" → "Confirm uninstall"; resolves once the card is gone, with
	 * what the confirmation said. The confirmation must name `usedBy`, a workflow using the package's
	 * nodes (it loads that list after opening; a screenshot taken too early says "not used in any workflows").
	 */
	async uninstall(packageName: string, usedBy: string): Promise<string> {
		const p = this.page;
		await this.openSettings();
		const card = this.card(packageName);
		await card.waitFor();
		await card.locator('[data-test-id="action-toggle"], .action-toggle, button').last().click();
		await p.getByText('Uninstall package').last().click();
		const confirm = p.getByRole('button', { name: 'Confirm uninstall' });
		await confirm.waitFor();
		const dialog = p.getByRole('dialog').filter({ hasText: 'Uninstall node package' });
		await dialog.getByText(usedBy).waitFor();
		await p.waitForTimeout(500); // the dialog fades in
		await this.screenshot('uninstall-confirm');
		const said = ((await dialog.textContent()) ?? '').replace(/\s+/g, ' ').trim();
		await confirm.click();
		await p.getByText('Package uninstalled').first().waitFor({ timeout: 120_000 });
		await card.waitFor({ state: 'detached' });
		await p.waitForTimeout(500);
		await this.screenshot('uninstalled');
		return said;
	}

	/** On a failure: the current screen, for the report. */
	async failureShot(): Promise<void> {
		await this.page
			.screenshot({ path: path.join(this.shotDir, 'failure.png') })
			.catch(() => undefined);
	}

	async close(): Promise<void> {
		await this.context.close();
	}
}
