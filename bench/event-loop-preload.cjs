/**
 * Preloaded into `n8n execute` by bench/peer.ts (NODE_OPTIONS=--require, see ./event-loop.ts). It
 * watches a window of the run: from the process's first outgoing HTTP request (the node's first
 * call), or from the answer to a request for $BENCH_EVENT_LOOP.startPath when given (after a
 * warm-up), until the answer to a request for $BENCH_EVENT_LOOP.endPath (the workflow's last node).
 * In that window: Node's event-loop delay histogram and the main thread's CPU time (the process's
 * on a Node without process.threadCpuUsage); the window's bounds
 * on the clock CPU profiles use. Written as JSON to $BENCH_EVENT_LOOP.file at exit; a process that
 * never asks for endPath (n8n's task runner) writes nothing. Plain JavaScript: the n8n runtime's
 * Node has no TypeScript loader.
 */
const { subscribe } = require('node:diagnostics_channel');
const { writeFileSync } = require('node:fs');
const { monitorEventLoopDelay } = require('node:perf_hooks');

const { file, endPath, startPath, resolutionMs } = JSON.parse(process.env.BENCH_EVENT_LOOP || '{}');
if (file) {
	const histogram = monitorEventLoopDelay({ resolution: resolutionMs });
	const micros = () => Number(process.hrtime.bigint() / 1000n);
	// The main thread's CPU where Node has it (22.16+, 23.9+), so n8n's other threads do not count.
	const cpuUsage = (since) => (process.threadCpuUsage ? process.threadCpuUsage(since) : process.cpuUsage(since));
	let started;
	let measured;
	const start = () => {
		if (started || measured) return;
		histogram.enable();
		started = { cpu: cpuUsage(), atUs: micros() };
	};
	if (!startPath) subscribe('http.client.request.start', start);
	subscribe('http.client.response.finish', ({ request }) => {
		if (startPath && request.path.startsWith(startPath)) start();
		if (!started || measured || !request.path.startsWith(endPath)) return;
		histogram.disable();
		const cpu = cpuUsage(started.cpu);
		measured = {
			maxNs: histogram.max,
			p99Ns: histogram.percentile(99),
			cpuUs: cpu.user + cpu.system,
			startUs: started.atUs,
			endUs: micros(),
		};
	});
	process.on('exit', () => {
		if (measured) writeFileSync(file, JSON.stringify(measured));
	});
}
