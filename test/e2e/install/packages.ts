/**
 * The two releases the install suite publishes: the package as packed from the working tree, and a
 * higher version of the same build whose node description carries a marker, so the suite can tell
 * which code n8n loaded after an update (a version number alone is only what n8n wrote in its database).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildAndPack } from '../../../scripts/lib/n8n';
import { runCommand } from '../../../scripts/lib/processes';

export const NODE_FILE = 'dist/nodes/AltcraftPromo/AltcraftPromo.node.js';

export interface Release {
	tarball: string;
	version: string;
	/** The node's description as this release ships it (what /types/nodes.json must show). */
	description: string;
}

const DESCRIPTION = /^(\s+description: ')([^']+)(',)$/m;

function readRelease(stage: string, tarball: string): Release {
	const { version } = JSON.parse(readFileSync(path.join(stage, 'package.json'), 'utf8')) as {
		version: string;
	};
	const match = DESCRIPTION.exec(readFileSync(path.join(stage, NODE_FILE), 'utf8'));
	assert.ok(match, `${NODE_FILE} has a description line`);
	return { tarball, version, description: match[2] };
}

/** Builds and packs the working tree (in a staging copy under workDir). */
export async function packCurrent(workDir: string): Promise<Release> {
	const tarball = await buildAndPack(workDir);
	return readRelease(path.join(workDir, 'package-src'), tarball);
}

/** Re-packs the staging copy as `version`, with "(e2e build <version>)" appended to the node's description. */
export async function packMarkedVersion(workDir: string, version: string): Promise<Release> {
	const stage = path.join(workDir, 'package-src');
	const manifestFile = path.join(stage, 'package.json');
	const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { version: string };
	manifest.version = version;
	writeFileSync(manifestFile, JSON.stringify(manifest, null, 2) + '\n');
	const nodeFile = path.join(stage, NODE_FILE);
	writeFileSync(
		nodeFile,
		readFileSync(nodeFile, 'utf8').replace(DESCRIPTION, `$1$2 (e2e build ${version})$3`),
	);
	const result = await runCommand(
		'npm',
		['pack', '--json', '--ignore-scripts', '--pack-destination', workDir],
		{ cwd: stage },
	);
	if (result.code !== 0) throw new Error(`npm pack of ${version} failed:\n${result.stderr}`);
	const [info] = JSON.parse(result.stdout) as Array<{ filename: string }>;
	return readRelease(stage, path.join(workDir, info.filename));
}
