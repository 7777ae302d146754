/**
 * What `npm pack` ships: exactly what n8n needs to load the package after a Community Nodes install
 * (n8n extracts the tarball, drops dev/peer dependencies and runs `npm install --ignore-scripts`).
 * Packs for real into a temp folder (from the built dist/, as `npm test` builds first) and reads the
 * tarball back, so the check sees the bytes a user would download.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

/**
 * Size budget. Measured at 0.2.0: about 50 kB packed / 175 kB unpacked with the 39 kB README.
 * The budget leaves room for a Russian README and code growth, but not for a stray folder
 * (test/ alone is over 1 MB unpacked, sandbox/ about 400 kB).
 */
const MAX_PACKED_BYTES = 120 * 1024;
const MAX_UNPACKED_BYTES = 400 * 1024;

/** Top-level files allowed besides dist/ (README.ru.md only if the repo has it). */
const TOP_LEVEL_FILES = [
	'package.json',
	'index.js',
	'README.md',
	'README.ru.md',
	'LICENSE',
	'CHANGELOG.md',
];
/** What may ship under dist/: compiled code, the codex JSON next to the node, icons. */
const DIST_FILE = /^dist\/(nodes|credentials|icons)\/.+\.(js|node\.json|svg)$/;

interface PackResult {
	filename: string;
	size: number;
	unpackedSize: number;
	files: Array<{ path: string; size: number }>;
}

let work: string;
let pack: PackResult;
let extracted: string;

beforeAll(() => {
	if (!existsSync(path.join(ROOT, 'dist', 'nodes')))
		throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
	work = mkdtempSync(path.join(os.tmpdir(), 'altcraft-tarball-'));
	const out = execFileSync(
		'npm',
		['pack', '--json', '--ignore-scripts', '--pack-destination', work],
		{ cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
	);
	[pack] = JSON.parse(out) as PackResult[];
	extracted = path.join(work, 'package');
	execFileSync('tar', ['-xzf', path.join(work, pack.filename), '-C', work]);
}, 60_000);

afterAll(() => {
	if (work) rmSync(work, { recursive: true, force: true });
});

function shippedFiles(): string[] {
	return pack.files.map((file) => file.path).sort();
}

function walk(dir: string, prefix = ''): string[] {
	return readdirSync(dir).flatMap((name) => {
		const full = path.join(dir, name);
		const relative = prefix ? `${prefix}/${name}` : name;
		return statSync(full).isDirectory() ? walk(full, relative) : [relative];
	});
}

describe('the packed tarball', () => {
	it('holds only dist code, icons and codex, index.js, package.json and the user documents', () => {
		const unexpected = shippedFiles().filter(
			(file) => !TOP_LEVEL_FILES.includes(file) && !DIST_FILE.test(file),
		);
		expect(unexpected).toEqual([]);
		// npm's list is what the tarball holds, nothing more.
		expect(walk(extracted).sort()).toEqual(shippedFiles());
	});

	it('ships the license, readme and changelog, and README.ru.md whenever the repo has one', () => {
		const files = shippedFiles();
		for (const file of ['package.json', 'index.js', 'README.md', 'LICENSE', 'CHANGELOG.md'])
			expect(files).toContain(file);
		expect(files.includes('README.ru.md')).toBe(existsSync(path.join(ROOT, 'README.ru.md')));
		expect(readFileSync(path.join(extracted, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
	});

	it('ships no source maps, declarations or TypeScript sources', () => {
		expect(shippedFiles().filter((file) => /\.(map|ts)$/.test(file))).toEqual([]);
	});

	it('has no path of the build machine in any shipped file', () => {
		const machinePaths = [ROOT, os.homedir(), os.tmpdir()].filter((p) => p.length > 1);
		const leaks = walk(extracted).flatMap((file) => {
			const text = readFileSync(path.join(extracted, file), 'utf8');
			return machinePaths.filter((p) => text.includes(p)).map((p) => `${file} contains ${p}`);
		});
		expect(leaks).toEqual([]);
	});

	it('stays within the size budget', () => {
		expect(pack.size).toBeLessThanOrEqual(MAX_PACKED_BYTES);
		expect(pack.unpackedSize).toBeLessThanOrEqual(MAX_UNPACKED_BYTES);
	});

	it('has every file package.json points n8n and Node at', () => {
		const manifest = JSON.parse(readFileSync(path.join(extracted, 'package.json'), 'utf8')) as {
			main: string;
			n8n: { nodes: string[]; credentials: string[] };
		};
		for (const file of [manifest.main, ...manifest.n8n.nodes, ...manifest.n8n.credentials]) {
			expect(existsSync(path.join(extracted, file))).toBe(true);
		}
		// Each node's and credential's `file:` icons resolve inside the tarball (relative to the compiled file).
		for (const file of [...manifest.n8n.nodes, ...manifest.n8n.credentials]) {
			const icons = [
				...readFileSync(path.join(extracted, file), 'utf8').matchAll(/file:([^'"]+\.svg)/g),
			].map((match) => match[1]);
			expect(icons.length).toBeGreaterThan(0);
			for (const icon of icons)
				expect(existsSync(path.join(extracted, path.dirname(file), icon))).toBe(true);
		}
	});

	it('needs no install scripts and declares only runtime dependencies n8n keeps', () => {
		const manifest = JSON.parse(readFileSync(path.join(extracted, 'package.json'), 'utf8')) as {
			scripts?: Record<string, string>;
			dependencies?: Record<string, string>;
			bundleDependencies?: unknown;
			bundledDependencies?: unknown;
		};
		// n8n installs with --ignore-scripts: a package that relied on one would arrive broken.
		const lifecycle = ['preinstall', 'install', 'postinstall', 'prepare', 'prepublish'];
		expect(Object.keys(manifest.scripts ?? {}).filter((name) => lifecycle.includes(name))).toEqual(
			[],
		);
		expect(manifest.bundleDependencies ?? manifest.bundledDependencies).toBeUndefined();
		// Exact versions: what the e2e tested is what a user gets.
		for (const [name, range] of Object.entries(manifest.dependencies ?? {}))
			expect(`${name}@${range}`).toMatch(/@\d+\.\d+\.\d+$/);
	});
});
