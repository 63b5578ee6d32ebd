/**
 * Everything the queue-mode run needs, brought up in order and torn down in reverse (stop): Redis and
 * PostgreSQL, the Vault+ sandbox in this process, and n8n 2 in queue mode: one main (`n8n start`, which
 * takes the webhooks and puts executions on the Bull queue in Redis) and workers (`n8n worker`, which run
 * them). Each has its own user folder with the packed package in .n8n/custom, as a real deployment has.
 */
import axios from 'axios';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { startSandbox } from '../../sandbox/server';
import { sandboxCredential } from '../../scripts/demo/workflows';
import { createUserFolder, packPackage, publishWorkflow, type N8nInstance } from '../../scripts/n8n-instance';
import { ensureRuntime } from '../../scripts/n8n-runtime';
import { freePort, start, until } from '../../scripts/process';
import { registerCleanup, stopAll } from '../../scripts/queue/cleanup';
import { startDatabases } from '../../scripts/queue/databases';
import { QUEUE_WORKFLOW_ID, waitForWebhook, WEBHOOK_SYNC_WORKFLOW } from './workflow';

const OWNER = { email: 'owner@vault-plus.test', password: 'VaultPlus1queue', firstName: 'Vault', lastName: 'Owner' };

export type QueueEnvironment = Awaited<ReturnType<typeof startQueueEnvironment>>;

/**
 * `n8n worker` with its own task runner broker port and health-check server, ready when
 * /healthz/readiness answers 200 (database migrated, Redis connected, Bull listening). At
 * N8N_LOG_LEVEL=info it logs "Worker started execution <id> (job <jobId>)" and "Worker finished
 * execution …", which says which executions it ran.
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
	// SIGTERM (n8n waits for running jobs), SIGKILL after 30 s.
	const stop = registerCleanup(() => child.stop(30_000), { dirs: [] });
	await until(`${name}'s /healthz/readiness`, 120_000, async () => {
		if (child.exited()) throw new Error(`n8n ${name} exited`);
		const response = await axios.get(`http://127.0.0.1:${healthPort}/healthz/readiness`, { timeout: 2_000 }).catch(() => undefined);
		return response?.status === 200 || undefined;
	}).catch((error: Error) => {
		throw new Error(`${error.message}; log ${logFile}:\n${child.tail(30)}`);
	});
	const ids = (verb: string) =>
		[...readFileSync(logFile, 'utf8').matchAll(new RegExp(`Worker ${verb} execution (\\S+) \\(job `, 'g'))].map((match) => match[1]);
	return { name, startedExecutions: () => ids('started'), finishedExecutions: () => ids('finished'), exited: () => child.exited(), stop };
}

/** `syncLatencyMs`: the sandbox's latency for each sync, so that executions overlap. */
export async function startQueueEnvironment(o: { repoRoot: string; workers: number; syncLatencyMs: number; log: (line: string) => void }) {
	try {
		const runtime = await ensureRuntime('n8n2', { log: o.log });
		const tarball = await packPackage(o.repoRoot, { skipBuild: true, log: o.log });
		registerCleanup(async () => undefined, { dirs: [path.dirname(tarball)] });
		const env = { EXECUTIONS_MODE: 'queue', ...(await startDatabases(o.log)) };
		const sandbox = await startSandbox({ latency: { syncMs: o.syncLatencyMs } });
		registerCleanup(() => sandbox.close(), { dirs: [] });
		o.log(`Vault+ sandbox at ${sandbox.url}`);

		const names = ['main', ...Array.from({ length: o.workers }, (_, at) => `worker-${at + 1}`)];
		const folders: N8nInstance[] = [];
		for (const name of names) {
			const folder = await createUserFolder(runtime, tarball, { logLevel: 'info', env, log: (line) => o.log(`[${name}] ${line}`) });
			// Every n8n command runs in its user folder, so the reaper finds them (and their task runners) there.
			registerCleanup(() => folder.cleanup(), { dirs: [folder.userFolder] });
			folders.push(folder);
		}
		const [main, ...workerFolders] = folders;
		// The first command against the empty database runs every migration.
		await main.importCredentials([sandboxCredential(sandbox.url)]);
		await main.importWorkflows([WEBHOOK_SYNC_WORKFLOW]);
		await publishWorkflow(main, QUEUE_WORKFLOW_ID);

		const starts = [main.start(), ...workerFolders.map((folder, at) => startWorker(folder, names[at + 1], o.log))] as const;
		// Every start settles before a failure stops the others, so none is left starting.
		await Promise.allSettled(starts);
		const [server, ...workers] = await Promise.all(starts);
		const api = await server.setupOwner(OWNER);
		await waitForWebhook(server.url);
		return { runtime, sandbox, server, api, workers, stop: stopAll };
	} catch (error) {
		await stopAll().catch(() => undefined);
		throw error;
	}
}
