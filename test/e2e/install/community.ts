/**
 * n8n's Community Nodes REST API as the editor's Settings → Community nodes page calls it
 * (n8n 2.8.4 and 1.123.50: modules/community-packages/community-packages.controller.js):
 *   GET /rest/community-packages, POST {name, version?} (install), PATCH {name, version?} (update),
 *   DELETE ?name= (uninstall); and the node/credential types the editor loads (/types/*.json).
 */
import assert from 'node:assert/strict';
import type { N8nRest } from '../../../scripts/lib/n8n';

export interface InstalledPackage {
	packageName: string;
	installedVersion: string;
	installedNodes: Array<{ name: string; type: string; latestVersion: number }>;
	updateAvailable?: string;
	failedLoading?: boolean;
}

const ROUTE = '/community-packages';

function expectOk(what: string, status: number, data: unknown): void {
	assert.equal(status, 200, `${what}: HTTP ${status} ${JSON.stringify(data).slice(0, 800)}`);
}

export async function listPackages(rest: N8nRest): Promise<InstalledPackage[]> {
	const { status, data } = await rest.request<InstalledPackage[]>('GET', ROUTE);
	expectOk('GET /rest/community-packages', status, data);
	return data;
}

export async function installPackage(
	rest: N8nRest,
	name: string,
	version?: string,
): Promise<InstalledPackage> {
	const { status, data } = await rest.request<InstalledPackage>('POST', ROUTE, {
		name,
		...(version ? { version } : {}),
	});
	expectOk(`POST /rest/community-packages ${name}`, status, data);
	return data;
}

export async function updatePackage(
	rest: N8nRest,
	name: string,
	version?: string,
): Promise<InstalledPackage> {
	const { status, data } = await rest.request<InstalledPackage>('PATCH', ROUTE, {
		name,
		...(version ? { version } : {}),
	});
	expectOk(`PATCH /rest/community-packages ${name}`, status, data);
	return data;
}

export async function uninstallPackage(rest: N8nRest, name: string): Promise<void> {
	const { status, data } = await rest.request(
		'DELETE',
		`${ROUTE}?name=${encodeURIComponent(name)}`,
	);
	expectOk(`DELETE /rest/community-packages ${name}`, status, data);
}

export interface NodeTypeInfo {
	name: string;
	displayName: string;
	description: string;
	version: number | number[];
	iconUrl?: string | { light: string; dark: string };
	credentials?: Array<{ name: string }>;
}

/** The node and credential types the editor downloads after sign-in (what its node picker lists). */
export async function editorTypes(
	rest: N8nRest,
): Promise<{ nodes: NodeTypeInfo[]; credentials: Array<{ name: string; displayName: string }> }> {
	const get = async <T>(route: string): Promise<T> => {
		const response = await rest.getSignedIn(route);
		assert.equal(response.status, 200, `GET ${route}: HTTP ${response.status}`);
		return (await response.json()) as T;
	};
	return {
		nodes: await get<NodeTypeInfo[]>('/types/nodes.json'),
		credentials: await get('/types/credentials.json'),
	};
}
