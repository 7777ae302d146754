/**
 * What `npm start` tells a newcomer about the sandbox's demo data: the program and database the shop
 * example uses, which customers exist, how many free codes are left and how to get them back. Read from
 * the shop example and the sandbox's current state, never hard-coded, so a changed seed or example still
 * prints the truth.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SandboxState } from '../../sandbox/src';
import { EXAMPLES_DIR } from './paths';

export const SHOP_EXAMPLE = 'order-webhook-attach-promo.json';

export interface DemoData {
	program?: { id: number; name: string; freeCodes: number; codes: number };
	database?: { id: number; name: string };
	/** Every profile's email in the database, in the sandbox's order. */
	emails: string[];
}

/** A saved ID: a number (node version 1) or a resource locator's value (version 2). */
function savedId(value: unknown): number | undefined {
	const raw =
		typeof value === 'object' && value !== null && 'value' in value
			? (value as { value: unknown }).value
			: value;
	const id = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
	return typeof id === 'number' && Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

export function demoData(state: SandboxState): DemoData {
	const shop = JSON.parse(readFileSync(path.join(EXAMPLES_DIR, SHOP_EXAMPLE), 'utf8')) as {
		nodes: Array<{ type: string; parameters: Record<string, unknown> }>;
	};
	const altcraftNodes = shop.nodes.filter((node) => /altcraftPromo$/.test(node.type));
	const loyaltyId = altcraftNodes
		.map((node) => savedId(node.parameters.loyaltyId))
		.find((id) => id !== undefined);
	const databaseId = altcraftNodes
		.map((node) => savedId(node.parameters.databaseId))
		.find((id) => id !== undefined);
	const program = state.loyaltyPrograms.find((entry) => entry.id === loyaltyId);
	const database = state.databases.find((entry) => entry.id === databaseId) ?? state.databases[0];
	const emails = (database?.profiles ?? [])
		.map((profile) => profile.email)
		.filter((email): email is string => typeof email === 'string' && email !== '');
	return {
		program: program && {
			id: program.id,
			name: program.name,
			freeCodes: program.codes.filter((code) => code.attachments.length === 0).length,
			codes: program.codes.length,
		},
		database: database && { id: database.id, name: database.name },
		emails,
	};
}

/**
 * The emails as a newcomer can use them: the odd ones by name, the numbered run as a range
 * ("alice@example.com, bob@example.com and customer01@example.com … customer60@example.com").
 */
export function describeEmails(emails: string[]): string {
	const numbered = new Map<string, string[]>();
	for (const email of emails) {
		const match = /^(.*?)\d+(@.*)$/.exec(email);
		if (!match) continue;
		const key = `${match[1]}#${match[2]}`;
		numbered.set(key, [...(numbered.get(key) ?? []), email]);
	}
	const run = [...numbered.values()].sort((a, b) => b.length - a.length)[0] ?? [];
	if (run.length < 3)
		return (
			emails.slice(0, 5).join(', ') + (emails.length > 5 ? `, … (${emails.length} in all)` : '')
		);
	const named = emails.filter((email) => !run.includes(email));
	const range = `${run[0]} … ${run[run.length - 1]}`;
	return named.length > 0
		? `${named.slice(0, 3).join(', ')}${named.length > 3 ? ', …' : ''} and ${range}`
		: range;
}

/** Lines of `npm start`'s closing summary about the demo data. */
export function demoLines(
	demo: DemoData,
	{ seedLoaded, stateUrl, stateFile }: { seedLoaded: boolean; stateUrl: string; stateFile: string },
): string[] {
	const origin = seedLoaded
		? '(demo seed, loaded now)'
		: `(kept from earlier runs in ${stateFile}, not the fresh demo seed)`;
	const lines = ['', `  Demo data in the sandbox ${origin}, for a new Altcraft Promo node:`];
	if (demo.program) {
		const { id, name, freeCodes, codes } = demo.program;
		lines.push(`    Loyalty Program ID: ${id}  (${name}; ${freeCodes} of ${codes} codes free)`);
		if (freeCodes === 0) {
			lines.push(
				'    No free codes left: the shop example will answer "no free code". `npm start -- --reset-sandbox` restores the demo seed.',
			);
		} else if (!seedLoaded) {
			lines.push(
				'    (codes given out in earlier runs stay given out; `npm start -- --reset-sandbox` restores the demo seed)',
			);
		}
	}
	if (demo.database)
		lines.push(`    Database:           ${demo.database.name} (ID ${demo.database.id})`);
	if (demo.emails.length > 0)
		lines.push(
			`    Customers:          ${demo.emails.length} profiles: ${describeEmails(demo.emails)}`,
		);
	lines.push(`    Sandbox state:      ${stateUrl}  (every program, code and profile as JSON)`);
	return lines;
}
