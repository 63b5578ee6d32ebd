/**
 * Everything the queue-mode run needs, brought up in order and torn down in reverse: Redis and
 * PostgreSQL (installed from Debian's packages when missing), the Vault+ sandbox in this process,
 * and n8n in queue mode: one main (`n8n start`, which takes the webhooks and puts executions on the
 * Bull queue in Redis) and workers (`n8n worker`, which run them), all on one PostgreSQL, with the
 * sandbox credential and the webhook workflow, published. Each n8n process has its own user folder
 * with the packed package in .n8n/custom, as a real deployment installs the node on every process.
 */
import axios from 'axios';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { startSandbox } from '../../sandbox/server';
import { ensureRedisAndPostgres } from '../apt';
import { sandboxCredential } from '../demo/workflows';
import { createUserFolder, packPackage, publishWorkflow, type N8nInstance } from '../n8n-instance';
import { ensureRuntime } from '../n8n-runtime';
import { freePort, start, until } from '../process';
import { registerCleanup } from './cleanup';
import { startPostgres, startRedis } from './databases';
import { QUEUE_WORKFLOW_ID, waitForWebhook, webhookSyncWorkflow } from './workflow';

export const OWNER = { email: 'owner@vault-plus.test', password: 'VaultPlus1queue', firstName: 'Vault', lastName: 'Owner' };

export type QueueEnvironment = Awaited<ReturnType<typeof startQueueEnvironment>>;

export interface QueueEnvironmentOptions {
	repoRoot: string;
	workers: number;
	/** Sandbox latency of each sync, so that executions overlap. */
	syncLatencyMs: number;
	log: (line: string) => void;
}

/**
 * `n8n worker` with its own task runner broker port and health-check server on 127.0.0.1, ready when
 * /healthz/readiness answers 200 (database migrated, Redis connected, Bull listening). At
 * N8N_LOG_LEVEL=info its job processor logs "Worker started execution <id> (job <jobId>)" and
 * "Worker finished execution …", which says which executions it ran.
 */
async function startWorker(instance: N8nInstance, name: string, log: (line: string) => void) {
	const healthPort = await freePort();
	const logFile = path.join(instance.userFolder, `n8n-${name}.log`);
	const env: NodeJS.ProcessEnv = {
		...instance.env,
		N8N_RUNNERS_BROKER_PORT: String(await freePort()),
		QUEUE_HEALTH_CHECK_ACTIVE: 'true',
		QUEUE_HEALTH_CHECK_PORT: String(healthPort),
		N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
	};
	log(`n8n ${name} (health :${healthPort}, log ${logFile})`);
	// `--concurrency`: jobs run at once; n8n warns below 5.
	const args = [instance.runtime.n8nMain, 'worker', '--concurrency=5'];
	const child = start(instance.runtime.nodeBin, args, { cwd: instance.userFolder, env, logFile });
	const url = `http://127.0.0.1:${healthPort}/healthz/readiness`;
	await until(`${name}'s /healthz/readiness`, 120_000, async () => {
		if (child.exited()) throw new Error(`n8n ${name} exited`);
		const response = await axios.get(url, { timeout: 2_000, validateStatus: () => true }).catch(() => undefined);
		return response?.status === 200 || undefined;
	}).catch(async (error: Error) => {
		await child.stop(0);
		throw new Error(`${error.message}; log ${logFile}:\n${child.tail(30)}`);
	});
	const ids = (verb: string) =>
		[...readFileSync(logFile, 'utf8').matchAll(new RegExp(`Worker ${verb} execution (\\S+) \\(job `, 'g'))].map((match) => match[1]);
	return {
		name,
		startedExecutions: () => ids('started'),
		finishedExecutions: () => ids('finished'),
		exited: () => child.exited(),
		/** SIGTERM (n8n waits for running jobs), SIGKILL after 30 s. */
		stop: async () => void (await child.stop(30_000)),
	};
}

export async function startQueueEnvironment(o: QueueEnvironmentOptions) {
	const undo: Array<() => Promise<unknown>> = [];
	const stop = async () => {
		const errors: unknown[] = [];
		for (const step of undo.reverse()) await step().catch((error: unknown) => errors.push(error));
		undo.length = 0;
		if (errors.length > 0) throw errors[0];
	};
	try {
		const runtime = await ensureRuntime('n8n2', { log: o.log });
		const tarball = await packPackage(o.repoRoot, { skipBuild: true, log: o.log });
		const packDir = path.dirname(tarball);
		undo.push(registerCleanup(`packed tarball ${packDir}`, async () => undefined, { dirs: [packDir] }));
		const binaries = await ensureRedisAndPostgres(o.log);
		const redis = await startRedis(binaries.redisServer, o.log);
		undo.push(redis.stop);
		const postgres = await startPostgres(binaries.postgresBin, o.log);
		undo.push(postgres.stop);
		const sandbox = await startSandbox({ latency: { syncMs: o.syncLatencyMs } });
		undo.push(() => sandbox.close());
		o.log(`Vault+ sandbox at ${sandbox.url}`);

		const env = {
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(redis.port),
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(postgres.port),
			DB_POSTGRESDB_DATABASE: 'n8n',
			DB_POSTGRESDB_USER: 'n8n',
			DB_POSTGRESDB_PASSWORD: postgres.password,
		};
		const names = ['main', ...Array.from({ length: o.workers }, (_, at) => `worker-${at + 1}`)];
		const folders: N8nInstance[] = [];
		for (const name of names) {
			const folder = await createUserFolder(runtime, tarball, { logLevel: 'info', env, log: (line) => o.log(`[${name}] ${line}`) });
			// Every n8n command runs in its user folder, so the reaper finds them (and their task runners) there.
			undo.push(registerCleanup(`n8n ${name} ${folder.userFolder}`, () => folder.cleanup(), { dirs: [folder.userFolder] }));
			folders.push(folder);
		}
		const [main, ...workerFolders] = folders;
		// The first command against the empty database runs every migration.
		await main.importCredentials([sandboxCredential(sandbox.url)]);
		await main.importWorkflows([webhookSyncWorkflow()]);
		await publishWorkflow(main, QUEUE_WORKFLOW_ID);

		const serverStart = main.start();
		const workerStarts = workerFolders.map((folder, at) =>
			startWorker(folder, names[at + 1], o.log).then((worker) => (undo.push(worker.stop), worker)),
		);
		// Every start settles before a failure stops the others, so none is left starting.
		await Promise.allSettled([serverStart, ...workerStarts]);
		const [server, ...workers] = await Promise.all([serverStart, ...workerStarts]);
		const api = await server.setupOwner(OWNER);
		await waitForWebhook(server.url);
		return { runtime, sandbox, server, api, workers, stop };
	} catch (error) {
		await stop().catch(() => undefined);
		throw error;
	}
}
