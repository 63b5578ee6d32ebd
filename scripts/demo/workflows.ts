/**
 * The credential and workflows the demo, `npm run dev` and the e2e tests import into n8n. The
 * examples in examples/ name the node as users who install the package get it
 * (`n8n-nodes-ofauth-vault-plus.vaultPlusSync`); loaded from ~/.n8n/custom it is `CUSTOM.vaultPlusSync`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { SyncTarget } from './story';

export const PACKAGE_NODE_TYPE = 'n8n-nodes-ofauth-vault-plus.vaultPlusSync';
export const CUSTOM_NODE_TYPE = 'CUSTOM.vaultPlusSync';
export const SANDBOX_API_KEY = 'test-key';
export const CREDENTIAL = { id: 'ofauthSandbox001', name: 'OFAuth API' };

const EXAMPLES_DIR = path.resolve(__dirname, '../../examples');

export interface WorkflowNode {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	onError?: string;
	[key: string]: unknown;
}

export interface WorkflowJson {
	id: string;
	name: string;
	nodes: WorkflowNode[];
	connections: Record<string, unknown>;
	settings?: Record<string, unknown>;
	active?: boolean;
	[key: string]: unknown;
}

export function sandboxCredential(baseUrl: string, apiKey = SANDBOX_API_KEY) {
	return { ...CREDENTIAL, type: 'ofAuthApi', data: { apiKey, baseUrl } };
}

/** The examples as files, by name. */
export const EXAMPLES = {
	nightly: { id: 'vaultPlusNightly', file: 'nightly-sync-with-slack-alert.json' },
	syncOne: { id: 'vaultPlusSyncOne', file: 'sync-one-list.json' },
	allLists: { id: 'vaultPlusAllList', file: 'nightly-sync-all-lists.json' },
	/** Its id is the one the nightly examples' settings.errorWorkflow names. */
	errorWorkflow: { id: 'vaultPlusOnError', file: 'error-workflow.json' },
} as const;

export function loadExample(which: keyof typeof EXAMPLES, nodeType = CUSTOM_NODE_TYPE): WorkflowJson {
	const { id, file } = EXAMPLES[which];
	const workflow = JSON.parse(readFileSync(path.join(EXAMPLES_DIR, file), 'utf8')) as WorkflowJson;
	return {
		...workflow,
		id,
		active: false,
		nodes: workflow.nodes.map((node) => (node.type === PACKAGE_NODE_TYPE ? { ...node, type: nodeType } : node)),
	};
}

/** A Slack node as a No Operation node in its place: Slack cannot be reached from the demo or the tests. */
export function slackAsNoOp(node: WorkflowNode): WorkflowNode {
	if (node.type !== 'n8n-nodes-base.slack') return node;
	return { id: node.id, name: node.name, type: 'n8n-nodes-base.noOp', typeVersion: 1, position: node.position, parameters: {} };
}

function listsCode(targets: SyncTarget[]): string {
	const lines = targets.map(
		(target) =>
			`  { json: { connectionId: ${JSON.stringify(target.connectionId)}, listId: ${JSON.stringify(target.listId)} } },`,
	);
	return `return [\n${lines.join('\n')}\n];`;
}

/**
 * The nightly example as the demo runs it: a manual trigger instead of the schedule, the demo's lists,
 * and No Operation nodes where Slack would be, so that no Slack account is needed. Its Send Email
 * nodes stay: they need the SMTP credential (see ../nightly/workflows.ts). `onError` replaces the
 * Vault+ Sync node's own setting (the example routes failures to its error output).
 */
export function demoWorkflow(targets: SyncTarget[], overrides: { id?: string; name?: string; onError?: string } = {}): WorkflowJson {
	const nightly = loadExample('nightly');
	const nodes = nightly.nodes.map((node): WorkflowNode => {
		if (node.type === 'n8n-nodes-base.scheduleTrigger') {
			return { ...node, type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} };
		}
		if (node.type === 'n8n-nodes-base.slack') return slackAsNoOp(node);
		if (node.type === 'n8n-nodes-base.code') {
			return { ...node, parameters: { ...node.parameters, jsCode: listsCode(targets) } };
		}
		if (node.type === CUSTOM_NODE_TYPE && overrides.onError) {
			return { ...node, onError: overrides.onError };
		}
		return node;
	});
	return {
		...nightly,
		id: overrides.id ?? 'vaultPlusDemo001',
		name: overrides.name ?? 'Vault+ demo: sync four lists',
		nodes,
	};
}

/** The name of the Vault+ Sync node in the example workflows, where its run data is found. */
export const SYNC_NODE_NAME = 'Vault+ Sync';
