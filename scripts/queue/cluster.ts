/**
 * The cluster of `npm run test:queue`, stopped newest first (./cleanup.ts): throwaway Redis and PostgreSQL (Debian's
 * packages, installed when missing), the Vault+ sandbox in this process, n8n 2 in queue mode: a main that puts the
 * webhook's executions on Redis's Bull queue and workers that run them, each in its own user folder with the package.
 */
import axios from 'axios';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

import { startSandbox } from '../../sandbox/server';
import { aptInstall } from '../apt';
import { OWNER, REPO_ROOT } from '../demo/setup';
import { CREDENTIAL, CUSTOM_NODE_TYPE, SYNC_NODE_NAME, sandboxCredential, type WorkflowJson } from '../demo/workflows';
import { createUserFolder, listExecutions, packPackage, publishWorkflow, unwrap, type N8nInstance, type N8nRunLike } from '../n8n-instance';
import { ensureRuntime } from '../n8n-runtime';
import { commandArgv, freePort, isRoot, readTail, runChecked, start, until, type Child, type StartOptions } from '../process';
import { registerCleanup, stopAll } from './cleanup';

export const WEBHOOK_PATH = 'vault-sync';
export const WEBHOOK_NODE_NAME = 'Webhook';
const WORKFLOW_ID = 'vaultPlusQueue01';
const WEBHOOK_ID = '5a0c1f52-7a3e-4d0b-9a51-0000000000aa';
const REDIS_SERVER = '/usr/bin/redis-server';
const byId = (value: string) => ({ __rl: true, mode: 'id', value });

/** The newest /usr/lib/postgresql/<version>/bin (Debian's layout) that has initdb and pg_ctl. */
function findPostgresBin(): string | undefined {
	const root = '/usr/lib/postgresql';
	const versions = existsSync(root) ? readdirSync(root).filter((name) => /^\d+$/.test(name)) : [];
	const bins = versions.sort((a, b) => Number(b) - Number(a)).map((version) => path.join(root, version, 'bin'));
	return bins.find((bin) => existsSync(path.join(bin, 'initdb')) && existsSync(path.join(bin, 'pg_ctl')));
}

type ServerOptions = StartOptions & { logFile: string; readyWithinMs: number; graceMs: number };

/** A server child, resolved once `ready`; its stop: SIGTERM, SIGKILL after graceMs. A failed start quotes its log's tail. */
async function startServer(name: string, argv: string[], opts: ServerOptions, ready: (child: Child) => Promise<boolean> | boolean) {
	const child = start(argv[0], argv.slice(1), opts);
	const stop = registerCleanup(() => child.stop(opts.graceMs), { dirs: [] });
	await until(name, opts.readyWithinMs, async () => {
		if (child.exited()) throw new Error(`${name} exited`);
		return (await ready(child)) || undefined;
	}).catch((error: Error) => {
		throw new Error(`${error.message}; log ${opts.logFile}:\n${child.tail(30)}`);
	});
	return { child, stop };
}

/**
 * PostgreSQL on a Unix socket in a fresh tmp dir only (no TCP port to race for, local connections trusted, fsync off:
 * the data is thrown away), and Redis without persistence on 127.0.0.1 and a free port, working in the same dir.
 * PostgreSQL refuses to run as root, so as root its commands run as Debian's `postgres` user, who owns the dir.
 */
async function startDatabases(postgresBin: string, log: (line: string) => void): Promise<Record<string, string>> {
	const base = mkdtempSync(path.join(os.tmpdir(), 'ofauth-queue-db-'));
	const port = await freePort();
	if (isRoot()) await runChecked('chown', ['postgres', base]);
	const [dataDir, logFile] = [path.join(base, 'data'), path.join(base, 'postgres.log')];
	const opts = { asUser: 'postgres', cwd: base };
	const pgCtl = (...args: string[]) => runChecked(path.join(postgresBin, 'pg_ctl'), ['-D', dataDir, ...args], opts);
	let started = false;
	registerCleanup(async () => started && (await pgCtl('-m', 'fast', '-w', 'stop')), {
		// Also while pg_ctl start still runs, the reaper stops whatever server is up.
		commands: [commandArgv(path.join(postgresBin, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop'], 'postgres')],
		dirs: [base],
	});
	await runChecked(path.join(postgresBin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale'], opts);
	log(`postgres on the Unix socket in ${base}, then redis-server on 127.0.0.1:${port} there`);
	const settings = `-c listen_addresses='' -c unix_socket_directories=${base} -c fsync=off -c synchronous_commit=off`;
	started = true; // as far as stopping goes: pg_ctl may leave a server up even when it fails
	await pgCtl('-l', logFile, '-o', settings, '-w', '-t', '60', 'start').catch((error: Error) => {
		throw new Error(`${error.message}\n${readTail(logFile, 20)}`);
	});
	const argv = [REDIS_SERVER, '--save', '', '--appendonly', 'no', '--port', String(port), '--bind', '127.0.0.1', '--dir', base];
	const redisOptions = { cwd: base, logFile: path.join(base, 'redis.log'), readyWithinMs: 20_000, graceMs: 5_000 };
	await startServer(`redis-server :${port}`, argv, redisOptions, (redis) => redis.tail(30).includes('Ready to accept connections'));
	return {
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(port),
		DB_TYPE: 'postgresdb',
		// A host that is a directory is the Unix socket's (node-postgres); its superuser needs no password there.
		DB_POSTGRESDB_HOST: base,
		DB_POSTGRESDB_DATABASE: 'postgres',
		DB_POSTGRESDB_USER: 'postgres',
	};
}

/** A production webhook (answering with the last node's first item) → Vault+ Sync of the connection and list in the body. */
const WEBHOOK_SYNC_WORKFLOW: WorkflowJson = {
	id: WORKFLOW_ID,
	name: 'Vault+ queue mode: sync the list a webhook names',
	active: false,
	nodes: [
		// n8n's import gives the nodes their ids; with a webhookId, the production URL is /webhook/<path>.
		{ name: WEBHOOK_NODE_NAME, type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: WEBHOOK_ID,
			parameters: { httpMethod: 'POST', path: WEBHOOK_PATH, responseMode: 'lastNode', options: {} } },
		{ name: SYNC_NODE_NAME, type: CUSTOM_NODE_TYPE, typeVersion: 1, position: [220, 0], credentials: { ofAuthApi: CREDENTIAL },
			parameters: { connectionId: byId('={{ $json.body.connectionId }}'), listId: byId('={{ $json.body.listId }}'), options: {} } },
	],
	connections: { [WEBHOOK_NODE_NAME]: { main: [[{ node: SYNC_NODE_NAME, type: 'main', index: 0 }]] } },
	settings: { executionOrder: 'v1' },
};

/** n8n 2.x registers the webhook after startup; a CORS preflight finds it (404 while unknown) without running anything. */
async function waitForWebhook(baseUrl: string): Promise<void> {
	const headers = { origin: baseUrl, 'access-control-request-method': 'POST' };
	const url = `${baseUrl}/webhook/${WEBHOOK_PATH}`;
	await until(`POST ${url} to be registered`, 90_000, async () => {
		const request = { method: 'OPTIONS', url, headers, timeout: 5_000, validateStatus: () => true };
		const response = await axios.request(request).catch(() => undefined);
		const allowed = String(response?.headers['access-control-allow-methods']).split(/,\s*/);
		return (response?.status === 204 && allowed.includes('POST')) || undefined;
	});
}

/** `n8n worker`, ready when /healthz/readiness answers 200; at log level info it logs "Worker started execution <id> (job …)". */
async function startWorker(instance: N8nInstance, name: string, log: (line: string) => void) {
	const healthPort = await freePort();
	const logFile = path.join(instance.userFolder, `n8n-${name}.log`);
	const health = { QUEUE_HEALTH_CHECK_ACTIVE: 'true', QUEUE_HEALTH_CHECK_PORT: String(healthPort), N8N_WORKER_SERVER_ADDRESS: '127.0.0.1' };
	const env = { ...instance.env, ...health, N8N_RUNNERS_BROKER_PORT: String(await freePort()) };
	log(`n8n ${name} (health :${healthPort}, log ${logFile})`);
	// `--concurrency`: jobs run at once; n8n warns below 5. On stop n8n waits for running jobs, SIGKILL after 30 s.
	const argv = [instance.runtime.nodeBin, instance.runtime.n8nMain, 'worker', '--concurrency=5'];
	const opts = { cwd: instance.userFolder, env, logFile, readyWithinMs: 120_000, graceMs: 30_000 };
	const readiness = `http://127.0.0.1:${healthPort}/healthz/readiness`;
	const ready = async () => (await axios.get(readiness, { timeout: 2_000 }).catch(() => undefined))?.status === 200;
	const { child, stop } = await startServer(`n8n ${name}'s /healthz/readiness`, argv, opts, ready);
	const ids = (verb: string) =>
		[...readFileSync(logFile, 'utf8').matchAll(new RegExp(`Worker ${verb} execution (\\S+) \\(job `, 'g'))].map((match) => match[1]);
	return { name, startedExecutions: () => ids('started'), finishedExecutions: () => ids('finished'), exited: () => child.exited(), stop };
}

export type QueueCluster = Awaited<ReturnType<typeof startQueueCluster>>;

/** `syncLatencyMs`: the sandbox's latency for each sync, so that executions overlap. */
export async function startQueueCluster({ log, ...options }: { workers: number; syncLatencyMs: number; log: (line: string) => void }) {
	try {
		const runtime = await ensureRuntime('n8n2', { log });
		const tarball = await packPackage(REPO_ROOT, { skipBuild: true, log });
		registerCleanup(async () => undefined, { dirs: [path.dirname(tarball)] });
		const missing = [...(existsSync(REDIS_SERVER) ? [] : ['redis-server']), ...(findPostgresBin() ? [] : ['postgresql'])];
		if (missing.length > 0) await aptInstall(missing, log);
		const postgresBin = findPostgresBin();
		if (!existsSync(REDIS_SERVER) || !postgresBin) throw new Error(`${missing.join(' and ')} still missing after apt-get install`);
		const env = { EXECUTIONS_MODE: 'queue', ...(await startDatabases(postgresBin, log)) };
		const sandbox = await startSandbox({ latency: { syncMs: options.syncLatencyMs } });
		registerCleanup(() => sandbox.close(), { dirs: [] });
		log(`Vault+ sandbox at ${sandbox.url}`);

		const names = ['main', ...Array.from({ length: options.workers }, (_, at) => `worker-${at + 1}`)];
		const folders: N8nInstance[] = [];
		for (const name of names) {
			const folder = await createUserFolder(runtime, tarball, { logLevel: 'info', env, log: (line) => log(`[${name}] ${line}`) });
			// Every n8n command runs in its user folder, so the reaper finds them (and their task runners) there.
			registerCleanup(() => folder.cleanup(), { dirs: [folder.userFolder] });
			folders.push(folder);
		}
		const [main, ...workerFolders] = folders;
		// The first command against the empty database runs every migration.
		await main.importCredentials([sandboxCredential(sandbox.url)]);
		await main.importWorkflows([WEBHOOK_SYNC_WORKFLOW]);
		await publishWorkflow(main, WORKFLOW_ID);

		const starts = [main.start(), ...workerFolders.map((folder, at) => startWorker(folder, names[at + 1], log))] as const;
		// Every start settles before a failure stops the others, so none is left starting.
		await Promise.allSettled(starts);
		const [server, ...workers] = await Promise.all(starts);
		const api = await server.setupOwner(OWNER);
		await waitForWebhook(server.url);
		// The run data comes in n8n's `flatted` form: parsed with the runtime's own copy.
		const flatted = createRequire(path.join(runtime.dir, 'node_modules/n8n/package.json'))('flatted') as typeof JSON;
		return {
			sandbox,
			server,
			workers,
			stop: stopAll,
			/** The ids of the workflow's stored executions (newest first; n8n returns up to 100). */
			executionIds: async () => (await listExecutions(api, WORKFLOW_ID)).map((execution) => execution.id),
			getExecution: async (id: string) => {
				const stored = unwrap<{ status: string; mode: string; data: string }>((await api.get(`/rest/executions/${id}`)).data);
				return { status: stored.status, mode: stored.mode, data: flatted.parse(stored.data) as N8nRunLike['data'] };
			},
		};
	} catch (error) {
		await stopAll().catch(() => undefined);
		throw error;
	}
}
