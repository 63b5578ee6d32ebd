/**
 * `n8n worker` for one user folder (an N8nInstance already set up for queue mode): its own task
 * runner broker port and health-check server on 127.0.0.1, its log in a file, ready when
 * /healthz/readiness answers 200 (database connected and migrated, Redis connected, Bull listening).
 *
 * Which executions it ran comes from its log: at N8N_LOG_LEVEL=info the job processor logs
 * "Worker started execution <id> (job <jobId>)" and "Worker finished execution <id> (job <jobId>)".
 */
import axios from 'axios';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { freePort, type N8nInstance } from '../n8n-instance';
import { registerCleanup } from './cleanup';
import { startLoggedProcess } from './command';

export interface RunningWorker {
	name: string;
	pid: number | undefined;
	healthPort: number;
	logFile: string;
	/** Execution ids this worker started, from its log, in order. */
	startedExecutions(): string[];
	/** Execution ids this worker finished, from its log, in order. */
	finishedExecutions(): string[];
	/** Whether the process has exited. */
	exited(): boolean;
	/** SIGTERM (n8n waits for running jobs), SIGKILL after graceMs. */
	stop(graceMs?: number): Promise<void>;
}

export interface WorkerOptions {
	name: string;
	/** `--concurrency`: jobs run at once; n8n warns below 5. */
	concurrency?: number;
	timeoutMs?: number;
	log?: (line: string) => void;
}

export async function startWorker(instance: N8nInstance, opts: WorkerOptions): Promise<RunningWorker> {
	const log = opts.log ?? (() => undefined);
	const healthPort = await freePort();
	const brokerPort = await freePort();
	const logFile = path.join(instance.userFolder, `n8n-${opts.name}.log`);
	const env: NodeJS.ProcessEnv = {
		...instance.env,
		N8N_LOG_LEVEL: 'info',
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		QUEUE_HEALTH_CHECK_ACTIVE: 'true',
		QUEUE_HEALTH_CHECK_PORT: String(healthPort),
		N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
	};
	const { nodeBin, n8nMain } = instance.runtime;
	const args = [n8nMain, 'worker', `--concurrency=${opts.concurrency ?? 5}`];
	log(`n8n worker "${opts.name}" (health :${healthPort}, broker :${brokerPort}, log ${logFile})`);
	const server = startLoggedProcess(nodeBin, args, { cwd: instance.userFolder, env, logFile });

	const readLog = () => {
		try {
			return readFileSync(logFile, 'utf8');
		} catch {
			return '';
		}
	};
	const ids = (verb: string) =>
		[...readLog().matchAll(new RegExp(`Worker ${verb} execution (\\S+) \\(job `, 'g'))].map((match) => match[1]);

	let graceMs = 30_000;
	const cleanup = registerCleanup(
		`n8n worker ${opts.name}`,
		async () => await server.stop(graceMs),
		// The whole tree: n8n's task runner is a child of the worker.
		{ processes: server.pid ? [{ pid: server.pid, match: 'n8n worker' }] : [] },
	);

	const worker: RunningWorker = {
		name: opts.name,
		pid: server.pid,
		healthPort,
		logFile,
		startedExecutions: () => ids('started'),
		finishedExecutions: () => ids('finished'),
		exited: () => server.exited(),
		stop(grace = 30_000) {
			graceMs = grace;
			return cleanup.stop();
		},
	};

	const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
	const started = Date.now();
	for (;;) {
		if (server.exited() || Date.now() > deadline) {
			await worker.stop(0);
			const tail = readLog().trim().split('\n').slice(-30).join('\n');
			throw new Error(`n8n worker "${opts.name}" ${server.exited() ? 'exited' : 'was not ready in time'}; log ${logFile}:\n${tail}`);
		}
		const status = await axios
			.get(`http://127.0.0.1:${healthPort}/healthz/readiness`, { timeout: 2_000, validateStatus: () => true })
			.then((response) => response.status)
			.catch(() => 0);
		if (status === 200) break;
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
	log(`n8n worker "${opts.name}" is ready after ${((Date.now() - started) / 1000).toFixed(1)} s`);
	return worker;
}
