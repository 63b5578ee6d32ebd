/**
 * The workflow the queue-mode run fires: a production webhook (POST /webhook/vault-sync, answering
 * with the last node's first item) → Vault+ Sync of the connection and list named in the body; how
 * to wait for it, and read the executions n8n's main stored for it (written by whichever worker ran them).
 */
import axios, { type AxiosInstance } from 'axios';
import { createRequire } from 'node:module';
import path from 'node:path';

import { CREDENTIAL, CUSTOM_NODE_TYPE, SYNC_NODE_NAME, type WorkflowJson } from '../demo/workflows';
import { unwrap, type N8nRunLike } from '../n8n-instance';
import type { N8nRuntime } from '../n8n-runtime';
import { until } from '../process';

export const WEBHOOK_PATH = 'vault-sync';
export const WEBHOOK_NODE_NAME = 'Webhook';
export const QUEUE_WORKFLOW_ID = 'vaultPlusQueue01';

export function webhookSyncWorkflow(): WorkflowJson {
	return {
		id: QUEUE_WORKFLOW_ID,
		name: 'Vault+ queue mode: sync the list a webhook names',
		active: false,
		nodes: [
			{
				id: '5a0c1f52-7a3e-4d0b-9a51-000000000001',
				name: WEBHOOK_NODE_NAME,
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: '5a0c1f52-7a3e-4d0b-9a51-0000000000aa',
				parameters: { httpMethod: 'POST', path: WEBHOOK_PATH, responseMode: 'lastNode', options: {} },
			},
			{
				id: '5a0c1f52-7a3e-4d0b-9a51-000000000002',
				name: SYNC_NODE_NAME,
				type: CUSTOM_NODE_TYPE,
				typeVersion: 1,
				position: [220, 0],
				parameters: {
					connectionId: { __rl: true, mode: 'id', value: '={{ $json.body.connectionId }}' },
					listId: { __rl: true, mode: 'id', value: '={{ $json.body.listId }}' },
					options: {},
				},
				credentials: { ofAuthApi: CREDENTIAL },
			},
		],
		connections: { [WEBHOOK_NODE_NAME]: { main: [[{ node: SYNC_NODE_NAME, type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

/**
 * Waits until the main has registered the webhook. In n8n 2.x a published workflow is activated
 * after startup, asynchronously, by the workflow publication service (reconciler → outbox →
 * consumer), so /rest/settings answering does not mean the webhook exists yet. The probe is a CORS
 * preflight: n8n looks the path up (404 while it is unknown) and lists its methods, without running anything.
 */
export async function waitForWebhook(baseUrl: string): Promise<void> {
	const headers = { origin: baseUrl, 'access-control-request-method': 'POST' };
	const url = `${baseUrl}/webhook/${WEBHOOK_PATH}`;
	await until(`POST ${url} to be registered`, 90_000, async () => {
		const response = await axios
			.request({ method: 'OPTIONS', url, headers, timeout: 5_000, validateStatus: () => true })
			.catch(() => undefined);
		const allowed = String(response?.headers['access-control-allow-methods']).split(/,\s*/);
		return (response?.status === 204 && allowed.includes('POST')) || undefined;
	});
}

/** The ids of the workflow's stored executions (newest first; n8n returns up to 100). */
export async function executionIds(api: AxiosInstance, workflowId: string): Promise<string[]> {
	const response = await api.get('/rest/executions', { params: { filter: JSON.stringify({ workflowId }), limit: 100 } });
	return unwrap<{ results: Array<{ id: string | number }> }>(response.data).results.map((execution) => String(execution.id));
}

/** GET /rest/executions/:id with its run data, which comes in n8n's `flatted` form: parsed with the runtime's own copy. */
export async function getExecution(api: AxiosInstance, runtime: N8nRuntime, id: string) {
	const stored = unwrap<{ status: string; mode: string; data: string }>((await api.get(`/rest/executions/${id}`)).data);
	const flatted = createRequire(path.join(runtime.dir, 'node_modules/n8n/package.json'))('flatted') as typeof JSON;
	return { status: stored.status, mode: stored.mode, data: flatted.parse(stored.data) as N8nRunLike['data'] };
}
