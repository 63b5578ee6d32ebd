/**
 * n8n in queue mode: one main (`n8n start`, which takes the webhooks and puts executions on the
 * Bull queue in Redis) and N workers (`n8n worker`, which run them), all on one PostgreSQL. Each
 * process has its own user folder with the packed package in .n8n/custom, as a real deployment
 * installs the node on every process.
 */
import axios, { type AxiosInstance } from 'axios';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { createUserFolder, type N8nInstance, type OwnerDetails, type RunningN8n } from '../n8n-instance';
import type { N8nRuntime } from '../n8n-runtime';
import { freePort, lastLines, start } from '../process';
import { registerCleanup } from './cleanup';
import type { PostgresServer, RedisServer } from './databases';

export interface QueueClusterOptions {
	runtime: N8nRuntime;
	tarball: string;
	redis: RedisServer;
	postgres: PostgresServer;
	workers: number;
	credentials: object[];
	workflows: object[];
	/** Workflow ids to publish (activate) before the main starts. */
	publish: string[];
	owner: OwnerDetails;
	log?: (line: string) => void;
}

export interface QueueCluster {
	main: N8nInstance;
	server: RunningN8n;
	workers: RunningWorker[];
	/** REST client logged in as the owner. */
	api: AxiosInstance;
	/** Stops the workers and the main, removes the user folders. */
	stop(): Promise<void>;
}

/** What puts an n8n process (main or worker) into queue mode on the given Redis and PostgreSQL. */
function queueModeEnv(redis: RedisServer, postgres: PostgresServer): Record<string, string> {
	return {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: redis.host,
		QUEUE_BULL_REDIS_PORT: String(redis.port),
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: postgres.host,
		DB_POSTGRESDB_PORT: String(postgres.port),
		DB_POSTGRESDB_DATABASE: postgres.database,
		DB_POSTGRESDB_USER: postgres.user,
		DB_POSTGRESDB_PASSWORD: postgres.password,
	};
}

async function userFolder(o: QueueClusterOptions, name: string, undo: Array<() => Promise<void>>): Promise<N8nInstance> {
	const instance = await createUserFolder(o.runtime, o.tarball, {
		logLevel: 'info',
		env: queueModeEnv(o.redis, o.postgres),
		log: (line) => o.log?.(`[${name}] ${line}`),
	});
	// n8n commands run in the user folder: the reaper also ends any still starting or importing.
	const cleanup = registerCleanup(`user folder ${instance.userFolder}`, () => instance.cleanup(), {
		cwds: [instance.userFolder],
		dirs: [instance.userFolder],
	});
	undo.push(() => cleanup.stop());
	return instance;
}

/** publish:workflow logs its failures and still exits 0 (BaseCommand.logError), so read its output. */
async function publish(main: N8nInstance, workflowId: string): Promise<void> {
	const result = await main.run(['publish:workflow', `--id=${workflowId}`]);
	const output = `${result.stdout}\n${result.stderr}`;
	if (result.exitCode !== 0 || !/Publishing workflow with ID/.test(output) || /error/i.test(output)) {
		throw new Error(`n8n publish:workflow --id=${workflowId} failed (exit ${result.exitCode}):\n${output.trim()}`);
	}
}

export async function startQueueCluster(o: QueueClusterOptions): Promise<QueueCluster> {
	const log = o.log ?? (() => undefined);
	const folders: N8nInstance[] = [];
	const workers: RunningWorker[] = [];
	let server: RunningN8n | undefined;
	// Orderly stops of the user folders, and of the main once it runs.
	const undoFolders: Array<() => Promise<void>> = [];
	let stopServer: (() => Promise<void>) | undefined;
	const stop = async () => {
		await Promise.all(workers.map((worker) => worker.stop()));
		await stopServer?.();
		await Promise.all(undoFolders.map((undo) => undo()));
	};
	try {
		const main = await userFolder(o, 'main', undoFolders);
		folders.push(main);
		for (let n = 1; n <= o.workers; n++) folders.push(await userFolder(o, `worker-${n}`, undoFolders));

		// The first command against the empty database runs every migration.
		await main.importCredentials(o.credentials);
		await main.importWorkflows(o.workflows);
		for (const id of o.publish) await publish(main, id);

		const [startedServer, ...started] = await Promise.allSettled([
			main.start().then((running) => {
				server = running;
				const cleanup = registerCleanup(`n8n main :${running.port}`, () => running.stop(), {
					// The whole tree: n8n's task runner is a child of the main.
					processes: running.pid ? [{ pid: running.pid, match: 'n8n start' }] : [],
				});
				stopServer = () => cleanup.stop();
				return running;
			}),
			...folders.slice(1).map((folder, at) =>
				startWorker(folder, { name: `worker-${at + 1}`, log }).then((worker) => {
					workers.push(worker);
					return worker;
				}),
			),
		]);
		const failed = [startedServer, ...started].find((result) => result.status === 'rejected');
		if (failed) throw (failed as PromiseRejectedResult).reason;
		workers.sort((a, b) => a.name.localeCompare(b.name));
		const running = server as RunningN8n;
		log(`n8n main at ${running.url} (log ${running.logFile})`);
		const api = await running.setupOwner(o.owner);
		return { main, server: running, workers, api, stop };
	} catch (error) {
		await stop().catch(() => undefined);
		throw error;
	}
}

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

/**
 * `n8n worker` for one user folder (an N8nInstance already set up for queue mode): its own task
 * runner broker port and health-check server on 127.0.0.1, its log in a file, ready when
 * /healthz/readiness answers 200 (database connected and migrated, Redis connected, Bull listening).
 * Which executions it ran comes from its log: at N8N_LOG_LEVEL=info the job processor logs
 * "Worker started execution <id> (job <jobId>)" and "Worker finished execution <id> (job <jobId>)".
 */
export async function startWorker(instance: N8nInstance, opts: { name: string; log?: (line: string) => void }): Promise<RunningWorker> {
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
	opts.log?.(`n8n worker "${opts.name}" (health :${healthPort}, broker :${brokerPort}, log ${logFile})`);
	// `--concurrency`: jobs run at once; n8n warns below 5.
	const args = [instance.runtime.n8nMain, 'worker', '--concurrency=5'];
	const server = start(instance.runtime.nodeBin, args, { cwd: instance.userFolder, env, logFile });
	const readLog = () => {
		try {
			return readFileSync(logFile, 'utf8');
		} catch {
			return '';
		}
	};
	const ids = (verb: string) => [...readLog().matchAll(new RegExp(`Worker ${verb} execution (\\S+) \\(job `, 'g'))].map((match) => match[1]);
	let graceMs = 30_000;
	// The whole tree: n8n's task runner is a child of the worker.
	const cleanup = registerCleanup(`n8n worker ${opts.name}`, async () => void (await server.stop(graceMs)), {
		processes: server.pid ? [{ pid: server.pid, match: 'n8n worker' }] : [],
	});
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
	const started = Date.now();
	for (;;) {
		if (server.exited() || Date.now() > started + 120_000) {
			await worker.stop(0);
			throw new Error(`n8n worker "${opts.name}" ${server.exited() ? 'exited' : 'was not ready in time'}; log ${logFile}:\n${lastLines(readLog())}`);
		}
		const url = `http://127.0.0.1:${healthPort}/healthz/readiness`;
		const status = await axios.get(url, { timeout: 2_000, validateStatus: () => true }).then((r) => r.status, () => 0);
		if (status === 200) break;
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
	opts.log?.(`n8n worker "${opts.name}" is ready after ${((Date.now() - started) / 1000).toFixed(1)} s`);
	return worker;
}
