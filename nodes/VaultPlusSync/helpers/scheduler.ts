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

export async function runScheduled<T>(
	count: number,
	describe: (index: number) => ScheduledTask<T>,
	limits: ScheduleLimits,
): Promise<Array<PromiseSettledResult<T> | undefined>> {
	const results: Array<PromiseSettledResult<T> | undefined> = new Array(count);
	const tasks: Array<ScheduledTask<T> | undefined> = new Array(count);
	const groups = new Map<string, GroupQueue>();
	const maxConcurrent = Math.max(1, Math.floor(limits.maxConcurrent));
	const maxPerGroup = Math.max(1, Math.floor(limits.maxPerGroup));
	const batch = Math.max(1, Math.floor(limits.describeBatch ?? count));
	const ready = new ReadyGroups();
	let running = 0;
	let described = 0;
	let failed = false;
	const stopped = () => (limits.stopOnFailure === true && failed) || limits.shouldStop?.() === true;

	const headResource = (group: GroupQueue) => tasks[group.tasks[group.next]]!.resource;
	const canStart = (group: GroupQueue): boolean =>
		group.next < group.tasks.length && group.running < maxPerGroup && !group.busyResources.has(headResource(group));
	const offer = (group: GroupQueue) => {
		if (!group.queued && canStart(group)) {
			group.queued = true;
			ready.push(group.tasks[group.next], group);
		}
	};

	let settle = () => {};
	const allSettled = new Promise<void>((resolve) => {
		settle = resolve;
	});
	const finishIfDone = () => {
		if (running === 0 && (described === count || stopped()) && (ready.size === 0 || stopped())) settle();
	};

	// While other tasks run, a start waits for a `betweenStarts` that began after the previous start.
	let starts = 0;
	let turnPassedAfter = 0;
	let turnPending = false;
	const gateClosed = () => limits.betweenStarts !== undefined && turnPassedAfter < starts;
	const awaitTurn = () => {
		if (!limits.betweenStarts || turnPending) return;
		turnPending = true;
		const after = starts;
		const passed = () => {
			turnPending = false;
			turnPassedAfter = after;
			if (gateClosed()) awaitTurn();
			dispatch();
			finishIfDone();
		};
		// A pause that fails still counts as a turn: the run must not stall on it.
		void Promise.resolve().then(limits.betweenStarts).then(passed, passed);
	};

	/** Starts what the rules allow; returns how many tasks it started. */
	const dispatch = (): number => {
		let started = 0;
		while (running < maxConcurrent && ready.size > 0 && !stopped()) {
			if (running > 0 && gateClosed()) break;
			started++;
			const group = ready.pop()!;
			group.queued = false;
			const index = group.tasks[group.next++];
			const { resource, run } = tasks[index]!;
			group.running++;
			group.busyResources.add(resource);
			running++;
			offer(group);
			starts++;
			awaitTurn();
			void Promise.resolve()
				.then(run)
				.then(
					(value) => {
						results[index] = { status: 'fulfilled', value };
					},
					(reason: unknown) => {
						results[index] = { status: 'rejected', reason };
						failed = true;
					},
				)
				.then(() => {
					group.running--;
					group.busyResources.delete(resource);
					running--;
					offer(group);
					dispatch();
					finishIfDone();
				});
		}
		return started;
	};

	let startedSinceYield = false;
	while (described < count && !stopped()) {
		const index = described++;
		try {
			const task = describe(index);
			tasks[index] = task;
			let group = groups.get(task.group);
			if (!group) {
				group = { tasks: [], next: 0, running: 0, busyResources: new Set(), queued: false };
				groups.set(task.group, group);
			}
			group.tasks.push(index);
			offer(group);
		} catch (reason) {
			results[index] = { status: 'rejected', reason };
			failed = true;
		}
		if (dispatch() > 0) startedSinceYield = true;
		// Pause only when the event loop has something to do: send what started, or start what waits
		// for its turn. Otherwise keep reading.
		const waitingToStart = ready.size > 0 && running < maxConcurrent;
		if ((startedSinceYield || waitingToStart) && described % batch === 0 && described < count) {
			startedSinceYield = false;
			await limits.yieldToEventLoop?.();
		}
	}
	dispatch();
	finishIfDone();
	await allSettled;
	return results;
}
