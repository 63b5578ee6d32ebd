/**
 * The built package in n8n-core's real engine, in this process: loaded as n8n loads it, workflows run by
 * WorkflowExecute, the helpers n8n hands a node. Used by `npm run bench` and test/harness/engine.ts.
 */
import path from 'node:path';

import { Credentials, ExecuteContext, ExecutionLifecycleHooks, PackageDirectoryLoader, WorkflowExecute } from 'n8n-core';
import type {
	ICredentialsHelper,
	ICredentialType,
	IConnections,
	IDataObject,
	IHttpRequestOptions,
	INode,
	INodeParameters,
	INodeType,
	INodeTypes,
	IRun,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	OnError,
} from 'n8n-workflow';
import { createRunExecutionData, NodeHelpers, Workflow } from 'n8n-workflow';

export type { OnError };
export type OfAuthCredentials = { apiKey: string; baseUrl: string };

// n8n-core's logger prints every NodeApiError stack to stdout; runs are judged by their items and errors.
process.env.N8N_LOG_LEVEL ??= 'silent';

export const PACKAGE_ROOT = path.resolve(__dirname, '..');
export const CREDENTIAL_TYPE = 'ofAuthApi';
export const CREDENTIAL_REF = { id: 'cred-ofauth-1', name: 'OFAuth account' };
const NODE_NAME = 'Vault+ Sync';
const NODE_TYPE = 'n8n-nodes-ofauth-vault-plus.vaultPlusSync';

async function load() {
	const loader = new PackageDirectoryLoader(PACKAGE_ROOT);
	await loader.loadAll();
	// getNode throws for a type the package does not have; workflows name types as `<package>.<node>`.
	const byName = (type: string) => loader.getNode(type.slice(type.indexOf('.') + 1)).type;
	const nodeTypes: INodeTypes = {
		getByName: byName,
		getByNameAndVersion: (type, version) => NodeHelpers.getVersionedNodeType(byName(type), version),
		getKnownTypes: () => ({}),
	};
	const node = loader.nodeTypes.vaultPlusSync.type as INodeType;
	return { loader, nodeTypes, node, credential: loader.credentialTypes[CREDENTIAL_TYPE].type };
}
let loading: ReturnType<typeof load> | undefined;

/** Loads the built package the way n8n does, so a wrong path in package.json's "n8n" section fails every run. */
export const loadPackage = () => (loading ??= load());

/** What n8n-core reads while it runs these nodes; the credentials helper hands out `credentials` and calls `authenticate`. */
export function createAdditionalData(credentialType: ICredentialType, credentials: OfAuthCredentials, hooks?: ExecutionLifecycleHooks) {
	const credentialsHelper: ICredentialsHelper = {
		async authenticate(decrypted, typeName, request) {
			const { authenticate } = credentialType;
			if (typeName !== credentialType.name || typeof authenticate !== 'function') {
				throw new Error(`The test credentials helper calls only ${credentialType.name}'s authenticate function, not ${typeName}'s`);
			}
			return await authenticate(decrypted, request as IHttpRequestOptions);
		},
		getDecrypted: async () => ({ ...credentials }),
		getCredentials: async (details, type) => new Credentials(details, type),
		getCredentialsProperties: () => credentialType.properties,
		getParentTypes: () => [],
		isCredentialUsableByNode: () => true,
		// The CLI returns undefined for credential types without an expirable property, as ours.
		preAuthentication: async () => undefined,
		runPreAuthentication: async () => undefined,
		updateCredentials: async () => {},
		updateCredentialsOauthTokenData: async () => {},
	};
	return {
		credentialsHelper,
		hooks,
		currentNodeExecutionIndex: 0,
		executionId: 'test-execution',
		variables: {},
		// $execution.resumeUrl, built for every parameter read, parses these.
		webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
		formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
	} as unknown as IWorkflowExecuteAdditionalData;
}

export interface WorkflowOptions {
	credentials: OfAuthCredentials;
	items?: IDataObject[];
	nodeTypes?: INodeTypes;
	connections?: IConnections;
}

/** Starts a workflow in n8n-core's real WorkflowExecute at its first node; `cancel` is the Stop button. */
export async function startWorkflow(nodes: INode[], options: WorkflowOptions): Promise<{ cancel(): void; done: Promise<IRun> }> {
	const pkg = await loadPackage();
	const connections = options.connections ?? {};
	const nodeTypes = options.nodeTypes ?? pkg.nodeTypes;
	const workflow = new Workflow({ id: 'wf-vault-plus', nodes, connections, active: false, nodeTypes, settings: {} });
	const workflowData = { id: workflow.id, name: 'Vault+ Sync test', nodes, connections } as unknown as IWorkflowBase;
	const hooks = new ExecutionLifecycleHooks('manual', 'test-execution', workflowData);
	const finished = new Promise<IRun>((resolve) => hooks.addHandler('workflowExecuteAfter', (run) => resolve(run)));
	const items = (options.items ?? [{}]).map((json) => ({ json }));
	const nodeExecutionStack = [{ node: nodes[0], data: { main: [items] }, source: null }];
	const runExecutionData = createRunExecutionData({ executionData: { nodeExecutionStack } });
	const additionalData = createAdditionalData(pkg.credential, options.credentials, hooks);
	const execution = new WorkflowExecute(additionalData, 'manual', runExecutionData).processRunExecutionData(workflow);
	// A workflow n8n refuses to start rejects `execution`; a cancelled one never settles it.
	return { cancel: () => execution.cancel(), done: Promise.race([finished, execution.then(async () => await finished)]) };
}

export type SyncRunOptions = Pick<WorkflowOptions, 'credentials' | 'items'> & { parameters: INodeParameters; onError?: OnError };

export function syncNode(parameters: INodeParameters, onError?: OnError): INode {
	const credentials = { [CREDENTIAL_TYPE]: CREDENTIAL_REF };
	return { id: 'vault-plus-sync', name: NODE_NAME, type: NODE_TYPE, typeVersion: 1, position: [0, 0], parameters, credentials, onError };
}

/** What the Vault+ Sync node of syncNode() did: its items on the regular and error outputs, its error (as n8n stores it), its hints. */
export function syncResult(run: IRun) {
	const task = run.data.resultData.runData[NODE_NAME]?.[0];
	const [output, errorOutput] = task?.data?.main ?? [];
	const error = task?.error as IDataObject | undefined;
	return { run, output: output ?? [], errorOutput: errorOutput ?? [], error, hints: task?.hints ?? [] };
}
export type SyncRun = ReturnType<typeof syncResult>;

/** Runs the Vault+ Sync node through n8n-core's real WorkflowExecute with the given input items. */
export async function runSync(options: SyncRunOptions): Promise<SyncRun> {
	const { done } = await startWorkflow([syncNode(options.parameters, options.onError)], options);
	return syncResult(await done);
}

/** An ExecuteContext for one node of the given type, as n8n-core builds it for a node run. */
export async function executeContextFor(node: INode, nodeType: INodeType, credentials: OfAuthCredentials): Promise<ExecuteContext> {
	const nodeTypes = { getByName: () => nodeType, getByNameAndVersion: () => nodeType, getKnownTypes: () => ({}) };
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	const additionalData = createAdditionalData((await loadPackage()).credential, credentials);
	const input = { main: [[{ json: {} }]] };
	const executeData = { node, data: {}, source: null };
	return new ExecuteContext(workflow, node, additionalData, 'internal', createRunExecutionData(), 0, [], input, executeData, []);
}

/** The helpers n8n gives the node (httpRequest, …) outside any run: the benchmarks' bare-loop baseline. */
export async function nodeHelpers(credentials: OfAuthCredentials) {
	return (await executeContextFor(syncNode({}), (await loadPackage()).node, credentials)).helpers;
}
