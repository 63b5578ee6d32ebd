/**
 * Preloaded into `n8n execute` by bench/peer.ts (NODE_OPTIONS=--require, see ./event-loop.ts):
 * Node's event-loop delay histogram, on from the process's first outgoing HTTP request (the node's
 * first call), or from the answer to a request for $BENCH_EVENT_LOOP.startPath when given, until the answer to a request for $BENCH_EVENT_LOOP.endPath (the workflow's last
 * node), written as JSON to $BENCH_EVENT_LOOP.file at exit. A process that never asks for endPath
 * (n8n's task runner) writes nothing. Plain JavaScript: the n8n runtime's Node has no TypeScript loader.
 */
const { subscribe } = require('node:diagnostics_channel');
const { writeFileSync } = require('node:fs');
const { monitorEventLoopDelay } = require('node:perf_hooks');

const { file, endPath, startPath, resolutionMs } = JSON.parse(process.env.BENCH_EVENT_LOOP || '{}');
if (file) {
	const histogram = monitorEventLoopDelay({ resolution: resolutionMs });
	let measured;
	// With startPath, the watch starts once that request is answered (after a warm-up), else at the first request.
	if (!startPath) subscribe('http.client.request.start', () => measured || histogram.enable());
	subscribe('http.client.response.finish', ({ request }) => {
		if (startPath && !measured && request.path.startsWith(startPath)) histogram.enable();
		if (measured || !request.path.startsWith(endPath)) return;
		histogram.disable();
		measured = { maxNs: histogram.max, p99Ns: histogram.percentile(99) };
	});
	process.on('exit', () => {
		if (measured) writeFileSync(file, JSON.stringify(measured));
	});
}
