/**
 * The engine tests' harness: the package in n8n-core's real engine comes from scripts/n8n-engine.ts
 * (shared with `npm run bench`); what only the tests need is here: the list search, the credential
 * test and the credential's authentication as n8n runs them.
 */
import { LoadOptionsContext, RoutingNode } from 'n8n-core';
import type { IDataObject, IHttpRequestOptions, INode, INodeCredentialTestResult, INodeListSearchResult, INodeParameters, INodeType } from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import {
	captureLogs,
	createAdditionalData,
	CREDENTIAL_REF,
	CREDENTIAL_TYPE,
	EngineCredentialsHelper,
	executeContextFor,
	loadPackage,
	syncNode,
	type OfAuthCredentials,
} from '../../scripts/n8n-engine';

export {
	capturedLogs,
	createAdditionalData,
	CREDENTIAL_TYPE,
	EngineCredentialsHelper,
	loadPackage,
	NODE_NAME,
	NODE_TYPE,
	PACKAGE_ROOT,
	runSync,
	startSync,
	type OfAuthCredentials,
	type OnError,
} from '../../scripts/n8n-engine';

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
	const helper = new EngineCredentialsHelper(pkg.credential, options.credentials);
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

/** The request as the credential sent it (with its headers), or the refusal n8n would show. */
export type Authenticated = { sent: IDataObject; headers: IDataObject } | { refused: string };

/** What the credential makes of one request, as n8n's credentials helper applies it before sending. */
export async function authenticateRequest(
	credentials: OfAuthCredentials,
	request: IDataObject = { url: 'https://api.ofauth.com/v2/account/whoami' },
): Promise<Authenticated> {
	const pkg = await loadPackage();
	const node = syncNode({});
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes: pkg.nodeTypes });
	const helper = new EngineCredentialsHelper(pkg.credential, credentials);
	try {
		const sent = await helper.authenticate(credentials, CREDENTIAL_TYPE, { ...request } as unknown as IHttpRequestOptions, workflow, node);
		return { sent: sent as unknown as IDataObject, headers: (sent.headers ?? {}) as IDataObject };
	} catch (error) {
		return { refused: (error as Error).message };
	}
}
