/**
 * The built package in n8n-core's real engine, in this process: loaded as n8n loads it
 * (PackageDirectoryLoader reads package.json's "n8n" section and requires dist/), the Vault+ Sync node
 * run by WorkflowExecute, and the helpers n8n hands a node. The engine tests (test/harness/engine.ts
 * adds their test-only helpers) and `npm run bench` both use it.
 */
import path from 'node:path';

import { Credentials, ExecuteContext, ExecutionLifecycleHooks, PackageDirectoryLoader, WorkflowExecute } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentials,
	ICredentialType,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeExecutionData,
	INodeParameters,
	INodeProperties,
	INodeType,
	INodeTypes,
	IRequestOptionsSimplified,
	IRun,
	IRunExecutionData,
	IVersionedNodeType,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	Logger,
	NodeExecutionHint,
} from 'n8n-workflow';
import { createRunExecutionData, ICredentialsHelper, isExpression, LoggerProxy, NodeHelpers, Workflow } from 'n8n-workflow';

// n8n-core's logger prints every NodeApiError stack to stdout; runs are judged by their items and errors.
process.env.N8N_LOG_LEVEL = process.env.N8N_LOG_LEVEL ?? 'silent';

export const PACKAGE_NAME = 'n8n-nodes-ofauth-vault-plus';
export const PACKAGE_ROOT = path.resolve(__dirname, '..');
export const NODE_TYPE = `${PACKAGE_NAME}.vaultPlusSync`;
export const CREDENTIAL_TYPE = 'ofAuthApi';
export const NODE_NAME = 'Vault+ Sync';
export const CREDENTIAL_REF = { id: 'cred-ofauth-1', name: 'OFAuth account' };

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
		const byName = (type: string): INodeType | IVersionedNodeType => {
			const loaded = loader.nodeTypes[type.startsWith(`${PACKAGE_NAME}.`) ? type.slice(PACKAGE_NAME.length + 1) : type];
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
 * Stands in for the n8n CLI's CredentialsHelper, which lives outside n8n-core. authenticate() follows
 * the CLI's algorithm for generic auth: every key and value of `authenticate.properties` is resolved
 * as an expression over $credentials by the workflow's real expression engine and set on the request.
 */
export class EngineCredentialsHelper extends ICredentialsHelper {
	constructor(
		private readonly credentialType: ICredentialType,
		private readonly data: OfAuthCredentials,
	) {
		super();
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		incoming: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const request = incoming as IHttpRequestOptions & Record<string, unknown>;
		const { authenticate } = this.credentialType;
		if (typeName !== this.credentialType.name || !authenticate) return request;
		if (typeof authenticate === 'function') return await authenticate(credentials, request);
		if (!workflow || !node) throw new Error('generic authentication needs the workflow and node');
		const resolve = (value: string): string =>
			isExpression(value) ? String(workflow.expression.getSimpleParameterValue(node, value, 'internal', { $credentials: credentials }, undefined, '') || '') : value;
		for (const [outerKey, entries] of Object.entries(authenticate.properties)) {
			const target = (request[outerKey] ?? {}) as Record<string, string>;
			for (const [key, value] of Object.entries(entries as Record<string, string>)) target[resolve(key)] = resolve(value);
			request[outerKey] = target;
		}
		return request;
	}

	async getDecrypted(): Promise<ICredentialDataDecryptedObject> {
		return { ...this.data };
	}

	async getCredentials(details: INodeCredentialsDetails, type: string): Promise<ICredentials> {
		return new Credentials({ id: details.id, name: details.name }, type, '');
	}

	getCredentialsProperties(): INodeProperties[] {
		return this.credentialType.properties;
	}

	getParentTypes = () => [];
	isCredentialUsableByNode = () => true;
	/** The CLI returns undefined for credential types without an expirable property, as ours. */
	preAuthentication = async () => undefined;
	runPreAuthentication = async () => undefined;
	updateCredentials = async () => {};
	updateCredentialsOauthTokenData = async () => {};
}

/** Every line n8n logs during the runs, so tests can prove the API key never reaches a log. */
export const capturedLogs: string[] = [];
const capture = (level: string) => (message: string, metadata?: unknown) => {
	let meta = '';
	try {
		meta = metadata === undefined ? '' : JSON.stringify(metadata);
	} catch {
		meta = String(metadata);
	}
	capturedLogs.push(`${level} ${message} ${meta}`);
};
const capturingLogger: Logger = { error: capture('error'), warn: capture('warn'), info: capture('info'), debug: capture('debug') };
/** n8n-core's own Logger takes over LoggerProxy when it is first created, so take it back per run. */
export const captureLogs = (): void => LoggerProxy.init(capturingLogger);

export type OnError = 'stopWorkflow' | 'continueRegularOutput' | 'continueErrorOutput';

export interface SyncRun {
	run: IRun;
	/** Items on the regular output. */
	output: INodeExecutionData[];
	/** Items on the error output (only with continueErrorOutput). */
	errorOutput: INodeExecutionData[];
	/** The node's error when the workflow stopped, as n8n stores it (a plain object). */
	error?: IDataObject;
	/** The execution hints n8n shows on the node's output. */
	hints: NodeExecutionHint[];
}

export interface SyncRunOptions {
	credentials: OfAuthCredentials;
	parameters: INodeParameters;
	items?: IDataObject[];
	onError?: OnError;
	/** Runs the node in a context without addExecutionHints, as a host that lacks them would. */
	withoutExecutionHints?: boolean;
}

export function createAdditionalData(helper: EngineCredentialsHelper, hooks?: ExecutionLifecycleHooks): IWorkflowExecuteAdditionalData {
	const unsupported = async () => {
		throw new Error('not available in n8n-core alone');
	};
	const base = 'http://127.0.0.1:5678';
	return {
		credentialsHelper: helper,
		hooks,
		executeWorkflow: unsupported,
		getRunExecutionData: unsupported,
		startRunnerTask: unsupported,
		getRuntimeCredential: async () => undefined,
		logAiEvent: () => {},
		currentNodeExecutionIndex: 0,
		executionId: 'test-execution',
		variables: {},
		restApiUrl: `${base}/rest`,
		instanceBaseUrl: `${base}/`,
		formWaitingBaseUrl: `${base}/form-waiting`,
		webhookBaseUrl: `${base}/webhook`,
		webhookWaitingBaseUrl: `${base}/webhook-waiting`,
		webhookTestBaseUrl: `${base}/webhook-test`,
		userId: 'test-user',
	} as unknown as IWorkflowExecuteAdditionalData;
}

export function syncNode(parameters: INodeParameters, onError?: OnError): INode {
	return {
		id: 'vault-plus-sync',
		name: NODE_NAME,
		type: NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters,
		credentials: { [CREDENTIAL_TYPE]: CREDENTIAL_REF },
		...(onError ? { onError } : {}),
	};
}

export interface RunningSync {
	/** Cancels the execution, as the Stop button or an execution timeout does. */
	cancel(): void;
	/** Settles when the node's own execute() has returned or thrown, which may be after the run ended. */
	nodeSettled: Promise<void>;
	done: Promise<SyncRun>;
}

/** Wraps the node type so a caller can see when its execute() really returns. */
function watchNodeExecution(nodeTypes: INodeTypes, withoutExecutionHints = false): { nodeTypes: INodeTypes; settled: Promise<void> } {
	let markSettled = () => {};
	const settled = new Promise<void>((resolve) => (markSettled = resolve));
	const getByNameAndVersion: INodeTypes['getByNameAndVersion'] = (type, version) => {
		const real = nodeTypes.getByNameAndVersion(type, version);
		if (!real.execute) return real;
		const watched = Object.create(real) as INodeType;
		watched.execute = async function (this: IExecuteFunctions) {
			try {
				const context = withoutExecutionHints
					? (Object.assign(Object.create(this) as object, { addExecutionHints: undefined }) as unknown as IExecuteFunctions)
					: this;
				return await real.execute!.call(context);
			} finally {
				markSettled();
			}
		};
		return watched;
	};
	return { settled, nodeTypes: { ...nodeTypes, getByNameAndVersion } };
}

/** Starts the Vault+ Sync node in n8n-core's real WorkflowExecute with the given input items. */
export async function startSync(options: SyncRunOptions): Promise<RunningSync> {
	const pkg = await loadPackage();
	captureLogs();
	const node = syncNode(options.parameters, options.onError);
	const workflowData = { id: 'wf-vault-plus', name: 'Vault+ Sync test', active: false, nodes: [node], connections: {}, settings: {}, createdAt: new Date(), updatedAt: new Date() } as unknown as IWorkflowBase;
	const watched = watchNodeExecution(pkg.nodeTypes, options.withoutExecutionHints);
	const workflow = new Workflow({ id: workflowData.id, name: workflowData.name, nodes: [node], connections: {}, active: false, nodeTypes: watched.nodeTypes, settings: {} });
	const hooks = new ExecutionLifecycleHooks('manual', 'test-execution', workflowData);
	const finished = new Promise<IRun>((resolve) => hooks.addHandler('workflowExecuteAfter', (run) => resolve(run)));
	const helper = new EngineCredentialsHelper(pkg.credential, options.credentials);
	const items = (options.items ?? [{}]).map((json) => ({ json }));
	const runExecutionData: IRunExecutionData = createRunExecutionData({
		executionData: { nodeExecutionStack: [{ node, data: { main: [items] }, source: null }] },
	});
	const execution = new WorkflowExecute(createAdditionalData(helper, hooks), 'manual', runExecutionData).processRunExecutionData(workflow);
	// A workflow n8n refuses to start rejects `execution`; a cancelled one never settles it.
	const done = Promise.race([finished, execution.then(async () => await finished)]).then((run): SyncRun => {
		const task = run.data.resultData.runData[NODE_NAME]?.[0];
		return { run, output: task?.data?.main?.[0] ?? [], errorOutput: task?.data?.main?.[1] ?? [], error: task?.error as IDataObject | undefined, hints: task?.hints ?? [] };
	});
	return { cancel: () => execution.cancel(), nodeSettled: watched.settled, done };
}

/** Runs the Vault+ Sync node through n8n-core's real WorkflowExecute with the given input items. */
export async function runSync(options: SyncRunOptions): Promise<SyncRun> {
	return await (await startSync(options)).done;
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
