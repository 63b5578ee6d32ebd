/**
 * What the editor asks a running n8n about this package: an axios instance that signs in and keeps
 * the auth cookie as the editor's browser does, a resource locator's list, a credential test, the
 * node types it lists.
 */
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';

/** CUSTOM.<name>: n8n loads the package from .n8n/custom/, not as an installed community package. */
export const NODE_TYPE = 'CUSTOM.vaultPlusSync';

export type OwnerDetails = { email: string; password: string; firstName: string; lastName: string };

/** n8n wraps REST answers as {data: …}. */
export const unwrap = <T>(body: unknown): T => (body && typeof body === 'object' && 'data' in body ? (body as { data: T }).data : body) as T;

/** An axios instance for `baseURL` with a one-host cookie jar; errors show the answer's body. */
function createApi(baseURL: string): AxiosInstance {
	const jar = new Map<string, string>();
	// Any constant browser-id: n8n binds the auth cookie to a hash of this header when it is sent at login.
	const api = axios.create({ baseURL, timeout: 60_000, headers: { 'browser-id': 'ofauth-vault-plus-e2e-browser' }, maxContentLength: 200 * 1024 * 1024 });
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
			error.message = `${config?.method?.toUpperCase()} ${config?.url} → ${status}: ${String(JSON.stringify(data)).slice(0, 500)}`;
		}
		return Promise.reject(error);
	});
	return api;
}

/** POST /rest/owner/setup at `url`; when the user folder has its owner already, that owner logs in. */
export async function setupOwner(url: string, owner: OwnerDetails): Promise<AxiosInstance> {
	const api = createApi(url);
	try {
		await api.post('/rest/owner/setup', owner);
		return api;
	} catch (error) {
		if (!/→ 400: .*already/i.test((error as Error).message)) throw error;
	}
	// 1.x/2.x LoginRequestDto reads emailOrLdapLoginId; older builds read email. Extra keys are ignored.
	await api.post('/rest/login', { emailOrLdapLoginId: owner.email, email: owner.email, password: owner.password });
	return api;
}

export interface ListSearchRequest {
	methodName: string;
	/** The node's parameters as the editor holds them (resource locators as {__rl, mode, value}). */
	currentNodeParameters: Record<string, unknown>;
	/** The node's credentials: { ofAuthApi: { id, name } }. */
	credentials: Record<string, { id: string | null; name: string }>;
	filter?: string;
}

/**
 * What the editor's resource locator sends when its list opens (or is searched); it builds the
 * request in ResourceLocator.vue from the node, the parameter's path and the mode's searchListMethod:
 *
 *   POST /rest/dynamic-node-parameters/resource-locator-results      (auth cookie)
 *   { "nodeTypeAndVersion": { "name": "CUSTOM.vaultPlusSync", "version": 1 },
 *     "path": "parameters.connectionId", "methodName": "searchConnections",
 *     "currentNodeParameters": { … }, "credentials": { "ofAuthApi": { "id": "…", "name": "…" } },
 *     "filter": "alice" }              // filter only when the user typed in the search box
 *   → 200 { "data": { "results": [ { "name": "Alice Sandbox (@alice_sbx)", "value": "conn_alice" }, … ],
 *                     "paginationToken": "…" } }      // paginationToken absent on the last page
 *
 * Differences: n8n 1.123.81 (@n8n/api-types 0.57.32) takes paginationToken as a string only; 2.41.1
 * also takes a number and has an optional workflowId. Unknown keys are dropped. An error thrown by the
 * list-search method comes back as HTTP 500 { "code": 0, "message": "<error message>" } (without its
 * description); the editor shows the message in the dropdown.
 */
export async function listSearch(
	api: AxiosInstance,
	request: ListSearchRequest,
): Promise<{ results: Array<{ name: string; value: string | number; url?: string }>; paginationToken?: string | number }> {
	const body = {
		nodeTypeAndVersion: { name: NODE_TYPE, version: 1 },
		path: request.methodName === 'searchConnections' ? 'parameters.connectionId' : 'parameters.listId',
		...request,
	};
	return unwrap((await api.post('/rest/dynamic-node-parameters/resource-locator-results', body)).data);
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
 * A failed test is still HTTP 200; only `status` says so. n8n looks the id up among the credentials
 * the user may read and merges the saved values into fields the editor sends redacted, then runs the
 * credential type's `test` request with `data`. Differences: with an id that is not a saved credential,
 * 1.123.81 answers 403 Forbidden, while 2.41.1 tests the given data as is when the id is '' and the
 * user is the owner (credential:manageInstance), and answers 403 for any other unknown id.
 */
export async function testCredential(
	api: AxiosInstance,
	credentials: { id: string; name: string; type: string; data: Record<string, unknown> },
): Promise<{ status: 'OK' | 'Error'; message: string }> {
	return unwrap((await api.post('/rest/credentials/test', { credentials })).data);
}

/** GET /types/nodes.json (needs the auth cookie) → the node type names it lists. */
export async function listedNodeTypes(api: AxiosInstance): Promise<string[]> {
	return ((await api.get('/types/nodes.json')).data as Array<{ name: string }>).map((t) => t.name);
}
