/**
 * `npm run bench`: speed and memory of the Vault+ Sync node in n8n-core's engine against the sandbox (in a process of its
 * own), as ratios to baselines and lower bounds measured in this process. Prints the tables and writes them to BENCHMARKS.md.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

import { consoleTable } from '../scripts/demo/story';
import { nodeHelpers, runSync } from '../scripts/n8n-engine';
import { startSandboxProcess } from '../scripts/sandbox-process';
import { SandboxClient, TEST_API_KEY } from '../sandbox/client';
import * as common from './common';

const FAN_OUT = '2a. fan-out, 200 syncs / 20 connections, 100 ms, defaults';
/** The per-connection token bucket of benchmark 3. */
const BUCKET = { capacity: 3, refillPerSecond: 5 };
const { capacity, refillPerSecond } = BUCKET;
const BUCKETED = `3. fan-out under a token bucket (burst ${capacity}, ${refillPerSecond}/s per connection), Max Concurrent 20`;

/** The median time of `runs` runs of `run`, each after `before`, and what the last run returned. */
async function timed<T>(run: () => Promise<T>, runs = 1, before = async () => {}): Promise<[number, T]> {
	const samples: number[] = [];
	let last: T | undefined;
	for (let at = 0; at < runs; at++) {
		await before();
		const started = performance.now();
		last = await run();
		samples.push(performance.now() - started);
	}
	return [common.median(samples), last as T];
}

async function withLoopDelay<T>(run: () => Promise<T>): Promise<[T, common.LoopDelay]> {
	const histogram = monitorEventLoopDelay({ resolution: common.RESOLUTION_MS });
	histogram.enable();
	const result = await run();
	histogram.disable();
	return [result, common.loopDelay(histogram.max, histogram.percentile(99))];
}

/** The node over `items` with continue-on-fail (regular output): its output, and how many of its items failed. */
async function syncAll(sandbox: SandboxClient, items: typeof common.targets, options: Record<string, number> = {}) {
	const parameters = common.syncParameters(options);
	const { output } = await runSync({ credentials: sandbox.credentials(), items, parameters, onError: 'continueRegularOutput' });
	if (output.length !== items.length) throw new Error(`${output.length} items came out of ${items.length}`);
	return { output, failed: output.filter((item) => typeof item.json.error === 'string').length };
}

/** The node against n8n's httpRequest helper in a bare loop, 1,000 syncs at zero latency after a warm-up of each. */
async function overhead(sandbox: SandboxClient) {
	const items = Array.from({ length: 1000 }, (_, index) => common.targets[index % 10]);
	const helpers = await nodeHelpers(sandbox.credentials());
	const bareLoop = async () => {
		for (const { listId, connectionId } of items) {
			const url = `${sandbox.url}/v2/vault-plus/lists/${listId}/sync`;
			const headers = { apiKey: TEST_API_KEY, 'x-connection-id': connectionId };
			await helpers.httpRequest({ method: 'PUT', url, headers, json: true });
		}
	};
	await bareLoop();
	await syncAll(sandbox, items);
	const [baseline] = await timed(bareLoop, 3);
	const [node] = await timed(async () => await syncAll(sandbox, items), 3);
	return { baseline, node };
}

/** A connection's `syncs` one after another, each taking a token from BUCKET (full at first): when the last can end. */
function bucketLowerBoundMs(syncs: number): number {
	let tokens = capacity;
	let clock = 0;
	for (let sync = 0; sync < syncs; sync++) {
		const wait = tokens >= 1 ? 0 : ((1 - tokens) / refillPerSecond) * 1000;
		tokens += (wait / 1000) * refillPerSecond - 1;
		clock += wait + common.LATENCY_MS;
		tokens = Math.min(capacity, tokens + (common.LATENCY_MS / 1000) * refillPerSecond);
	}
	return clock;
}

/** The fan-out job at `maxConcurrent`: the median of 3 runs, or one run under a per-connection token `bucket`. */
async function fanOut(sandbox: SandboxClient, maxConcurrent: number, bucket?: typeof BUCKET) {
	const reset = async () => {
		await sandbox.reset();
		await sandbox.setLatency({ syncMs: common.LATENCY_MS });
		if (bucket) await sandbox.setRateLimit({ ...bucket, retryAfter: true });
	};
	const options: Record<string, number> = bucket ? { maxConcurrent, maxRetries: 10 } : { maxConcurrent };
	const [wall, { failed }] = await timed(async () => await syncAll(sandbox, common.targets, options), bucket ? 1 : 3, reset);
	const rejected = bucket ? (await sandbox.requests()).filter((request) => request.status === 429).length : 0;
	const bound = Math.max(common.scheduleLowerBoundMs(maxConcurrent), bucket ? bucketLowerBoundMs(10) : 0);
	return { wall, bound, failed, rejected, stats: await sandbox.stats() };
}

/** The heap while the node syncs 10,000 items, and after, with the results held: the memory row of the table. */
async function memory(sandbox: SandboxClient) {
	await sandbox.reset();
	const items = Array.from({ length: 10_000 }, (_, index) => common.targets[index % common.targets.length]);
	const collect = (globalThis as { gc?: () => void }).gc ?? (() => {});
	collect();
	const before = process.memoryUsage().heapUsed;
	let peak = before;
	const sample = () => (peak = Math.max(peak, process.memoryUsage().heapUsed));
	const sampler = setInterval(sample, 5);
	const { output } = await syncAll(sandbox, items);
	clearInterval(sampler);
	sample();
	collect();
	// What stays while the results are held, as n8n holds them for the next node.
	const retained = process.memoryUsage().heapUsed - before;
	const mb = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(1)} MB`;
	const measured = `retained +${mb(retained)}, peak +${mb(peak - before)}`;
	const json = JSON.stringify(output).length;
	const notes = `retained: heap growth after GC with the ${output.length} results held`;
	return ['4. memory, 10,000 items, 0 ms latency', measured, `output JSON ${mb(json)}`, (retained / json).toFixed(1), notes];
}

/** Every request answered by a hostile answer, each item failing on its own (no retries). */
async function hostile(sandbox: SandboxClient) {
	await sandbox.reset();
	for (const fault of common.hostileFaults()) await sandbox.injectFault(fault);
	const items = common.targets.slice(0, common.HOSTILE_ITEMS);
	const run = async () => await syncAll(sandbox, items, { maxRetries: 0 });
	const [[wall, { failed }], loop] = await withLoopDelay(async () => await timed(run));
	return { wall, loop, failed };
}

/** A row of the table: the benchmark, its time, the baseline or bound it is held against, their ratio, notes. */
function row(benchmark: string, ms: number, base: number, baseName: string, notes: string, digits = 2): string[] {
	return [benchmark, common.seconds(ms), `${common.seconds(base)} (${baseName})`, (ms / base).toFixed(digits), notes];
}

function fanOutRow(benchmark: string, { wall, bound, failed, stats }: Awaited<ReturnType<typeof fanOut>>): string[] {
	const { maxInFlight, sameConnectionOverlaps } = stats;
	const notes = `median of 3; failed ${failed}; max in flight ${maxInFlight}; same-connection overlaps ${sameConnectionOverlaps}`;
	return row(benchmark, wall, bound, 'lower bound', notes, 3);
}

async function main() {
	const server = await startSandboxProcess({ seed: common.seed });
	const sandbox = new SandboxClient().attach(server.url, async () => await server.stop());
	try {
		console.log('1/5 overhead: 1,000 syncs at zero latency…');
		const cost = await overhead(sandbox);
		console.log('2/5 fan-out: 200 syncs over 20 connections at 100 ms…');
		const [fan10, fan10Loop] = await withLoopDelay(async () => await fanOut(sandbox, 10));
		const fan20 = await fanOut(sandbox, 20);
		console.log('3/5 the same under a per-connection token bucket…');
		const limited = await fanOut(sandbox, 20, BUCKET);
		console.log('4/5 memory: 10,000 items…');
		const memoryRow = await memory(sandbox);
		console.log('5/5 the event loop under hostile answers…');
		const bad = await hostile(sandbox);

		const bucketNotes = `failed items ${limited.failed}; 429 answers ${limited.rejected}`;
		const rows = [
			['benchmark', 'measured', 'baseline or bound', 'ratio', 'notes'],
			row('1. overhead, 1,000 syncs, 0 ms latency', cost.node, cost.baseline, 'n8n httpRequest in a bare loop', 'median of 3'),
			fanOutRow(FAN_OUT, fan10),
			fanOutRow('2b. the same, Max Concurrent Requests 20', fan20),
			row(BUCKETED, limited.wall, limited.bound, "bucket's lower bound", bucketNotes),
			memoryRow,
		];
		const hostileRun = `5. hostile answers, ${common.HOSTILE_ITEMS} items, Max Retries 0`;
		const loopRows = [
			common.LOOP_TABLE_HEAD,
			common.loopRow(FAN_OUT, fan10Loop, `${common.seconds(fan10.wall)} (median of 3)`, fan10.failed, common.targets.length),
			common.loopRow(hostileRun, bad.loop, common.seconds(bad.wall), bad.failed, common.HOSTILE_ITEMS),
		];
		const versions = ['n8n-core', 'n8n-workflow'].map((name) => `${name} ${require(`${name}/package.json`).version}`).join(', ');
		common.writeBlocks({
			bench: `${common.measuredOn(`Node ${process.versions.node}, ${versions}`)}\n\n${common.markdownTable(rows)}`,
			'bench-loop': `${common.markdownTable(loopRows)}\n\n${common.HOSTILE_ANSWERS}`,
		});
		console.log(`\n${consoleTable(rows)}\n\n${consoleTable(loopRows)}\n\nwritten to BENCHMARKS.md`);
		const fanOutRatio = Math.max(fan10.wall / fan10.bound, fan20.wall / fan20.bound);
		if (fanOutRatio > 1.15 || limited.failed > 0 || bad.loop.maxMs > common.LOOP_GOAL_MS) {
			console.log(`a goal was missed (fan-out ratio ≤ 1.15, no failed items under the bucket, no block over ${common.LOOP_GOAL_MS} ms)`);
		}
	} finally {
		await sandbox.close();
	}
}

// Exits when done, as n8n leaves handles open; a failure ends the process as an unhandled rejection (exit code 1).
void main().then(() => process.exit(0));
