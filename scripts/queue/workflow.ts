/**
 * The workflow the queue-mode run fires: a production webhook (POST /webhook/vault-sync, answering
 * with the last node's first item) → Vault+ Sync of the connection and list named in the body; how
 * to wait for it, fire it, and read the executions n8n's main stored for it (written by whichever
 * worker ran them).
 */
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { createRequire } from 'node:module';
import path from 'node:path';

import { CREDENTIAL, CUSTOM_NODE_TYPE, SYNC_NODE_NAME, type WorkflowJson } from '../demo/workflows';
import type { N8nRunLike } from '../n8n-instance';
import { unwrap } from '../n8n/rest';
import type { N8nRuntime } from '../n8n-runtime';

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
export async function waitForWebhook(baseUrl: string, webhookPath: string, method: string, timeoutMs = 90_000): Promise<number> {
	const started = Date.now();
	let last = '';
	while (Date.now() - started < timeoutMs) {
		const response = await axios
			.request({
				method: 'OPTIONS',
				url: `${baseUrl}/webhook/${webhookPath}`,
				headers: { origin: baseUrl, 'access-control-request-method': method },
				timeout: 5_000,
				validateStatus: () => true,
			})
			.catch((error: Error) => ({ status: 0, headers: {}, data: error.message }) as unknown as AxiosResponse);
		const allowed = String(response.headers['access-control-allow-methods'] ?? '');
		if (response.status === 204 && allowed.split(/,\s*/).includes(method)) return Date.now() - started;
		last = `${response.status} ${JSON.stringify(response.data).slice(0, 200)}`;
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
	throw new Error(`${method} /webhook/${webhookPath} was not registered within ${timeoutMs / 1000} s (last probe: ${last})`);
}

export interface WebhookCall<B> {
	body: B;
	status: number;
	/** What the webhook answered: with responseMode lastNode, the last node's first item. */
	data: unknown;
	durationMs: number;
}

export async function fireWebhook<B extends object>(baseUrl: string, webhookPath: string, body: B): Promise<WebhookCall<B>> {
	const started = Date.now();
	const response = await axios.post(`${baseUrl}/webhook/${webhookPath}`, body, { timeout: 120_000, validateStatus: () => true });
	return { body, status: response.status, data: response.data, durationMs: Date.now() - started };
}

export interface ExecutionSummary {
	id: string;
	status: string;
	mode: string;
	workflowId: string;
	startedAt?: string;
	stoppedAt?: string;
}

export interface StoredExecution extends ExecutionSummary {
	/** The IRun's `data` (resultData.runData …), unflattened. */
	data: N8nRunLike['data'];
}

/** GET /rest/executions for one workflow (newest first, up to `limit`; n8n allows 1 to 100). */
export async function listExecutions(api: AxiosInstance, workflowId: string, limit = 100): Promise<ExecutionSummary[]> {
	const response = await api.get('/rest/executions', { params: { filter: JSON.stringify({ workflowId }), limit } });
	const page = unwrap<{ results: Array<ExecutionSummary & { id: string | number }> }>(response.data);
	return page.results.map((execution) => ({ ...execution, id: String(execution.id) }));
}

/** GET /rest/executions/:id with its run data, which comes in n8n's `flatted` form: parsed with the runtime's own copy. */
export async function getExecution(api: AxiosInstance, runtime: N8nRuntime, id: string): Promise<StoredExecution> {
	const response = await api.get(`/rest/executions/${id}`);
	const stored = unwrap<ExecutionSummary & { id: string | number; data: string }>(response.data);
	const flatted = createRequire(path.join(runtime.dir, 'node_modules', 'n8n', 'package.json'))('flatted') as { parse(text: string): unknown };
	return { ...stored, id: String(stored.id), data: flatted.parse(stored.data) as N8nRunLike['data'] };
}
