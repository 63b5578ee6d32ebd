/**
 * Everything the queue-mode run needs, brought up in order and torn down in reverse: Redis and
 * PostgreSQL (installed from Debian's packages when missing), the Vault+ sandbox in this process,
 * and n8n's main and workers with the sandbox credential and the webhook workflow, published.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';

import { packPackage } from '../n8n-instance';
import { ensureRuntime, type N8nRuntime } from '../n8n-runtime';
import { sandboxCredential } from '../demo/workflows';
import type { Sandbox } from '../../sandbox/server';
import { startSandbox } from '../../sandbox/server';
import { ensureRedisAndPostgres } from '../apt';
import { registerCleanup } from './cleanup';
import { startQueueCluster, type QueueCluster } from './cluster';
import { startPostgres, startRedis, type PostgresServer, type RedisServer } from './databases';
import { QUEUE_WORKFLOW_ID, waitForWebhook, WEBHOOK_PATH, webhookSyncWorkflow } from './workflow';

export const OWNER = { email: 'owner@vault-plus.test', password: 'VaultPlus1queue', firstName: 'Vault', lastName: 'Owner' };

export interface QueueEnvironment {
	runtime: N8nRuntime;
	sandbox: Sandbox;
	redis: RedisServer;
	postgres: PostgresServer;
	cluster: QueueCluster;
	stop(): Promise<void>;
}

export interface QueueEnvironmentOptions {
	repoRoot: string;
	workers: number;
	/** Sandbox latency of each sync, so that executions overlap. */
	syncLatencyMs: number;
	log: (line: string) => void;
}

export async function startQueueEnvironment(o: QueueEnvironmentOptions): Promise<QueueEnvironment> {
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
		const packed = registerCleanup(`packed tarball ${packDir}`, async () => rmSync(packDir, { recursive: true, force: true }), {
			dirs: [packDir],
		});
		undo.push(() => packed.stop());
		const binaries = await ensureRedisAndPostgres(o.log);
		const redis = await startRedis(binaries.redisServer, o.log);
		undo.push(() => redis.stop());
		const postgres = await startPostgres(binaries.postgresBin, o.log);
		undo.push(() => postgres.stop());
		const sandbox = await startSandbox({ latency: { syncMs: o.syncLatencyMs } });
		undo.push(() => sandbox.close());
		o.log(`Vault+ sandbox at ${sandbox.url}`);
		const cluster = await startQueueCluster({
			runtime,
			tarball,
			redis,
			postgres,
			workers: o.workers,
			credentials: [sandboxCredential(sandbox.url)],
			workflows: [webhookSyncWorkflow()],
			publish: [QUEUE_WORKFLOW_ID],
			owner: OWNER,
			log: o.log,
		});
		undo.push(() => cluster.stop());
		const waited = await waitForWebhook(cluster.server.url, WEBHOOK_PATH, 'POST');
		o.log(`POST /webhook/${WEBHOOK_PATH} registered ${(waited / 1000).toFixed(1)} s after the main answered`);
		return { runtime, sandbox, redis, postgres, cluster, stop };
	} catch (error) {
		await stop().catch(() => undefined);
		throw error;
	}
}
