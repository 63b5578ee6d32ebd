/**
 * The credentials and workflows the demo, `npm run dev` and the tests import into n8n: the examples, with
 * the node type n8n gives a package loaded from ~/.n8n/custom (`CUSTOM.vaultPlusSync`), not from npm.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { SyncTarget } from './story';

export const PACKAGE_NODE_TYPE = 'n8n-nodes-ofauth-vault-plus.vaultPlusSync';
export const CUSTOM_NODE_TYPE = 'CUSTOM.vaultPlusSync';
/** The name of the Vault+ Sync node in the example workflows, where its run data is found. */
export const SYNC_NODE_NAME = 'Vault+ Sync';
export const SANDBOX_API_KEY = 'test-key';
export const CREDENTIAL = { id: 'ofauthSandbox001', name: 'OFAuth API' };
/** The SMTP credential the examples' Send Email nodes name. */
export const SMTP_CREDENTIAL = { id: 'smtpCredential01', name: 'SMTP account' };

/** A workflow and its nodes as n8n exports them; only the fields the scripts and tests read are typed. */
export interface WorkflowNode {
	name: string;
	type: string;
	parameters: Record<string, unknown>;
	[key: string]: unknown;
}

export interface WorkflowJson {
	id: string;
	name: string;
	nodes: WorkflowNode[];
	connections: Record<string, unknown>;
	settings?: Record<string, unknown>;
	[key: string]: unknown;
}

export function sandboxCredential(baseUrl: string, apiKey = SANDBOX_API_KEY) {
	return { ...CREDENTIAL, type: 'ofAuthApi', data: { apiKey, baseUrl } };
}

/** An SMTP credential for a server with no login and no TLS (both are the credential's own fields). */
export function smtpCredential({ host, port }: { host: string; port: number }) {
	return { ...SMTP_CREDENTIAL, type: 'smtp', data: { user: '', password: '', host, port, secure: false, disableStartTls: true } };
}

const EXAMPLES = {
	nightly: { id: 'vaultPlusNightly', file: 'nightly-sync-with-slack-alert.json' },
	syncOne: { id: 'vaultPlusSyncOne', file: 'sync-one-list.json' },
	allLists: { id: 'vaultPlusAllList', file: 'nightly-sync-all-lists.json' },
	// Its id is the one the nightly examples' settings.errorWorkflow names.
	errorWorkflow: { id: 'vaultPlusOnError', file: 'error-workflow.json' },
} as const;
export const NIGHTLY_WORKFLOW_ID = EXAMPLES.allLists.id;
export const ERROR_WORKFLOW_ID = EXAMPLES.errorWorkflow.id;

export function loadExample(which: keyof typeof EXAMPLES): WorkflowJson {
	const { id, file } = EXAMPLES[which];
	const workflow = JSON.parse(readFileSync(path.resolve(__dirname, '../../examples', file), 'utf8')) as WorkflowJson;
	const nodes = workflow.nodes.map((node) => (node.type === PACKAGE_NODE_TYPE ? { ...node, type: CUSTOM_NODE_TYPE } : node));
	return { ...workflow, id, active: false, nodes };
}

/** The example with `replace` applied to each node, and No Operation nodes for Slack (unreachable from here). */
function runnableExample(which: keyof typeof EXAMPLES, replace = (node: WorkflowNode) => node): WorkflowJson {
	const example = loadExample(which);
	const noOp = (node: WorkflowNode) => ({ ...node, type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} });
	return { ...example, nodes: example.nodes.map((node) => (node.type === 'n8n-nodes-base.slack' ? noOp(node) : replace(node))) };
}

/**
 * The "chosen lists" nightly example with a manual trigger and `targets` as its lists. `onError` replaces
 * the Vault+ Sync node's own setting (the example routes failures to its error output).
 */
export function demoWorkflow(targets: SyncTarget[], overrides: { id?: string; name?: string; onError?: string } = {}): WorkflowJson {
	const items = targets.map(({ connectionId, listId }) => ({ json: { connectionId, listId } }));
	const workflow = runnableExample('nightly', (node) => {
		if (node.type === 'n8n-nodes-base.scheduleTrigger') {
			return { ...node, type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} };
		}
		if (node.type === 'n8n-nodes-base.code') {
			return { ...node, parameters: { ...node.parameters, jsCode: `return ${JSON.stringify(items, null, 2)};` } };
		}
		return node.type === CUSTOM_NODE_TYPE && overrides.onError ? { ...node, onError: overrides.onError } : node;
	});
	return { ...workflow, id: overrides.id ?? 'vaultPlusDemo001', name: overrides.name ?? 'Vault+ demo: sync four lists' };
}

/**
 * The error workflow and the "every custom list" example, its schedule firing every `everySeconds` s
 * instead of at 4:00: the nightly job as the demo and the nightly test run it in `n8n start`.
 */
export function nightlyJobWorkflows(everySeconds: number): WorkflowJson[] {
	const rule = { interval: [{ field: 'seconds', secondsInterval: everySeconds }] };
	const firing = (node: WorkflowNode) => (node.type === 'n8n-nodes-base.scheduleTrigger' ? { ...node, parameters: { rule } } : node);
	return [runnableExample('errorWorkflow'), runnableExample('allLists', firing)];
}
