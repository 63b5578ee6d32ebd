/**
 * The workflow the queue-mode run fires: a production webhook (POST /webhook/vault-sync, answering
 * with the last node's first item) → Vault+ Sync of the connection and list named in the body.
 */
import { CREDENTIAL, CUSTOM_NODE_TYPE, SYNC_NODE_NAME, type WorkflowJson } from '../demo/workflows';

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
		connections: {
			[WEBHOOK_NODE_NAME]: { main: [[{ node: SYNC_NODE_NAME, type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}
