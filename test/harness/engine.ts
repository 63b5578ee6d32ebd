/**
 * The engine tests' harness: the package in n8n-core's real engine comes from scripts/n8n-engine.ts
 * (shared with `npm run bench`); what only the tests need is here: the captured logs, a run that can be
 * cancelled, the list search, the credential test and the credential's authentication as n8n runs them.
 */
import { LoadOptionsContext, RoutingNode } from 'n8n-core';
import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	INode,
	INodeCredentialTestResult,
	INodeListSearchResult,
	INodeParameters,
	INodeType,
	INodeTypes,
	Logger,
} from 'n8n-workflow';
import { LoggerProxy, Workflow } from 'n8n-workflow';

import {
	createAdditionalData,
	CREDENTIAL_REF,
	CREDENTIAL_TYPE,
	executeContextFor,
	loadPackage,
	startWorkflow,
	syncNode,
	syncResult,
	type OfAuthCredentials,
	type SyncRun,
	type SyncRunOptions,
} from '../../scripts/n8n-engine';

export {
	CREDENTIAL_REF,
	CREDENTIAL_TYPE,
	loadPackage,
	PACKAGE_ROOT,
	startWorkflow,
	type OfAuthCredentials,
	type OnError,
} from '../../scripts/n8n-engine';

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
const captureLogs = (): void => LoggerProxy.init(capturingLogger);

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

type TestSyncRunOptions = SyncRunOptions & {
	/** Runs the node in a context without addExecutionHints, as a host that lacks them would. */
	withoutExecutionHints?: boolean;
};

/** Starts the Vault+ Sync node in n8n-core's real WorkflowExecute (scripts/n8n-engine.ts), its logs captured. */
export async function startSync(options: TestSyncRunOptions): Promise<RunningSync> {
	const pkg = await loadPackage();
	captureLogs();
	const watched = watchNodeExecution(pkg.nodeTypes, options.withoutExecutionHints);
	const running = await startWorkflow([syncNode(options.parameters, options.onError)], { ...options, nodeTypes: watched.nodeTypes });
	return { cancel: running.cancel, nodeSettled: watched.settled, done: running.done.then(syncResult) };
}

/** Runs the Vault+ Sync node through n8n-core's real WorkflowExecute with the given input items. */
export async function runSync(options: TestSyncRunOptions): Promise<SyncRun> {
	return await (await startSync(options)).done;
}

/** Resource locator values as the editor stores them. */
export const byId = (value: string) => ({ __rl: true, mode: 'id', value });
export const fromList = (value: string) => ({ __rl: true, mode: 'list', value });

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
	const context = new LoadOptionsContext(
		workflow,
		node,
		{ ...createAdditionalData(pkg.credential, options.credentials), currentNodeParameters: node.parameters },
		`parameters.${method === 'searchConnections' ? 'connectionId' : 'listId'}`,
	);
	const fn = pkg.node.methods?.listSearch?.[method];
	if (!fn) throw new Error(`list search ${method} is missing`);
	return await fn.call(context, options.filter, options.paginationToken);
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
	const context = await executeContextFor(node, probeType, credentials);
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

/** The request as the credential sent it (with its headers), or the refusal n8n would show. */
export type Authenticated = { sent: IDataObject; headers: IDataObject } | { refused: string };

/** What the credential makes of one request, as n8n's credentials helper applies it before sending. */
export async function authenticateRequest(
	credentials: OfAuthCredentials,
	request: IDataObject = { url: 'https://api.ofauth.com/v2/account/whoami' },
): Promise<Authenticated> {
	const { credentialsHelper } = createAdditionalData((await loadPackage()).credential, credentials);
	try {
		const sent = await credentialsHelper.authenticate(credentials, CREDENTIAL_TYPE, { ...request } as unknown as IHttpRequestOptions);
		return { sent: sent as unknown as IDataObject, headers: (sent.headers ?? {}) as IDataObject };
	} catch (error) {
		return { refused: (error as Error).message };
	}
}
