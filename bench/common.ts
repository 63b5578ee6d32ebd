/**
 * What `npm run bench` (index.ts) and `npm run bench:peer` (peer.ts) share: the fan-out job and its lower bound, the
 * hostile answers, the event-loop delay, and the tables they write into BENCHMARKS.md (whose prose is kept by hand).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { fanOutSeed } from '../sandbox/fan-out-seed';
import type { FaultSpec } from '../sandbox/server';

/** The fan-out job: 200 syncs over 20 connections × 10 lists, each sync answered after LATENCY_MS. */
export const LATENCY_MS = 100;
export const { seed, targets } = fanOutSeed(20, 10);

/** The sync node's parameters as the benchmarks set them: the IDs read from each item, and `options`. */
const fromItem = (field: string) => ({ __rl: true, mode: 'id', value: `={{ $json.${field} }}` });
export const syncParameters = (options: Record<string, number> = {}) =>
	({ connectionId: fromItem('connectionId'), listId: fromItem('listId'), options });

/** The job's lower bound under the node's rules: one sync at a time per connection, at most `maxConcurrent` at once. */
export function scheduleLowerBoundMs(maxConcurrent: number): number {
	const perConnection = new Map<string, number>();
	for (const { connectionId } of targets) perConnection.set(connectionId, (perConnection.get(connectionId) ?? 0) + 1);
	return Math.max(...perConnection.values(), Math.ceil(targets.length / maxConcurrent)) * LATENCY_MS;
}

/** What a broken or malicious server could send back, each kind to a fifth of HOSTILE_ITEMS, from the sandbox's fault queue. */
export const HOSTILE_ITEMS = 40;
const MB = 1024 ** 2;
const AS_JSON = 'application/json';
const HOSTILE: Array<[string, FaultSpec]> = [
	// The answer that once blocked for seconds: an error page the error mapping searched quadratically.
	["a 500 of 400 KB of '<'", { status: 500, rawBody: '<'.repeat(400_000) }],
	['a 200 of 2 MB sent as JSON that is not JSON', { status: 200, repeatBody: { text: 'not json', times: MB / 4 }, contentType: AS_JSON }],
	['a 401 whose JSON body is 1 MB', { status: 401, body: { message: 'Unauthorized', detail: 'x'.repeat(1_000_000) } }],
	['a 200 of JSON arrays nested 100,000 deep', { status: 200, rawBody: '['.repeat(100_000) + ']'.repeat(100_000), contentType: AS_JSON }],
	['a 404 with a 5 MB HTML page', { status: 404, repeatBody: { text: '<p>Not found</p>', times: (5 * MB) / 16 } }],
];
export const hostileFaults = (): FaultSpec[] => HOSTILE.map(([, fault]) => ({ ...fault, count: HOSTILE_ITEMS / HOSTILE.length }));
export const HOSTILE_ANSWERS = HOSTILE.map(([label]) => `- ${label}`).join('\n');

/** The delay histogram's timer fires every millisecond, so a block of B ms reads as a delay of B ± 1 ms. */
export const RESOLUTION_MS = 1;
/** The goal: no answer blocks the event loop for more than about this long. */
export const LOOP_GOAL_MS = 50;

/** The histogram holds nanoseconds between ticks of its timer; the delay is what exceeds the resolution. */
export function loopDelay(maxNs: number, p99Ns: number) {
	const ms = (ns: number) => Math.max(0, ns / 1e6 - RESOLUTION_MS);
	return { maxMs: ms(maxNs), p99Ms: ms(p99Ns) };
}

export type LoopDelay = ReturnType<typeof loopDelay>;
export const LOOP_TABLE_HEAD = ['run', 'longest block', 'p99 delay', 'time', 'items failed / succeeded'];

export function loopRow(run: string, delay: LoopDelay | undefined, time: string, failed: number, items: number): string[] {
	const delays = delay ? [`${delay.maxMs.toFixed(0)} ms`, `${delay.p99Ms.toFixed(1)} ms`] : ['-', '-'];
	return [run, ...delays, time, `${failed} / ${items - failed}`];
}

export const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
export const seconds = (ms: number | undefined): string => (ms === undefined ? '-' : `${(ms / 1000).toFixed(2)} s`);

export function markdownTable(rows: string[][]): string {
	const [head, ...body] = rows;
	const line = (row: string[]) => `| ${row.join(' | ')} |`;
	return [line(head), `|${head.map(() => '---').join('|')}|`, ...body.map(line)].join('\n');
}

/** "Measured 2026-12-02 on 2 × AMD EPYC, 24 GiB, Linux 6.x; `what`." */
export function measuredOn(what: string): string {
	const memory = `${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB`;
	const machine = `${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, ${memory}, ${os.type()} ${os.release()}`;
	return `Measured ${new Date().toISOString().slice(0, 10)} on ${machine}; ${what}.`;
}

/** Replaces each named block of BENCHMARKS.md (between `<!-- name:start -->` and `<!-- name:end -->`), keeping the prose around it. */
export function writeBlocks(blocks: Record<string, string>): void {
	const file = path.resolve(__dirname, '../BENCHMARKS.md');
	let text = readFileSync(file, 'utf8');
	for (const [name, body] of Object.entries(blocks)) {
		const block = new RegExp(`(<!-- ${name}:start -->\n)[^]*?(\n<!-- ${name}:end -->)`);
		if (!block.test(text)) throw new Error(`BENCHMARKS.md has no block <!-- ${name}:start --> … <!-- ${name}:end -->`);
		text = text.replace(block, (_, start: string, end: string) => `${start}${body.trim()}${end}`);
	}
	writeFileSync(file, text);
}
