#!/usr/bin/env node
/**
 * npm run sandbox -- [--port 8787] [--host 127.0.0.1] [--token T] [--seed file.json] [--state file.json] [--tls] [--quiet]
 *                     [--hook-url URL]... [--hook-batch-size N] [--hook-flush-ms N]
 */
import { DEFAULT_HOST, DEFAULT_PORT, DEFAULT_TOKEN, Sandbox, startSandbox } from './index';

export interface CliOptions {
	port: number;
	host: string;
	token: string;
	seed?: string;
	statePath?: string;
	tls: boolean;
	quiet: boolean;
	help: boolean;
	/** Action hooks (hooks.ts): target URLs, batch size, flush timeout. */
	hookUrls?: string[];
	hookBatchSize?: number;
	hookFlushMs?: number;
}

export const USAGE = `Altcraft promo-code API sandbox

Usage: npm run sandbox -- [options]

  --port N          port to listen on (default ${DEFAULT_PORT}; 0 = any free port)
  --host H          interface to listen on (default ${DEFAULT_HOST})
  --token T         API token the sandbox accepts (default "${DEFAULT_TOKEN}")
  --seed FILE       seed JSON file (default: sandbox/seed/default.json)
  --state FILE      keep state in FILE across restarts (atomic writes)
  --tls             serve HTTPS with a self-signed certificate for localhost/127.0.0.1
                    (made with the openssl command at start; its path is printed)
  --hook-url URL    send promo-code events (action hooks) to URL; repeat for several
  --hook-batch-size N  at most N events per hook request (default 100)
  --hook-flush-ms N    send a batch at the latest N ms after its first event (default 1000)
  --quiet           do not print one line per request
  --help            show this help
`;

export function parseArgs(argv: string[]): CliOptions {
	const o: CliOptions = {
		port: DEFAULT_PORT,
		host: DEFAULT_HOST,
		token: DEFAULT_TOKEN,
		tls: false,
		quiet: false,
		help: false,
	};
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		const eq = arg.indexOf('=');
		const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
		const takeValue = (): string => {
			if (eq > 0 && arg.startsWith('--')) return arg.slice(eq + 1);
			const v = argv[++i];
			if (v === undefined || v === '') throw new Error(`${name} needs a value`);
			return v;
		};
		switch (name) {
			case '--port': {
				const v = takeValue();
				if (!/^\d+$/.test(v) || Number(v) > 65535)
					throw new Error(`--port must be a number from 0 to 65535, got "${v}"`);
				o.port = Number(v);
				break;
			}
			case '--host':
				o.host = takeValue();
				break;
			case '--token':
				o.token = takeValue();
				break;
			case '--seed':
				o.seed = takeValue();
				break;
			case '--state':
				o.statePath = takeValue();
				break;
			case '--hook-url':
				o.hookUrls = [...(o.hookUrls ?? []), takeValue()];
				break;
			case '--hook-batch-size':
			case '--hook-flush-ms': {
				const v = takeValue();
				if (!/^\d+$/.test(v)) throw new Error(`${name} must be a whole number, got "${v}"`);
				if (name === '--hook-batch-size') o.hookBatchSize = Number(v);
				else o.hookFlushMs = Number(v);
				break;
			}
			case '--quiet':
				o.quiet = true;
				break;
			case '--tls':
				o.tls = true;
				break;
			case '--help':
			case '-h':
				o.help = true;
				break;
			default:
				throw new Error(`unknown option "${arg}"`);
		}
	}
	return o;
}

export async function main(argv: string[]): Promise<Sandbox | undefined> {
	const o = parseArgs(argv);
	// Output is best effort: a reader that goes away (EPIPE) must not take the server down.
	process.stdout.on('error', () => undefined);
	if (o.help) {
		process.stdout.write(USAGE);
		return undefined;
	}
	const sb = await startSandbox({
		port: o.port,
		host: o.host,
		token: o.token,
		seed: o.seed,
		statePath: o.statePath,
		tls: o.tls,
		hooks: {
			urls: o.hookUrls ?? [],
			...(o.hookBatchSize === undefined ? {} : { batchSize: o.hookBatchSize }),
			...(o.hookFlushMs === undefined ? {} : { flushMs: o.hookFlushMs }),
		},
		log: o.quiet ? undefined : (line) => process.stdout.write(`${line}\n`),
	});
	process.stdout.write(
		[
			`Altcraft sandbox listening on ${sb.baseUrl}`,
			`  Base URL: ${sb.baseUrl}`,
			`  API:      ${sb.baseUrl}/api/v1.1/`,
			`  Token:    ${sb.token}`,
			`  Seed:     ${o.seed ?? 'default (sandbox/seed/default.json)'}`,
			`  State:    ${o.statePath ?? 'in memory only'}`,
			`  Hooks:    ${o.hookUrls ? `promo-code events to ${o.hookUrls.length} URL(s)` : 'off (POST /__sandbox/hooks to set URLs)'}`,
			...(sb.tls
				? [`  TLS:      self-signed certificate for localhost/127.0.0.1 in ${sb.tls.certPath}`]
				: []),
			`Press Ctrl+C to stop.`,
			'',
		].join('\n'),
	);
	let stopping = false;
	const shutdown = (signal: string): void => {
		if (stopping) return;
		stopping = true;
		process.stdout.write(`\n${signal}: stopping sandbox\n`);
		sb.stop().then(
			() => process.exit(0),
			(e: Error) => {
				process.stderr.write(`sandbox: error while stopping: ${e.message}\n`);
				process.exit(1);
			},
		);
	};
	process.on('SIGINT', () => shutdown('SIGINT'));
	process.on('SIGTERM', () => shutdown('SIGTERM'));
	return sb;
}

if (require.main === module) {
	main(process.argv.slice(2)).catch((e: Error) => {
		process.stderr.write(`sandbox: ${e.message}\n`);
		process.exit(1);
	});
}
