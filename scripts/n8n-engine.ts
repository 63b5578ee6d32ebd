/**
 * The built package in n8n-core's real engine, in this process: loaded as n8n loads it (from package.json's
 * "n8n" section), workflows run by WorkflowExecute, and the helpers n8n hands a node. Used by `npm run bench`
 * and the engine tests (test/harness/engine.ts adds what only they need).
 */
import path from 'node:path';

import { Credentials, ExecuteContext, ExecutionLifecycleHooks, PackageDirectoryLoader, WorkflowExecute } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject, ICredentialsHelper, ICredentialType, IConnections, IDataObject, IExecuteFunctions,
	IHttpRequestOptions, INode, INodeExecutionData, INodeParameters, INodeType, INodeTypes, IRun, IRunExecutionData,
	IWorkflowBase, IWorkflowExecuteAdditionalData, NodeExecutionHint,
} from 'n8n-workflow';
import { createRunExecutionData, NodeHelpers, Workflow } from 'n8n-workflow';

// n8n-core's logger prints every NodeApiError stack to stdout; runs are judged by their items and errors.
process.env.N8N_LOG_LEVEL = process.env.N8N_LOG_LEVEL ?? 'silent';

const PACKAGE_NAME = 'n8n-nodes-ofauth-vault-plus';
export const PACKAGE_ROOT = path.resolve(__dirname, '..');
export const CREDENTIAL_TYPE = 'ofAuthApi';
export const CREDENTIAL_REF = { id: 'cred-ofauth-1', name: 'OFAuth account' };
const NODE_NAME = 'Vault+ Sync';
const NODE_TYPE = `${PACKAGE_NAME}.vaultPlusSync`;

export type OfAuthCredentials = ICredentialDataDecryptedObject & { apiKey: string; baseUrl: string };

async function load() {
	const loader = new PackageDirectoryLoader(PACKAGE_ROOT);
	await loader.loadAll();
	const byName = (type: string) => {
		const loaded = loader.nodeTypes[type.replace(`${PACKAGE_NAME}.`, '')];
		if (!loaded) throw new Error(`Unknown node type ${type}`);
		return loaded.type;
	};
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

/**
 * What n8n-core reads while it runs these nodes; the rest (sub-workflows, task runners, …) is the CLI's. The credentials
 * helper stands in for the CLI's: it hands out `credentials` and calls the credential type's `authenticate` function.
 */
export function createAdditionalData(
	credentialType: ICredentialType,
	credentials: OfAuthCredentials,
	hooks?: ExecutionLifecycleHooks,
): IWorkflowExecuteAdditionalData {
	const credentialsHelper: ICredentialsHelper = {
		async authenticate(decrypted, typeName, request) {
			const { authenticate } = credentialType;
			if (typeName !== credentialType.name || typeof authenticate !== 'function') return request as IHttpRequestOptions;
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
	/** Input items of the first node (default: one empty item). */
	items?: IDataObject[];
	/** Default: the package's node types. */
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
	const runExecutionData = createRunExecutionData({
		executionData: { nodeExecutionStack: [{ node: nodes[0], data: { main: [items] }, source: null }] },
	});
	const additionalData = createAdditionalData(pkg.credential, options.credentials, hooks);
	const execution = new WorkflowExecute(additionalData, 'manual', runExecutionData).processRunExecutionData(workflow);
	// A workflow n8n refuses to start rejects `execution`; a cancelled one never settles it.
	return { cancel: () => execution.cancel(), done: Promise.race([finished, execution.then(async () => await finished)]) };
}

export type OnError = 'stopWorkflow' | 'continueRegularOutput' | 'continueErrorOutput';

export interface SyncRunOptions extends Pick<WorkflowOptions, 'credentials' | 'items'> {
	parameters: INodeParameters;
	onError?: OnError;
}

/** The node's items on its regular and error outputs, its error when the run stopped (as n8n stores it), its hints. */
export interface SyncRun {
	run: IRun;
	output: INodeExecutionData[];
	errorOutput: INodeExecutionData[];
	error?: IDataObject;
	hints: NodeExecutionHint[];
}

export function syncNode(parameters: INodeParameters, onError?: OnError): INode {
	const credentials = { [CREDENTIAL_TYPE]: CREDENTIAL_REF };
	return { id: 'vault-plus-sync', name: NODE_NAME, type: NODE_TYPE, typeVersion: 1, position: [0, 0], parameters, credentials, onError };
}

/** What the Vault+ Sync node did in a run of a workflow from syncNode(). */
export function syncResult(run: IRun): SyncRun {
	const task = run.data.resultData.runData[NODE_NAME]?.[0];
	const [output, errorOutput] = task?.data?.main ?? [];
	const error = task?.error as IDataObject | undefined;
	return { run, output: output ?? [], errorOutput: errorOutput ?? [], error, hints: task?.hints ?? [] };
}

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
	const runData = { resultData: { runData: {} } } as IRunExecutionData;
	const input = { main: [[{ json: {} }]] };
	return new ExecuteContext(workflow, node, additionalData, 'internal', runData, 0, [], input, { node, data: {}, source: null }, []);
}

/** The helpers n8n gives the node (httpRequest, …) outside any run: the benchmarks' bare-loop baseline. */
export async function nodeHelpers(credentials: OfAuthCredentials): Promise<IExecuteFunctions['helpers']> {
	return (await executeContextFor(syncNode({}), (await loadPackage()).node, credentials)).helpers;
}
