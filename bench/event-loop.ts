/**
 * How long the event loop stood still while the node ran: Node's delay histogram
 * (`perf_hooks.monitorEventLoopDelay`), read as the longest delay (the longest block) and the 99th
 * percentile. `npm run bench` watches its own process; `npm run bench:peer` preloads
 * ./event-loop-preload.cjs into `n8n execute` and reads back what it wrote.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** The histogram's timer fires every millisecond, so a block of B ms reads as a delay of B ± 1 ms. */
export const RESOLUTION_MS = 1;

export interface LoopDelay {
	maxMs: number;
	p99Ms: number;
}

/** The histogram holds nanoseconds between ticks of its timer; the delay is what exceeds the resolution. */
function fromNanoseconds(maxNs: number, p99Ns: number): LoopDelay {
	const ms = (ns: number) => Math.max(0, ns / 1e6 - RESOLUTION_MS);
	return { maxMs: ms(maxNs), p99Ms: ms(p99Ns) };
}

/** Runs `run` with the histogram on, in this process. */
export async function withLoopDelay<T>(run: () => Promise<T>): Promise<[T, LoopDelay]> {
	const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
	histogram.enable();
	try {
		return [await run(), fromNanoseconds(histogram.max, histogram.percentile(99))];
	} finally {
		histogram.disable();
	}
}

/**
 * Environment for an n8n command that measures inside its process: from its first outgoing request
 * (or from the answer to a request for `startPath`) until the answer to a request for `endPath` (the
 * workflow's last node asks for it), written to `file`; with `profileDir`, also a V8 CPU profile of the
 * process (node --cpu-prof) there.
 */
export function preloadEnv(file: string, endPath: string, startPath?: string, profileDir?: string): Record<string, string> {
	const preload = path.join(__dirname, 'event-loop-preload.cjs');
	const profile = profileDir ? ` --cpu-prof --cpu-prof-dir="${path.resolve(profileDir)}"` : '';
	return {
		NODE_OPTIONS: `--require "${preload}"${profile}`,
		BENCH_EVENT_LOOP: JSON.stringify({ file, endPath, startPath, resolutionMs: RESOLUTION_MS }),
	};
}

/** What the preload saw in its window: the event loop, the CPU time, and the window on the profiler's clock. */
export interface Watched {
	loop: LoopDelay;
	cpuMs: number;
	window: { startUs: number; endUs: number };
}

/** What the preload wrote, or undefined when the run never reached `endPath`. */
export function readPreloaded(file: string): Watched | undefined {
	try {
		const seen = JSON.parse(readFileSync(file, 'utf8')) as { maxNs: number; p99Ns: number; cpuUs: number; startUs: number; endUs: number };
		return { loop: fromNanoseconds(seen.maxNs, seen.p99Ns), cpuMs: seen.cpuUs / 1000, window: { startUs: seen.startUs, endUs: seen.endUs } };
	} catch {
		return undefined;
	}
}

/** The goal: no answer blocks the event loop for more than about this long. */
export const LOOP_GOAL_MS = 50;

export const LOOP_TABLE_HEAD = ['run', 'longest block', 'p99 delay', 'time', 'items failed / succeeded'];

export function loopRow(run: string, delay: LoopDelay | undefined, time: string, failed: number, items: number): string[] {
	const delays = delay ? [`${delay.maxMs.toFixed(0)} ms`, `${delay.p99Ms.toFixed(1)} ms`] : ['-', '-'];
	return [run, ...delays, time, `${failed} / ${items - failed}`];
}

export const READING_LOOP_DELAY = `"Longest block" is how late the event loop's ${RESOLUTION_MS} ms timer fired at worst (the maximum of
\`perf_hooks.monitorEventLoopDelay\`, less its resolution): the longest time in which the process could
do nothing else (answer a webhook, run another execution), to within ${RESOLUTION_MS} ms. "p99 delay" is the
99th percentile of that lateness over every tick of the run. The goal is no block over about ${LOOP_GOAL_MS} ms.
A busy machine adds its own lateness (the process waits for a core): measure on an idle one.`;
