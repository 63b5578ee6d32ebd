/**
 * The workflow the queue-mode run fires: a production webhook (POST /webhook/vault-sync, answering with
 * the last node's first item) → Vault+ Sync of the connection and list named in the body.
 */
import axios from 'axios';

import { CREDENTIAL, CUSTOM_NODE_TYPE, SYNC_NODE_NAME, type WorkflowJson } from '../../scripts/demo/workflows';
import { until } from '../../scripts/process';

export const WEBHOOK_PATH = 'vault-sync';
export const WEBHOOK_NODE_NAME = 'Webhook';
export const QUEUE_WORKFLOW_ID = 'vaultPlusQueue01';

const byId = (value: string) => ({ __rl: true, mode: 'id', value });

export const WEBHOOK_SYNC_WORKFLOW: WorkflowJson = {
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
			parameters: { connectionId: byId('={{ $json.body.connectionId }}'), listId: byId('={{ $json.body.listId }}'), options: {} },
			credentials: { ofAuthApi: CREDENTIAL },
		},
	],
	connections: { [WEBHOOK_NODE_NAME]: { main: [[{ node: SYNC_NODE_NAME, type: 'main', index: 0 }]] } },
	settings: { executionOrder: 'v1' },
};

/**
 * Waits until the main has registered the webhook: n8n 2.x activates a published workflow after
 * startup, asynchronously (reconciler → outbox → consumer). The probe is a CORS preflight: n8n looks
 * the path up (404 while it is unknown) and lists its methods, without running anything.
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
