/** Paths and versions shared by the scripts and the e2e suites. */
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** Git-ignored home of on-demand n8n installs and of `npm start`'s persistent n8n user folder. */
export const RUNTIME_ROOT = path.join(REPO_ROOT, '.n8n-runtime');

/** Git-ignored output of the e2e suites (screenshots, n8n logs). */
export const ARTIFACTS_DIR = path.join(REPO_ROOT, 'artifacts');

export const EXAMPLES_DIR = path.join(REPO_ROOT, 'examples');

/**
 * n8n versions the e2e suites run against.
 * - 2.8.4: the newest n8n whose `engines` still allows Node 20 (2.9+ require Node >= 22/24).
 * - 1.123.50: the newest 1.x that installs on Node 20: 1.123.66+ depend on @n8n/expression-runtime ->
 *   isolated-vm ^6.1, which needs Node >= 22 and fails to compile here (checked with 1.123.81).
 * `npm start` uses the first one.
 */
export const N8N_VERSIONS = ['2.8.4', '1.123.50'] as const;
export const DEFAULT_N8N_VERSION: string = N8N_VERSIONS[0];

/** Ids/names the example workflows reference; import:credentials creates exactly this credential. */
export const CREDENTIAL_ID = 'altcraft-sandbox';
export const CREDENTIAL_NAME = 'Altcraft Sandbox';

/** Package and node type, as a community install registers them. */
export const PACKAGE_NAME = 'n8n-nodes-altcraft';
export const NODE_TYPE = 'n8n-nodes-altcraft.altcraftPromo';
export const TRIGGER_NODE_TYPE = 'n8n-nodes-altcraft.altcraftTrigger';
