import { runItemPool } from '../../nodes/AltcraftPromo/actions/itemPool';
import { ExecutionCancelledError } from '../../nodes/AltcraftPromo/transport';

const tick = async (ms = 5) => await new Promise((resolve) => setTimeout(resolve, ms));

describe('runItemPool', () => {
	it('never runs more than Concurrency items at once, and runs each once', async () => {
		let running = 0;
		let peak = 0;
		const seen: number[] = [];
		await runItemPool(20, { concurrency: 3, batching: undefined }, async (index) => {
			running++;
			peak = Math.max(peak, running);
			seen.push(index);
			await tick();
			running--;
		});
		expect(peak).toBe(3);
		expect([...seen].sort((a, b) => a - b)).toEqual(
			Array.from({ length: 20 }, (_, index) => index),
		);
	});

	it('after a failure starts no new item and throws the error of the lowest failing index', async () => {
		const started: number[] = [];
		const run = runItemPool(10, { concurrency: 2, batching: undefined }, async (index) => {
			started.push(index);
			await tick(index === 1 ? 1 : 10);
			if (index === 1 || index === 0) throw new Error(`item ${index}`);
		});
		await expect(run).rejects.toThrow('item 0');
		expect(started).toEqual([0, 1]);
	});

	it('pauses between batches', async () => {
		const startedAt: number[] = [];
		const begin = Date.now();
		await runItemPool(4, { concurrency: 5, batching: { size: 2, intervalMs: 100 } }, async () => {
			startedAt.push(Date.now() - begin);
		});
		expect(startedAt[1]).toBeLessThan(50);
		expect(startedAt[2]).toBeGreaterThanOrEqual(95);
	});

	it('a stop ends a batch pause at once and starts nothing more', async () => {
		const controller = new AbortController();
		const started: number[] = [];
		const begin = Date.now();
		setTimeout(() => controller.abort(), 30);
		await expect(
			runItemPool(
				6,
				{ concurrency: 2, batching: { size: 2, intervalMs: 5_000 }, signal: controller.signal },
				async (index) => {
					started.push(index);
				},
			),
		).rejects.toBeInstanceOf(ExecutionCancelledError);
		expect(Date.now() - begin).toBeLessThan(1_000);
		expect(started).toEqual([0, 1]);
	});

	it('a stop while items run lets those finish and starts no other', async () => {
		const controller = new AbortController();
		const started: number[] = [];
		const run = runItemPool(
			10,
			{ concurrency: 2, batching: undefined, signal: controller.signal },
			async (index) => {
				started.push(index);
				await tick(20);
			},
		);
		setTimeout(() => controller.abort(), 5);
		await expect(run).rejects.toBeInstanceOf(ExecutionCancelledError);
		expect(started).toEqual([0, 1]);
	});
});
