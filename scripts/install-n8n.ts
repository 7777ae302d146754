/**
 * Installs n8n on demand into `.n8n-runtime/<version>/` (git-ignored).
 *
 *   npm run n8n:install                 # the default version (2.8.4)
 *   npm run n8n:install -- 1.123.81     # any exact version(s)
 *   npm run n8n:install -- --all        # every version the e2e suites test
 *   npm run n8n:install -- --force 2.8.4
 *
 * Idempotent: an install that passes `n8n --version` is kept.
 */
import { installN8n } from './lib/install';
import { DEFAULT_N8N_VERSION, N8N_VERSIONS } from './lib/paths';
import { runMain } from './lib/processes';

runMain(async () => {
	const args = process.argv.slice(2);
	const force = args.includes('--force');
	let versions = args.filter((arg) => !arg.startsWith('--'));
	if (args.includes('--all')) versions = [...N8N_VERSIONS];
	if (versions.length === 0) versions = [DEFAULT_N8N_VERSION];
	for (const version of versions) await installN8n(version, { force });
});
