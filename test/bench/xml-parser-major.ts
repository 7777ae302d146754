/**
 * Why the package stays on fast-xml-parser 4.x: the node's XML decoding (its XMLValidator + XMLParser
 * options, xmlCodec.ts) with the pinned 4.x and the current 5.x side by side in one process, on Altcraft
 * answers of one code and of a 100-code list; plus each major's cold load (require + first parse) and
 * what `npm install` puts on disk for it. The 5.x copy is installed into a temp folder for the run.
 *
 *   npx tsx test/bench/xml-parser-major.ts            # 5.x = the registry's `latest`
 *   npx tsx test/bench/xml-parser-major.ts 5.12.1     # a given 5.x
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

interface XmlLib {
	XMLParser: new (options: Record<string, unknown>) => { parse: (text: string) => unknown };
	XMLValidator: { validate: (text: string) => true | object };
}

const ROOT = path.resolve(__dirname, '..', '..');
const ROUNDS = 5;

const item = (i: number) =>
	`<data><activated/><attached/><code>CODE-${String(i).padStart(5, '0')}</code><created>2024-04-01T12:39:34Z</created>` +
	'<is_activated>false</is_activated><is_attached>true</is_attached><loyalty_id>5</loyalty_id><database_id>1</database_id>' +
	`<profile_id>64b0000000000000000000${String(i % 100).padStart(2, '0')}</profile_id></data>`;
const tail = '<error>0</error><error_text>Successful operation</error_text></xml>';
const DOCUMENTS = {
	'one code': { text: `<xml>${item(1)}${tail}`, list: false, iterations: 20_000 },
	'100-code list': {
		text: `<xml>${Array.from({ length: 100 }, (_u, i) => item(i)).join('')}${tail}`,
		list: true,
		iterations: 500,
	},
};

/** The node's decoding, as nodes/AltcraftPromo/transport/xmlCodec.ts does it. */
function decode(lib: XmlLib, text: string, list: boolean): unknown {
	if (lib.XMLValidator.validate(text) !== true) throw new Error('invalid XML');
	return new lib.XMLParser({
		ignoreAttributes: true,
		ignoreDeclaration: true,
		parseTagValue: false,
		trimValues: true,
		processEntities: true,
		isArray: (_name: string, jpath: unknown) => list && jpath === 'xml.data',
	}).parse(text);
}

function median(values: number[]): number {
	return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

function diskUsage(dir: string): { packages: number; bytes: number } {
	let bytes = 0;
	const walk = (d: string) => {
		for (const name of readdirSync(d)) {
			const full = path.join(d, name);
			const stat = statSync(full);
			if (stat.isDirectory()) walk(full);
			else bytes += stat.size;
		}
	};
	walk(dir);
	const packages = readdirSync(dir).flatMap((name) =>
		name.startsWith('@') ? readdirSync(path.join(dir, name)) : name.startsWith('.') ? [] : [name],
	).length;
	return { packages, bytes };
}

function installInto(dir: string, spec: string): string {
	execFileSync(
		'npm',
		['install', '--no-audit', '--no-fund', '--no-package-lock', '--ignore-scripts', spec],
		{ cwd: dir, stdio: 'ignore' },
	);
	return path.join(dir, 'node_modules');
}

function main(): void {
	const wanted = process.argv[2] ?? 'latest';
	const work = mkdtempSync(path.join(os.tmpdir(), 'fxp-major-'));
	try {
		const pinned = (
			require(path.join(ROOT, 'package.json')) as { dependencies: Record<string, string> }
		).dependencies['fast-xml-parser'];
		const dirs = {
			[pinned]: installInto(mkdtempSync(path.join(work, 'a-')), `fast-xml-parser@${pinned}`),
		} as Record<string, string>;
		const next = installInto(mkdtempSync(path.join(work, 'b-')), `fast-xml-parser@${wanted}`);
		const nextVersion = (
			require(path.join(next, 'fast-xml-parser', 'package.json')) as { version: string }
		).version;
		dirs[nextVersion] = next;
		const versions = [pinned, nextVersion];
		const libs = Object.fromEntries(
			versions.map((v) => [v, require(path.join(dirs[v], 'fast-xml-parser')) as XmlLib]),
		);

		console.log(
			`fast-xml-parser ${pinned} vs ${nextVersion}, Node ${process.version}, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}\n`,
		);
		for (const [name, doc] of Object.entries(DOCUMENTS)) {
			const same =
				JSON.stringify(decode(libs[pinned], doc.text, doc.list)) ===
				JSON.stringify(decode(libs[nextVersion], doc.text, doc.list));
			console.log(`${name}: same decoded object: ${same}`);
		}
		const timings: Record<string, number[]> = {};
		for (let round = 0; round < ROUNDS; round += 1) {
			// Alternate the order so neither major always runs on a warmer machine.
			for (const version of round % 2 ? [...versions].reverse() : versions) {
				for (const [name, doc] of Object.entries(DOCUMENTS)) {
					for (let i = 0; i < 200; i += 1) decode(libs[version], doc.text, doc.list);
					const started = process.hrtime.bigint();
					for (let i = 0; i < doc.iterations; i += 1) decode(libs[version], doc.text, doc.list);
					(timings[`${name} ${version}`] ??= []).push(
						Number(process.hrtime.bigint() - started) / 1e3 / doc.iterations,
					);
				}
			}
		}
		console.log('\n| answer | ' + versions.map((v) => `${v} µs/decode`).join(' | ') + ' | ratio |');
		console.log('|---|---|---|---|');
		for (const name of Object.keys(DOCUMENTS)) {
			const [a, b] = versions.map((v) => median(timings[`${name} ${v}`]));
			console.log(
				`| ${name} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${nextVersion} takes ${(b / a).toFixed(2)}× |`,
			);
		}
		const load: Record<string, number[]> = {};
		for (let round = 0; round < 10; round += 1) {
			for (const version of round % 2 ? [...versions].reverse() : versions) {
				const script = `const t=process.hrtime.bigint();const l=require(${JSON.stringify(path.join(dirs[version], 'fast-xml-parser'))});new l.XMLParser().parse('<xml><a>1</a></xml>');console.log(Number(process.hrtime.bigint()-t)/1e6)`;
				(load[version] ??= []).push(
					Number(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })),
				);
			}
		}
		console.log(
			`\ncold require + first parse (median of 10 fresh processes): ${versions.map((v) => `${v} ${median(load[v]).toFixed(1)} ms`).join(', ')}`,
		);
		for (const version of versions) {
			const { packages, bytes } = diskUsage(dirs[version]);
			console.log(
				`npm install fast-xml-parser@${version}: ${packages} packages, ${(bytes / 1024).toFixed(0)} kB on disk`,
			);
		}
	} finally {
		rmSync(work, { recursive: true, force: true });
	}
}

main();
