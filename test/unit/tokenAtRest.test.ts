/**
 * The token-at-rest search of the e2e suites finds the token where it is (plain and base64, in each kind
 * of place) and refuses to pass when a required place is missing or the positive control fails.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
	assertNoTokenAtRest,
	searchTokenAtRest,
	type AtRestPlaces,
} from '../e2e/lib/token-at-rest';

const TOKEN = 'test-token-5f1c9a0e7d';
let root: string;
let places: AtRestPlaces;

beforeEach(() => {
	root = mkdtempSync(path.join(os.tmpdir(), 'token-at-rest-'));
	mkdirSync(path.join(root, 'user', '.n8n'), { recursive: true });
	mkdirSync(path.join(root, 'logs'));
	writeFileSync(path.join(root, 'user', '.n8n', 'database.sqlite'), 'SQLite format 3\0 clean rows');
	writeFileSync(
		path.join(root, 'user', '.n8n', 'n8nEventLog.log'),
		'{"eventName":"n8n.workflow.success"}\n',
	);
	writeFileSync(path.join(root, 'logs', 'n8n-server.log'), 'debug: nothing secret\n');
	writeFileSync(
		path.join(root, 'sandbox.log'),
		'POST /api/v1.1/promocodes/get 200 error=0 3.1ms\n',
	);
	places = {
		token: TOKEN,
		userFolders: [path.join(root, 'user')],
		logDirs: [path.join(root, 'logs')],
		sandboxLogs: [path.join(root, 'sandbox.log')],
		positiveControl: { label: 'a request body', text: `{"token":"${TOKEN}"}` },
	};
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const required = ['sqlite database', 'event logs', 'n8n logs', 'sandbox log'] as const;

test('passes when the token is nowhere, and says what it searched', async () => {
	const report = await searchTokenAtRest(places);
	expect(report.found).toEqual([]);
	expect(report.searched['sqlite database'].files).toBe(1);
	expect(report.searched['event logs'].files).toBe(1);
	expect(() => assertNoTokenAtRest(report, [...required])).not.toThrow();
});

test.each([
	['sqlite database', ['user', '.n8n', 'database.sqlite-wal']],
	['event logs', ['user', '.n8n', 'n8nEventLog-1.log']],
	['n8n logs', ['logs', 'worker', 'n8n-worker.log']],
	['other n8n files', ['user', '.n8n', 'config']],
])('finds the token in %s', async (kind, parts) => {
	mkdirSync(path.join(root, ...parts.slice(0, -1)), { recursive: true });
	writeFileSync(path.join(root, ...parts), `prefix ${TOKEN} suffix`);
	const report = await searchTokenAtRest(places);
	expect(report.found).toEqual([`${kind}: ${path.join(root, ...parts)}`]);
	expect(() => assertNoTokenAtRest(report, [...required])).toThrow(/appears at rest/);
});

test('finds the token in base64, in the sandbox log and in captured output', async () => {
	writeFileSync(path.join(root, 'sandbox.log'), `auth ${Buffer.from(TOKEN).toString('base64')}\n`);
	const report = await searchTokenAtRest({
		...places,
		outputs: [{ label: 'worker output', text: `x${TOKEN}x` }],
	});
	expect(report.found).toEqual([
		`sandbox log: ${path.join(root, 'sandbox.log')}`,
		'captured output: worker output',
	]);
});

test('refuses to pass without the required places or when the positive control misses', async () => {
	rmSync(path.join(root, 'user', '.n8n', 'n8nEventLog.log'));
	const report = await searchTokenAtRest(places);
	expect(() => assertNoTokenAtRest(report, [...required])).toThrow(/event logs searched/);
	await expect(
		searchTokenAtRest({ ...places, positiveControl: { label: 'empty', text: '' } }),
	).rejects.toThrow(/positive control/);
});
