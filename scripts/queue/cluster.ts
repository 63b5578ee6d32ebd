/**
 * n8n in queue mode: one main (`n8n start`, which takes the webhooks and puts executions on the
 * Bull queue in Redis) and N workers (`n8n worker`, which run them), all on one PostgreSQL. Each
 * process has its own user folder with the packed package in .n8n/custom, as a real deployment
 * installs the node on every process.
 */
import type { AxiosInstance } from 'axios';

import { createUserFolder, type N8nInstance, type OwnerDetails, type RunningN8n } from '../n8n-instance';
import type { N8nRuntime } from '../n8n-runtime';
import { registerCleanup } from './cleanup';
import { queueModeEnv } from './env';
import type { PostgresServer } from './postgres';
import type { RedisServer } from './redis';
import { startWorker, type RunningWorker } from './worker';

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
