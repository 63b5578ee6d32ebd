import fc from 'fast-check';

import { runScheduled, type ScheduleLimits, type ScheduledTask } from '../nodes/VaultPlusSync/helpers/scheduler';

const runScheduledList = async <T>(tasks: Array<ScheduledTask<T>>, limits: ScheduleLimits) =>
	await runScheduled(tasks.length, (index) => tasks[index], limits);

interface Trace {
	starts: number[];
	running: Set<number>;
	maxRunning: number;
	maxPerGroup: Map<string, number>;
	resourceOverlaps: number;
}

/** Tasks that finish after a given number of microtask turns, recording what ran alongside what. */
function tracedTasks(specs: Array<{ group: string; resource: string; turns: number; fails?: boolean }>, trace: Trace) {
	const runningByGroup = new Map<string, number>();
	const runningResources = new Set<string>();
	return specs.map(
		(spec, index): ScheduledTask<number> => ({
			group: spec.group,
			resource: `${spec.group}/${spec.resource}`,
			run: async () => {
				trace.starts.push(index);
				trace.running.add(index);
				trace.maxRunning = Math.max(trace.maxRunning, trace.running.size);
				const inGroup = (runningByGroup.get(spec.group) ?? 0) + 1;
				runningByGroup.set(spec.group, inGroup);
				trace.maxPerGroup.set(spec.group, Math.max(trace.maxPerGroup.get(spec.group) ?? 0, inGroup));
				const key = `${spec.group}/${spec.resource}`;
				if (runningResources.has(key)) trace.resourceOverlaps++;
				runningResources.add(key);
				for (let turn = 0; turn < spec.turns; turn++) await Promise.resolve();
				trace.running.delete(index);
				runningByGroup.set(spec.group, (runningByGroup.get(spec.group) ?? 1) - 1);
				runningResources.delete(key);
				if (spec.fails) throw new Error(`task ${index} failed`);
				return index;
			},
		}),
	);
}

const turns = async (count: number) => {
	for (let turn = 0; turn < count; turn++) await Promise.resolve();
};

const newTrace = (): Trace => ({ starts: [], running: new Set(), maxRunning: 0, maxPerGroup: new Map(), resourceOverlaps: 0 });

describe('the sync scheduler', () => {
	it('runs different groups at once, up to the limit, and each group one task at a time in input order', async () => {
		const trace = newTrace();
		const specs = ['a', 'a', 'b', 'c', 'b', 'a', 'd', 'c'].map((group, index) => ({ group, resource: String(index), turns: 3 }));
		const results = await runScheduledList(tracedTasks(specs, trace), { maxConcurrent: 3, maxPerGroup: 1 });

		expect(results.map((result) => (result?.status === 'fulfilled' ? result.value : undefined))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
		expect(trace.maxRunning).toBe(3);
		expect(Math.max(...trace.maxPerGroup.values())).toBe(1);
		expect(trace.starts.slice(0, 3)).toEqual([0, 2, 3]);
	});

	it('never runs two tasks of one resource at once, even when a group may run several', async () => {
		const trace = newTrace();
		const specs = [0, 1, 2, 3, 4, 5].map((index) => ({ group: 'a', resource: index % 2 === 0 ? 'x' : 'y', turns: 2 }));
		await runScheduledList(tracedTasks(specs, trace), { maxConcurrent: 10, maxPerGroup: 4 });

		expect(trace.resourceOverlaps).toBe(0);
		expect(trace.maxPerGroup.get('a')).toBe(2);
		expect(trace.starts).toEqual([0, 1, 2, 3, 4, 5]);
	});

	it('starts nothing more after a failure when told to stop on failure', async () => {
		const trace = newTrace();
		const specs = [
			{ group: 'a', resource: '1', turns: 1, fails: true },
			{ group: 'a', resource: '2', turns: 1 },
			{ group: 'b', resource: '3', turns: 5 },
			{ group: 'b', resource: '4', turns: 1 },
		];
		const results = await runScheduledList(tracedTasks(specs, trace), { maxConcurrent: 10, maxPerGroup: 1, stopOnFailure: true });

		expect(results[0]?.status).toBe('rejected');
		expect(results[2]?.status).toBe('fulfilled');
		expect(results[1]).toBeUndefined();
		expect(results[3]).toBeUndefined();
	});

	it('while tasks run, starts the next one only when betweenStarts resolves; with none running, at once', async () => {
		const trace = newTrace();
		const opens: Array<() => void> = [];
		const betweenStarts = async () => await new Promise<void>((resolve) => opens.push(resolve));
		const specs = ['a', 'b', 'c'].map((group) => ({ group, resource: '1', turns: 50 }));
		const run = runScheduledList(tracedTasks(specs, trace), { maxConcurrent: 3, maxPerGroup: 1, betweenStarts });

		await turns(10);
		expect(trace.starts).toEqual([0]);
		opens.shift()!();
		await turns(10);
		expect(trace.starts).toEqual([0, 1]);
		opens.shift()!();
		await turns(10);
		expect(trace.starts).toEqual([0, 1, 2]);
		await run;

		// One group runs one task at a time: each start finds nothing running and does not wait.
		const serial = newTrace();
		const never = async () => await new Promise<void>(() => {});
		const results = await runScheduledList(tracedTasks(['a', 'a', 'a'].map((group, index) => ({ group, resource: String(index), turns: 2 })), serial), { maxConcurrent: 3, maxPerGroup: 1, betweenStarts: never });
		expect(results.map((result) => result?.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
	}, 2000);

	it('does not stall when betweenStarts fails', async () => {
		const specs = ['a', 'b', 'c'].map((group) => ({ group, resource: '1', turns: 3 }));
		const results = await runScheduledList(tracedTasks(specs, newTrace()), {
			maxConcurrent: 3,
			maxPerGroup: 1,
			betweenStarts: async () => await Promise.reject(new Error('no turn')),
		});
		expect(results.map((result) => result?.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
	}, 2000);

	it('keeps its rules for any mix of groups, resources, durations, limits and pauses (200 seeded cases)', async () => {
		const spec = fc.record({ group: fc.constantFrom('a', 'b', 'c', 'd', 'e'), resource: fc.constantFrom('1', '2', '3'), turns: fc.integer({ min: 0, max: 6 }) });
		const pauses = fc.record({ betweenStarts: fc.option(fc.integer({ min: 0, max: 4 })), yieldTurns: fc.option(fc.integer({ min: 0, max: 4 })), describeBatch: fc.integer({ min: 1, max: 8 }) });
		await fc.assert(
			fc.asyncProperty(fc.array(spec, { maxLength: 40 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 3 }), pauses, async (specs, maxConcurrent, maxPerGroup, pause) => {
				const trace = newTrace();
				const results = await runScheduledList(tracedTasks(specs, trace), {
					maxConcurrent,
					maxPerGroup,
					describeBatch: pause.describeBatch,
					...(pause.betweenStarts === null ? {} : { betweenStarts: async () => await turns(pause.betweenStarts!) }),
					...(pause.yieldTurns === null ? {} : { yieldToEventLoop: async () => await turns(pause.yieldTurns!) }),
				});

				expect(results.map((result) => (result?.status === 'fulfilled' ? result.value : -1))).toEqual(specs.map((_, index) => index));
				expect(trace.starts.slice().sort((a, b) => a - b)).toEqual(specs.map((_, index) => index));
				expect(trace.maxRunning).toBeLessThanOrEqual(maxConcurrent);
				for (const most of trace.maxPerGroup.values()) expect(most).toBeLessThanOrEqual(maxPerGroup);
				expect(trace.resourceOverlaps).toBe(0);
				for (const group of new Set(specs.map((entry) => entry.group))) {
					const order = trace.starts.filter((index) => specs[index].group === group);
					expect(order).toEqual(order.slice().sort((a, b) => a - b));
				}
			}),
			{ seed: 5, numRuns: 200 },
		);
	});
});
