import {
	ExecuteContext,
	ExecutionLifecycleHooks,
	LoadOptionsContext,
	RoutingNode,
	WorkflowExecute,
} from 'n8n-core';
import type {
	ICredentialType,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	INode,
	INodeCredentialTestResult,
	INodeExecutionData,
	INodeListSearchResult,
	INodeParameters,
	INodeType,
	INodeTypes,
	IRun,
	IRunExecutionData,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	Logger,
	NodeExecutionHint,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { createRunExecutionData, LoggerProxy, Workflow } from 'n8n-workflow';

import { TestCredentialsHelper, type OfAuthCredentials } from './credentials-helper';
import { CREDENTIAL_TYPE, loadPackage, NODE_TYPE } from './package';

export const NODE_NAME = 'Vault+ Sync';

/** Resource locator values as the editor stores them. */
export const byId = (value: string) => ({ __rl: true, mode: 'id', value });
export const fromList = (value: string) => ({ __rl: true, mode: 'list', value });
const CREDENTIAL_REF = { id: 'cred-ofauth-1', name: 'OFAuth account' };

/** Every line n8n logs during the tests, so tests can prove the API key never reaches a log. */
export const capturedLogs: string[] = [];
const capture =
	(level: string) =>
	(message: string, metadata?: unknown): void => {
		let meta = '';
		try {
			meta = metadata === undefined ? '' : JSON.stringify(metadata);
		} catch {
			meta = String(metadata);
		}
		capturedLogs.push(`${level} ${message} ${meta}`);
	};
const capturingLogger: Logger = {
	error: capture('error'),
	warn: capture('warn'),
	info: capture('info'),
	debug: capture('debug'),
};
/** n8n-core's own Logger takes over LoggerProxy when it is first created, so take it back per run. */
function captureLogs(): void {
	LoggerProxy.init(capturingLogger);
}

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

export function createAdditionalData(
	helper: TestCredentialsHelper,
	hooks?: ExecutionLifecycleHooks,
): IWorkflowExecuteAdditionalData {
	const unsupported = async () => {
		throw new Error('not available in the engine tests');
	};
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
		restApiUrl: 'http://127.0.0.1:5678/rest',
		instanceBaseUrl: 'http://127.0.0.1:5678/',
		formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
		webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
		userId: 'test-user',
	} as unknown as IWorkflowExecuteAdditionalData;
}

function syncNode(parameters: INodeParameters, onError?: OnError): INode {
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

/** Wraps the node type so a test can see when its execute() really returns. */
function watchNodeExecution(nodeTypes: INodeTypes, withoutExecutionHints = false): { nodeTypes: INodeTypes; settled: Promise<void> } {
	let markSettled = () => {};
	const settled = new Promise<void>((resolve) => {
		markSettled = resolve;
	});
	return {
		settled,
		nodeTypes: {
			...nodeTypes,
			getByNameAndVersion(type, version) {
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
			},
		},
	};
}

/** Starts the Vault+ Sync node in n8n-core's real WorkflowExecute with the given input items. */
export async function startSync(options: SyncRunOptions): Promise<RunningSync> {
	const pkg = await loadPackage();
	captureLogs();
	const node = syncNode(options.parameters, options.onError);
	const workflowData = {
		id: 'wf-vault-plus',
		name: 'Vault+ Sync test',
		active: false,
		nodes: [node],
		connections: {},
		settings: {},
		createdAt: new Date(),
		updatedAt: new Date(),
	} as unknown as IWorkflowBase;
	const watched = watchNodeExecution(pkg.nodeTypes, options.withoutExecutionHints);
	const workflow = new Workflow({
		id: workflowData.id,
		name: workflowData.name,
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: watched.nodeTypes,
		settings: {},
	});

	const hooks = new ExecutionLifecycleHooks('manual', 'test-execution', workflowData);
	const finished = new Promise<IRun>((resolve) => {
		hooks.addHandler('workflowExecuteAfter', (run) => resolve(run));
	});
	const helper = new TestCredentialsHelper(pkg.credential, options.credentials);
	const items = (options.items ?? [{}]).map((json) => ({ json }));
	const runExecutionData: IRunExecutionData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [{ node, data: { main: [items] }, source: null }],
		},
	});

	const mode: WorkflowExecuteMode = 'manual';
	const execution = new WorkflowExecute(createAdditionalData(helper, hooks), mode, runExecutionData).processRunExecutionData(
		workflow,
	);
	// A workflow n8n refuses to start rejects `execution`; a cancelled one never settles it.
	const done = Promise.race([finished, execution.then(async () => await finished)]).then((run): SyncRun => {
		const task = run.data.resultData.runData[NODE_NAME]?.[0];
		return {
			run,
			output: task?.data?.main?.[0] ?? [],
			errorOutput: task?.data?.main?.[1] ?? [],
			error: task?.error as IDataObject | undefined,
			hints: task?.hints ?? [],
		};
	});
	return { cancel: () => execution.cancel(), nodeSettled: watched.settled, done };
}

/** Runs the Vault+ Sync node through n8n-core's real WorkflowExecute with the given input items. */
export async function runSync(options: SyncRunOptions): Promise<SyncRun> {
	return await (await startSync(options)).done;
}

/** Calls a list-search method the way the editor does, through n8n-core's LoadOptionsContext. */
export async function searchList(
	method: 'searchConnections' | 'searchVaultLists',
	options: {
		credentials: OfAuthCredentials;
		parameters?: INodeParameters;
		filter?: string;
		paginationToken?: string;
	},
): Promise<INodeListSearchResult> {
	const pkg = await loadPackage();
	captureLogs();
	const node = syncNode(options.parameters ?? {});
	const workflow = new Workflow({
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: pkg.nodeTypes,
	});
	const helper = new TestCredentialsHelper(pkg.credential, options.credentials);
	const context = new LoadOptionsContext(
		workflow,
		node,
		{ ...createAdditionalData(helper), currentNodeParameters: node.parameters },
		`parameters.${method === 'searchConnections' ? 'connectionId' : 'listId'}`,
	);
	const fn = pkg.node.methods?.listSearch?.[method];
	if (!fn) throw new Error(`list search ${method} is missing`);
	return await fn.call(context, options.filter, options.paginationToken);
}

/** An ExecuteContext for one node of the given type, as n8n-core builds it for a node run. */
function executeContextFor(
	node: INode,
	nodeType: INodeType,
	credentials: OfAuthCredentials,
	credentialType: ICredentialType,
): ExecuteContext {
	const workflow = new Workflow({
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: {
			getByName: () => nodeType,
			getByNameAndVersion: () => nodeType,
			getKnownTypes: () => ({}),
		},
	});
	return new ExecuteContext(
		workflow,
		node,
		createAdditionalData(new TestCredentialsHelper(credentialType, credentials)),
		'internal',
		{ resultData: { runData: {} } } as IRunExecutionData,
		0,
		[],
		{ main: [[{ json: {} }]] },
		{ node, data: {}, source: null },
		[],
	);
}

/**
 * The helpers n8n gives the Vault+ Sync node (httpRequest, httpRequestWithAuthentication, …), outside
 * any workflow run: what a bare loop of requests would use, for the benchmarks' baseline.
 */
export async function nodeHelpers(credentials: OfAuthCredentials): Promise<IExecuteFunctions['helpers']> {
	const pkg = await loadPackage();
	const context = executeContextFor(syncNode({}), pkg.node, credentials, pkg.credential);
	return context.helpers;
}

/**
 * Runs the credential's `test` request as the n8n CLI's CredentialsTester does: a throwaway node type
 * whose only parameter routes the test request, executed by n8n-core's RoutingNode, then the rules.
 */
export async function testCredential(credentials: OfAuthCredentials): Promise<INodeCredentialTestResult> {
	const pkg = await loadPackage();
	captureLogs();
	const testRequest = pkg.credential.test;
	if (!testRequest) throw new Error('the credential has no test');
	const probeType: INodeType = {
		description: {
			displayName: 'Credential Test',
			name: 'credentialTest',
			group: ['transform'],
			version: 1,
			description: '',
			defaults: {},
			inputs: [],
			outputs: [],
			credentials: [{ name: CREDENTIAL_TYPE, required: true }],
			properties: [
				{ displayName: 'Temp', name: 'temp', type: 'string', default: '', routing: { request: testRequest.request } },
			],
		},
	};
	const node: INode = {
		id: 'temp',
		name: 'Temp-Node',
		type: 'credentialTest',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
		credentials: { [CREDENTIAL_TYPE]: CREDENTIAL_REF },
	};
	const context = executeContextFor(node, probeType, credentials, pkg.credential);
	try {
		await new RoutingNode(context, probeType, { id: CREDENTIAL_REF.id, name: CREDENTIAL_REF.name, type: CREDENTIAL_TYPE, data: credentials }).runNode();
	} catch (error) {
		const status = (error as { cause?: { response?: { status?: number; statusText?: string } } }).cause
			?.response;
		if (status?.status !== undefined) {
			const rule = testRequest.rules?.find(
				(candidate) => candidate.type === 'responseCode' && candidate.properties.value === status.status,
			);
			if (rule && rule.type === 'responseCode') return { status: 'Error', message: rule.properties.message };
			return { status: 'Error', message: status.statusText || `Received HTTP status code: ${status.status}` };
		}
		return { status: 'Error', message: (error as Error).message };
	}
	return { status: 'OK', message: 'Connection successful!' };
}

/** The authenticate header that n8n's expression engine would compute for these credentials. */
export type Authenticated = { sent: IDataObject; headers: IDataObject } | { refused: string };

/**
 * What the credential makes of one request, as n8n's credentials helper applies it before sending:
 * the request with its headers, or the refusal n8n would show.
 */
export async function authenticateRequest(
	credentials: OfAuthCredentials,
	request: IDataObject = { url: 'https://api.ofauth.com/v2/account/whoami' },
): Promise<Authenticated> {
	const pkg = await loadPackage();
	const node = syncNode({});
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes: pkg.nodeTypes });
	const helper = new TestCredentialsHelper(pkg.credential, credentials);
	try {
		const sent = await helper.authenticate(credentials, CREDENTIAL_TYPE, { ...request } as unknown as IHttpRequestOptions, workflow, node);
		return { sent: sent as unknown as IDataObject, headers: (sent.headers ?? {}) as IDataObject };
	} catch (error) {
		return { refused: (error as Error).message };
	}
}
