/**
 * The built package in n8n-core's real engine, in this process: loaded as n8n loads it (from package.json's
 * "n8n" section), workflows run by WorkflowExecute, and the helpers n8n hands a node. Used by `npm run bench`
 * and the engine tests (test/harness/engine.ts adds what only they need).
 */
import path from 'node:path';

import { Credentials, ExecuteContext, ExecutionLifecycleHooks, PackageDirectoryLoader, WorkflowExecute } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject, ICredentialType, IConnections, IDataObject, IExecuteFunctions, IHttpRequestOptions, INode,
	INodeCredentialsDetails, INodeExecutionData, INodeParameters, INodeType, INodeTypes, IRun, IRunExecutionData, IWorkflowBase,
	IWorkflowExecuteAdditionalData, NodeExecutionHint,
} from 'n8n-workflow';
import { createRunExecutionData, ICredentialsHelper, NodeHelpers, Workflow } from 'n8n-workflow';

// n8n-core's logger prints every NodeApiError stack to stdout; runs are judged by their items and errors.
process.env.N8N_LOG_LEVEL = process.env.N8N_LOG_LEVEL ?? 'silent';

const PACKAGE_NAME = 'n8n-nodes-ofauth-vault-plus';
export const PACKAGE_ROOT = path.resolve(__dirname, '..');
export const CREDENTIAL_TYPE = 'ofAuthApi';
export const CREDENTIAL_REF = { id: 'cred-ofauth-1', name: 'OFAuth account' };
const NODE_NAME = 'Vault+ Sync';

export interface OfAuthCredentials extends ICredentialDataDecryptedObject {
	apiKey: string;
	baseUrl: string;
}

export interface LoadedPackage {
	loader: PackageDirectoryLoader;
	nodeTypes: INodeTypes;
	node: INodeType;
	credential: ICredentialType;
}

let loading: Promise<LoadedPackage> | undefined;

/** Loads the built package the way n8n does, so a wrong path in package.json's "n8n" section fails every run. */
export async function loadPackage(): Promise<LoadedPackage> {
	loading ??= (async () => {
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
	})();
	return await loading;
}

/**
 * Stands in for the n8n CLI's CredentialsHelper, which lives outside n8n-core. authenticate() does what
 * the CLI does for a credential type whose `authenticate` is a function, as ours: it calls it.
 */
export class EngineCredentialsHelper extends ICredentialsHelper {
	constructor(
		private readonly credentialType: ICredentialType,
		private readonly data: OfAuthCredentials,
	) {
		super();
	}

	async authenticate(credentials: ICredentialDataDecryptedObject, typeName: string, incoming: object): Promise<IHttpRequestOptions> {
		const request = incoming as IHttpRequestOptions;
		const { authenticate } = this.credentialType;
		if (typeName !== this.credentialType.name || typeof authenticate !== 'function') return request;
		return await authenticate(credentials, request);
	}

	getDecrypted = async (): Promise<ICredentialDataDecryptedObject> => ({ ...this.data });
	getCredentials = async (details: INodeCredentialsDetails, type: string) => new Credentials(details, type);
	getCredentialsProperties = () => this.credentialType.properties;
	getParentTypes = () => [];
	isCredentialUsableByNode = () => true;
	/** The CLI returns undefined for credential types without an expirable property, as ours. */
	preAuthentication = async () => undefined;
	runPreAuthentication = async () => undefined;
	updateCredentials = async () => {};
	updateCredentialsOauthTokenData = async () => {};
}

/** What n8n-core reads while it runs these nodes; the rest (sub-workflows, task runners, …) is the CLI's. */
export function createAdditionalData(helper: EngineCredentialsHelper, hooks?: ExecutionLifecycleHooks): IWorkflowExecuteAdditionalData {
	return {
		credentialsHelper: helper,
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
	const additionalData = createAdditionalData(new EngineCredentialsHelper(pkg.credential, options.credentials), hooks);
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
	return {
		id: 'vault-plus-sync',
		name: NODE_NAME,
		type: `${PACKAGE_NAME}.vaultPlusSync`,
		typeVersion: 1,
		position: [0, 0],
		parameters,
		credentials: { [CREDENTIAL_TYPE]: CREDENTIAL_REF },
		...(onError ? { onError } : {}),
	};
}

/** What the Vault+ Sync node did in a run of a workflow from syncNode(). */
export function syncResult(run: IRun): SyncRun {
	const task = run.data.resultData.runData[NODE_NAME]?.[0];
	const main = task?.data?.main ?? [];
	return { run, output: main[0] ?? [], errorOutput: main[1] ?? [], error: task?.error as IDataObject | undefined, hints: task?.hints ?? [] };
}

/** Runs the Vault+ Sync node through n8n-core's real WorkflowExecute with the given input items. */
export async function runSync(options: SyncRunOptions): Promise<SyncRun> {
	const { done } = await startWorkflow([syncNode(options.parameters, options.onError)], options);
	return syncResult(await done);
}

/** An ExecuteContext for one node of the given type, as n8n-core builds it for a node run. */
export function executeContextFor(node: INode, nodeType: INodeType, credentials: OfAuthCredentials, credentialType: ICredentialType): ExecuteContext {
	const nodeTypes = { getByName: () => nodeType, getByNameAndVersion: () => nodeType, getKnownTypes: () => ({}) };
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	const additionalData = createAdditionalData(new EngineCredentialsHelper(credentialType, credentials));
	const runData = { resultData: { runData: {} } } as IRunExecutionData;
	return new ExecuteContext(workflow, node, additionalData, 'internal', runData, 0, [], { main: [[{ json: {} }]] }, { node, data: {}, source: null }, []);
}

/** The helpers n8n gives the node (httpRequest, …) outside any run: the benchmarks' bare-loop baseline. */
export async function nodeHelpers(credentials: OfAuthCredentials): Promise<IExecuteFunctions['helpers']> {
	const pkg = await loadPackage();
	return executeContextFor(syncNode({}), pkg.node, credentials, pkg.credential).helpers;
}
