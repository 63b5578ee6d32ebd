/** One task of a schedule: what it acts on, and how to run it. */
export interface ScheduledTask<T> {
	group: string;
	resource: string;
	run: () => Promise<T>;
}

export interface ScheduleLimits {
	maxConcurrent: number;
	maxPerGroup: number;
	/** Once a task fails (or cannot be described), start nothing more; running ones finish. */
	stopOnFailure?: boolean;
	/** Checked before each start: once it says stop, nothing new starts. */
	shouldStop?: () => boolean;
	/** Lets started requests go out while later items are described; called every `describeBatch` items. */
	yieldToEventLoop?: () => Promise<void>;
	describeBatch?: number;
	/**
	 * While other tasks run, a start waits until a call of this, made after the previous start, has
	 * resolved: one start per turn of the event loop, so that each task's request is sent before the
	 * next one is prepared.
	 */
	betweenStarts?: () => Promise<void>;
}

interface GroupQueue {
	/** Indexes of the group's described tasks, in input order; `next` is the first not yet started. */
	tasks: number[];
	next: number;
	running: number;
	busyResources: Set<string>;
	queued: boolean;
}

/** A binary min-heap of groups keyed by the input index of their next task. */
class ReadyGroups {
	private readonly heap: Array<{ key: number; group: GroupQueue }> = [];

	get size(): number {
		return this.heap.length;
	}

	push(key: number, group: GroupQueue): void {
		this.heap.push({ key, group });
		let at = this.heap.length - 1;
		while (at > 0) {
			const parent = (at - 1) >> 1;
			if (this.heap[parent].key <= key) break;
			[this.heap[parent], this.heap[at]] = [this.heap[at], this.heap[parent]];
			at = parent;
		}
	}

	pop(): GroupQueue | undefined {
		const top = this.heap[0];
		const last = this.heap.pop();
		if (this.heap.length > 0 && last) {
			this.heap[0] = last;
			let at = 0;
			for (;;) {
				const left = 2 * at + 1;
				const right = left + 1;
				let smallest = at;
				if (left < this.heap.length && this.heap[left].key < this.heap[smallest].key) smallest = left;
				if (right < this.heap.length && this.heap[right].key < this.heap[smallest].key) smallest = right;
				if (smallest === at) break;
				[this.heap[smallest], this.heap[at]] = [this.heap[at], this.heap[smallest]];
				at = smallest;
			}
		}
		return top?.group;
	}
}

/**
 * Runs one task per input item with these rules, whatever the timing of the answers:
 * - at most `maxConcurrent` tasks at once;
 * - tasks that share a `group` (a connection) start in input order, at most `maxPerGroup` at once;
 * - tasks that share a `resource` (a list of that connection) never overlap;
 * - among tasks allowed to start, the earliest in input order goes first;
 * - while tasks run, the next start waits for `betweenStarts` (one start per turn of the event loop).
 * Tasks are described lazily, in input order, so the first ones are already running while later
 * items are still being read. Results come back in input order.
 */
export async function runScheduled<T>(
	count: number,
	describe: (index: number) => ScheduledTask<T>,
	limits: ScheduleLimits,
): Promise<Array<PromiseSettledResult<T> | undefined>> {
	return await new Schedule(count, describe, limits).run();
}

/**
 * While other tasks run, a start waits for a `betweenStarts` that began after the previous start. A
 * pause that fails still counts as a turn: the run must not stall on it.
 */
class TurnGate {
	private starts = 0;
	private passedAfter = 0;
	private pending = false;

	constructor(
		private readonly betweenStarts: (() => Promise<void>) | undefined,
		private readonly onTurnPassed: () => void,
	) {}

	get closed(): boolean {
		return this.betweenStarts !== undefined && this.passedAfter < this.starts;
	}

	started(): void {
		this.starts++;
		this.awaitTurn();
	}

	private awaitTurn(): void {
		if (!this.betweenStarts || this.pending) return;
		this.pending = true;
		const after = this.starts;
		const passed = () => {
			this.pending = false;
			this.passedAfter = after;
			if (this.closed) this.awaitTurn();
			this.onTurnPassed();
		};
		void Promise.resolve().then(this.betweenStarts).then(passed, passed);
	}
}

/** The state of one `runScheduled` call, moved on by its steps: describe, offer, dispatch, finish. */
class Schedule<T> {
	private readonly results: Array<PromiseSettledResult<T> | undefined>;
	private readonly tasks: Array<ScheduledTask<T> | undefined>;
	private readonly groups = new Map<string, GroupQueue>();
	private readonly ready = new ReadyGroups();
	private readonly maxConcurrent: number;
	private readonly maxPerGroup: number;
	private readonly batch: number;
	private readonly gate: TurnGate;
	private readonly allSettled: Promise<void>;
	private settle = () => {};
	private running = 0;
	private described = 0;
	private failed = false;

	constructor(
		private readonly count: number,
		private readonly describe: (index: number) => ScheduledTask<T>,
		private readonly limits: ScheduleLimits,
	) {
		this.results = new Array(count);
		this.tasks = new Array(count);
		this.maxConcurrent = Math.max(1, Math.floor(limits.maxConcurrent));
		this.maxPerGroup = Math.max(1, Math.floor(limits.maxPerGroup));
		this.batch = Math.max(1, Math.floor(limits.describeBatch ?? count));
		this.allSettled = new Promise<void>((resolve) => {
			this.settle = resolve;
		});
		this.gate = new TurnGate(limits.betweenStarts, () => {
			this.dispatch();
			this.finishIfDone();
		});
	}

	/** Describes the tasks in input order, starting what may start as it goes, then waits for all. */
	async run(): Promise<Array<PromiseSettledResult<T> | undefined>> {
		let startedSinceYield = false;
		while (this.described < this.count && !this.stopped()) {
			this.describeNext();
			if (this.dispatch() > 0) startedSinceYield = true;
			// Pause only when the event loop has something to do: send what started, or start what waits
			// for its turn. Otherwise keep reading.
			const waitingToStart = this.ready.size > 0 && this.running < this.maxConcurrent;
			const atBatchEnd = this.described % this.batch === 0 && this.described < this.count;
			if ((startedSinceYield || waitingToStart) && atBatchEnd) {
				startedSinceYield = false;
				await this.limits.yieldToEventLoop?.();
			}
		}
		this.dispatch();
		this.finishIfDone();
		await this.allSettled;
		return this.results;
	}

	private stopped(): boolean {
		return (this.limits.stopOnFailure === true && this.failed) || this.limits.shouldStop?.() === true;
	}

	private describeNext(): void {
		const index = this.described++;
		try {
			const task = this.describe(index);
			this.tasks[index] = task;
			let group = this.groups.get(task.group);
			if (!group) {
				group = { tasks: [], next: 0, running: 0, busyResources: new Set(), queued: false };
				this.groups.set(task.group, group);
			}
			group.tasks.push(index);
			this.offer(group);
		} catch (reason) {
			this.results[index] = { status: 'rejected', reason };
			this.failed = true;
		}
	}

	/** Queues the group for a start if its next task may start now. */
	private offer(group: GroupQueue): void {
		if (group.queued || group.next >= group.tasks.length || group.running >= this.maxPerGroup) return;
		const head = group.tasks[group.next];
		if (group.busyResources.has(this.tasks[head]!.resource)) return;
		group.queued = true;
		this.ready.push(head, group);
	}

	/** Starts what the rules allow; returns how many tasks it started. */
	private dispatch(): number {
		let started = 0;
		while (this.running < this.maxConcurrent && this.ready.size > 0 && !this.stopped()) {
			if (this.running > 0 && this.gate.closed) break;
			this.start(this.ready.pop()!);
			started++;
		}
		return started;
	}

	private start(group: GroupQueue): void {
		group.queued = false;
		const index = group.tasks[group.next++];
		const { resource, run } = this.tasks[index]!;
		group.running++;
		group.busyResources.add(resource);
		this.running++;
		this.offer(group);
		this.gate.started();
		void Promise.resolve()
			.then(run)
			.then(
				(value) => {
					this.results[index] = { status: 'fulfilled', value };
				},
				(reason: unknown) => {
					this.results[index] = { status: 'rejected', reason };
					this.failed = true;
				},
			)
			.then(() => this.finish(group, resource));
	}

	private finish(group: GroupQueue, resource: string): void {
		group.running--;
		group.busyResources.delete(resource);
		this.running--;
		this.offer(group);
		this.dispatch();
		this.finishIfDone();
	}

	private finishIfDone(): void {
		const stopped = this.stopped();
		const nothingLeft = this.described === this.count && this.ready.size === 0;
		if (this.running === 0 && (nothingLeft || stopped)) this.settle();
	}
}
