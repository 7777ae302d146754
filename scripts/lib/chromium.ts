/**
 * Debian's Chromium for the browser suites, driven by playwright-core (which never downloads a browser).
 */
import { existsSync } from 'node:fs';
import { chromium, type BrowserContext } from 'playwright-core';
import { formatDuration, log, runCommand } from './processes';

export const CHROMIUM = '/usr/bin/chromium';

/** Installs Debian's Chromium when it is missing (CI starts without it). Never a downloaded browser. */
export async function ensureChromium(): Promise<void> {
	if (existsSync(CHROMIUM)) return;
	log('Chromium is missing: installing the Debian package (apt-get install chromium)…');
	const started = Date.now();
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	for (const args of [
		['update'],
		['install', '-y', '--no-install-recommends', 'chromium', 'fonts-liberation'],
	]) {
		const result = await runCommand('apt-get', args, { env, timeoutMs: 15 * 60_000 });
		if (result.code !== 0)
			throw new Error(
				`apt-get ${args.join(' ')} failed (${result.code}):\n${(result.stdout + result.stderr).slice(-3000)}`,
			);
	}
	if (!existsSync(CHROMIUM))
		throw new Error(`apt-get installed chromium but ${CHROMIUM} does not exist`);
	log(`  Chromium installed in ${formatDuration(Date.now() - started)}`);
}

/** A headless Chromium on a fresh profile folder (the --user-data-dir of a plain launch). */
export async function launchChromium(profileDir: string): Promise<BrowserContext> {
	return chromium.launchPersistentContext(profileDir, {
		executablePath: CHROMIUM,
		viewport: { width: 1440, height: 900 },
		// Without the networking flags Chromium keeps trying Google's hosts, which this machine refuses.
		args: [
			'--headless',
			'--no-sandbox',
			'--disable-gpu',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
		],
	});
}
