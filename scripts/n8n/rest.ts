/**
 * What the editor asks a running n8n about this package: an axios instance that signs in and keeps
 * the auth cookie as the editor's browser does, a resource locator's list, a credential test, the
 * node types it lists.
 */
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';

import { CREDENTIAL_TYPE, NODE_TYPE } from './constants';

/** Any constant: n8n binds the auth cookie to a hash of this header when it is sent at login. */
const BROWSER_ID = 'ofauth-vault-plus-e2e-browser';

export interface OwnerDetails {
	email: string;
	password: string;
	firstName: string;
	lastName: string;
}

const truncate = (text: string | undefined = '', max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const httpError = (what: string, response: AxiosResponse) => new Error(`${what} → ${response.status}: ${truncate(JSON.stringify(response.data), 800)}`);
/** n8n wraps REST answers as {data: …}. */
export const unwrap = <T>(body: unknown): T => (body && typeof body === 'object' && 'data' in body ? (body as { data: T }).data : body) as T;

/** An axios instance for `baseURL` with the browser-id header and a one-host cookie jar, errors showing the body. */
function createApi(baseURL: string): AxiosInstance {
	const jar = new Map<string, string>();
	const api = axios.create({ baseURL, timeout: 60_000, headers: { 'browser-id': BROWSER_ID }, maxContentLength: 200 * 1024 * 1024 });
	// Keep whatever n8n sets (n8n-auth is refreshed on some responses).
	const adopt = (response: AxiosResponse) => {
		for (const cookie of response.headers['set-cookie'] ?? []) {
			const [, name, value] = /^\s*([^=;]+)=([^;]*)/.exec(cookie) ?? [];
			if (!name) continue;
			if (value.trim() === '' || /expires=Thu, 01 Jan 1970/i.test(cookie)) jar.delete(name.trim());
			else jar.set(name.trim(), value.trim());
		}
		api.defaults.headers.common.Cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
		return response;
	};
	api.interceptors.response.use(adopt, (error) => {
		if (error?.response) {
			const { status, config, data } = adopt(error.response as AxiosResponse);
			error.message = `${config?.method?.toUpperCase()} ${config?.url} → ${status}: ${truncate(JSON.stringify(data), 500)}`;
		}
		return Promise.reject(error);
	});
	return api;
}

/** POST /rest/owner/setup at `url`; a reused user folder already has its owner, so that logs in instead. */
export async function setupOwner(url: string, owner: OwnerDetails): Promise<AxiosInstance> {
	const api = createApi(url);
	const response = await api.post('/rest/owner/setup', owner, { validateStatus: () => true });
	if (response.status === 200) return api;
	if (response.status === 400 && /already/i.test(JSON.stringify(response.data))) return login(url, owner);
	throw httpError('POST /rest/owner/setup', response);
}

export async function login(url: string, user: Pick<OwnerDetails, 'email' | 'password'>): Promise<AxiosInstance> {
	const api = createApi(url);
	// 1.x/2.x LoginRequestDto reads emailOrLdapLoginId; older builds read email. Extra keys are ignored.
	const body = { emailOrLdapLoginId: user.email, email: user.email, password: user.password };
	const response = await api.post('/rest/login', body, { validateStatus: () => true });
	if (response.status !== 200) throw httpError('POST /rest/login', response);
	return api;
}

export interface ListSearchRequest {
	/** The listSearch method, e.g. 'searchConnections' or 'searchVaultLists'. */
	methodName: string;
	/** The resource-locator parameter, as the editor names it: 'parameters.<name>'. Default: parameters.connectionId for searchConnections, parameters.listId otherwise. */
	path?: string;
	/** Default NODE_TYPE (CUSTOM.vaultPlusSync) and version 1. */
	nodeType?: string;
	nodeVersion?: number;
	/** The node's parameters as the editor holds them (resource locators as {__rl, mode, value}). */
	currentNodeParameters?: Record<string, unknown>;
	/** The node's credentials: { ofAuthApi: { id, name } }. */
	credentials?: Record<string, { id: string | null; name: string }>;
	filter?: string;
	paginationToken?: string;
	/** 2.x (and late 1.x) accept the project whose data tables / credentials to use; optional. */
	projectId?: string;
}

export interface ListSearchResult {
	results: Array<{ name: string; value: string | number; url?: string; [key: string]: unknown }>;
	paginationToken?: string | number;
}

/**
 * What the editor's resource locator sends when its list opens (or is searched / scrolled); the
 * editor builds it in ResourceLocator.vue from the node (type, typeVersion, credentials), the
 * parameter's path and the mode's searchListMethod, after resolving the node's parameters.
 *
 *   POST /rest/dynamic-node-parameters/resource-locator-results      (auth cookie)
 *   {
 *     "nodeTypeAndVersion": { "name": "CUSTOM.vaultPlusSync", "version": 1 },
 *     "path": "parameters.connectionId",
 *     "methodName": "searchConnections",
 *     "currentNodeParameters": {
 *       "connectionId": { "__rl": true, "mode": "list", "value": "" },
 *       "listId": { "__rl": true, "mode": "list", "value": "" },
 *       "options": {}
 *     },
 *     "credentials": { "ofAuthApi": { "id": "ofauthCred000001", "name": "OFAuth sandbox" } },
 *     "filter": "alice",             // only when the user typed in the search box
 *     "paginationToken": "100"       // only when scrolling for the next page
 *   }
 *   → 200 { "data": { "results": [ { "name": "Alice Sandbox (@alice_sbx)", "value": "conn_alice" }, … ],
 *                     "paginationToken": "…" } }      // paginationToken absent on the last page
 *
 * Schema (ResourceLocatorRequestDto, @n8n/api-types): path, nodeTypeAndVersion{name, version},
 * currentNodeParameters (record), methodName (required here), credentials?, filter?,
 * paginationToken?, projectId?. Differences: n8n 1.123.81 (@n8n/api-types 0.57.32) takes
 * paginationToken as a string only; 2.41.1 also takes a number (turned into a string) and has an
 * optional workflowId. Unknown keys are dropped.
 *
 * An error thrown by the list-search method comes back as HTTP 500 with
 * { "code": 0, "message": "<error message>", "stacktrace": "…" } (the error's description is not
 * in the body); the editor shows the message in the dropdown.
 */
export async function listSearch(api: AxiosInstance, request: ListSearchRequest): Promise<ListSearchResult> {
	const body: Record<string, unknown> = {
		nodeTypeAndVersion: { name: request.nodeType ?? NODE_TYPE, version: request.nodeVersion ?? 1 },
		path: request.path ?? (request.methodName === 'searchConnections' ? 'parameters.connectionId' : 'parameters.listId'),
		methodName: request.methodName,
		currentNodeParameters: request.currentNodeParameters ?? {},
		...(request.credentials ? { credentials: request.credentials } : {}),
		...(request.filter ? { filter: request.filter } : {}),
		...(request.paginationToken !== undefined ? { paginationToken: request.paginationToken } : {}),
		...(request.projectId ? { projectId: request.projectId } : {}),
	};
	const response = await api.post('/rest/dynamic-node-parameters/resource-locator-results', body);
	return unwrap<ListSearchResult>(response.data);
}

export interface CredentialTestData {
	/** Present for a saved credential: n8n then fills in redacted/blank secrets from the stored copy. */
	id?: string;
	name?: string;
	type?: string;
	/** The credential's fields, e.g. { apiKey, baseUrl }. */
	data: Record<string, unknown>;
}

export interface CredentialTestResult {
	status: 'OK' | 'Error';
	message: string;
}

/**
 * What the editor's credential "Test" / save-and-test sends:
 *
 *   POST /rest/credentials/test      (auth cookie; the same body in 1.123.81 and 2.41.1)
 *   { "credentials": { "id": "ofauthCred000001", "name": "OFAuth sandbox", "type": "ofAuthApi",
 *                      "data": { "apiKey": "test-key", "baseUrl": "http://127.0.0.1:4010" } } }
 *   → 200 { "data": { "status": "OK", "message": "Connection successful!" } }
 *   → 200 { "data": { "status": "Error", "message": "<the matching rule's message, or the HTTP error>" } }
 *
 * A failed test is still HTTP 200; only `status` says so. Schema (TestCredentialRequestDto):
 * credentials{ id: string (required), name: string (default ''), type: string, data?: record }.
 * n8n looks the id up among the credentials the user may read and merges the saved values into
 * fields the editor sends redacted, then runs the credential type's `test` request with `data`.
 * Differences: with an id that is not a saved credential (e.g. '' for one not saved yet),
 * 1.123.81 answers 403 Forbidden, while 2.41.1 tests the given data as is when the id is '' and the
 * user is the owner (credential:manageInstance), and answers 403 for any other unknown id.
 */
export async function testCredential(api: AxiosInstance, credential: CredentialTestData): Promise<CredentialTestResult> {
	const body = {
		credentials: {
			// 2.41.1's TestCredentialRequestDto requires id (a string); '' means "not saved yet".
			id: credential.id ?? '',
			name: credential.name ?? 'OFAuth credential under test',
			type: credential.type ?? CREDENTIAL_TYPE,
			data: credential.data,
		},
	};
	const response = await api.post('/rest/credentials/test', body);
	return unwrap<CredentialTestResult>(response.data);
}

/** GET /types/nodes.json (needs the auth cookie) → the node type names it lists. */
export async function listedNodeTypes(api: AxiosInstance): Promise<string[]> {
	const response = await api.get('/types/nodes.json');
	const types = response.data as Array<{ name: string }>;
	return types.map((t) => t.name);
}
