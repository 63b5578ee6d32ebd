/**
 * What the editor asks a running n8n about this package, for the e2e and UI suites: a resource
 * locator's list, a credential test, the node types it lists. Sign-in: scripts/n8n-instance.ts.
 */
import type { AxiosInstance } from 'axios';

import { CUSTOM_NODE_TYPE } from '../../scripts/demo/workflows';
import { unwrap } from '../../scripts/n8n-instance';

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
		nodeTypeAndVersion: { name: CUSTOM_NODE_TYPE, version: 1 },
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
