/**
 * Preloaded into `n8n execute` by bench/peer.ts (NODE_OPTIONS=--require). From the answer to a request for $BENCH_EVENT_LOOP
 * .startPath to the answer to one for .endPath (around the sync node), it records the event-loop delay histogram and the main
 * thread's CPU time (the process's where Node lacks process.threadCpuUsage), written with the window as JSON to .file at exit.
 * A process that never asks (n8n's task runner) writes nothing. Plain JavaScript: n8n's Node has no TypeScript loader.
 */
const { subscribe } = require('node:diagnostics_channel');
const { writeFileSync } = require('node:fs');
const { monitorEventLoopDelay } = require('node:perf_hooks');

const { file, endPath, startPath, resolutionMs } = JSON.parse(process.env.BENCH_EVENT_LOOP || '{}');
if (file) {
	const histogram = monitorEventLoopDelay({ resolution: resolutionMs });
	const micros = () => Number(process.hrtime.bigint() / 1000n);
	const cpuUsage = (since) => (process.threadCpuUsage ? process.threadCpuUsage(since) : process.cpuUsage(since));
	let started;
	let measured;
	subscribe('http.client.response.finish', ({ request }) => {
		if (!started && request.path.startsWith(startPath)) {
			histogram.enable();
			started = { cpu: cpuUsage(), atUs: micros() };
		} else if (started && !measured && request.path.startsWith(endPath)) {
			histogram.disable();
			const cpu = cpuUsage(started.cpu);
			const delay = { maxNs: histogram.max, p99Ns: histogram.percentile(99) };
			measured = { ...delay, cpuUs: cpu.user + cpu.system, startUs: started.atUs, endUs: micros() };
		}
	});
	process.on('exit', () => measured && writeFileSync(file, JSON.stringify(measured)));
}
