/**
 * The "keep a program stocked" example (examples/keep-program-stocked.json) run twice with the n8n
 * CLI: the first run finds program 1 low and generates codes up to 200 free ones, the second finds
 * enough and imports nothing. Checked on the nodes' output and on the sandbox's state.
 */
import assert from 'node:assert/strict';
import type { Sandbox } from '../../../sandbox/src';
import { nodeOutput, type N8nRun } from '../../../scripts/lib/n8n';
import type { Check } from './shop';

export const STOCK = { id: 'altcraft-keep-stocked', loyaltyId: 1, refillTo: 200 } as const;

/** Codes nobody holds, not activated and not expired: what Get Stats counts as free. */
function freeCodes(sandbox: Sandbox): string[] {
	const program = sandbox.getState().loyaltyPrograms.find((p) => p.id === STOCK.loyaltyId);
	assert.ok(program, `sandbox has loyalty program ${STOCK.loyaltyId}`);
	const now = new Date().toISOString().slice(0, 19) + 'Z';
	return program.codes
		.filter(
			(c) =>
				c.attachments.length === 0 &&
				c.activated === null &&
				(c.expireDate === null || c.expireDate > now),
		)
		.map((c) => c.code);
}

export async function runStockChecks(
	check: Check,
	runOk: (id: string) => Promise<N8nRun>,
	sandbox: Sandbox,
): Promise<void> {
	await check(
		'example "keep the program stocked" refills a program that runs low with generated codes',
		async () => {
			const before = freeCodes(sandbox);
			assert.ok(before.length < 50, `program 1 starts below the threshold (${before.length} free)`);
			const run = await runOk(STOCK.id);
			const [stats] = nodeOutput(run, 'Get Stats');
			assert.equal(stats.free, before.length, 'Get Stats counts the free codes');
			const wanted = STOCK.refillTo - before.length;
			const [imported] = nodeOutput(run, 'Generate codes');
			assert.deepEqual(
				[imported.requested, imported.inserted, imported.failed],
				[wanted, wanted, 0],
			);
			assert.deepEqual(nodeOutput(run, 'Refilled'), [
				{
					loyalty_id: 1,
					free_before: before.length,
					imported: wanted,
					replaced_duplicates: 0,
					free_now: STOCK.refillTo,
					action: 'refilled',
				},
			]);
			const after = freeCodes(sandbox);
			assert.equal(after.length, STOCK.refillTo, 'the sandbox program has 200 free codes');
			const added = after.filter((code) => !before.includes(code));
			assert.equal(added.length, wanted);
			for (const code of added) assert.match(code, /^AUTO-[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{12}$/);
		},
	);

	await check(
		'example "keep the program stocked" a second time: enough codes, nothing imported',
		async () => {
			const run = await runOk(STOCK.id);
			assert.deepEqual(nodeOutput(run, 'Enough codes'), [
				{
					loyalty_id: 1,
					free_before: STOCK.refillTo,
					imported: 0,
					free_now: STOCK.refillTo,
					action: 'none',
				},
			]);
			assert.equal(run.data.resultData.runData['Generate codes'], undefined, 'nothing generated');
			assert.equal(freeCodes(sandbox).length, STOCK.refillTo);
		},
	);
}
