/**
 * Drives a real n8n (a runtime from ./n8n-runtime.ts) with this package installed the way a user
 * gets it: the `npm pack` tarball, unpacked into a throwaway N8N_USER_FOLDER.
 *
 *   const runtime = await ensureRuntime('n8n2');
 *   const tarball = await packPackage(repoRoot);
 *   const n8n = await createUserFolder(runtime, tarball);
 *   await n8n.importCredentials([...]); await n8n.importWorkflows([...]);
 *   const { exitCode, run } = await n8n.execute('wfId');
 *   const server = await n8n.start(); const api = await server.setupOwner(OWNER);
 *   await listSearch(api, { methodName: 'searchConnections', ... }); await testCredential(api, {...});
 *   await server.stop(); await n8n.cleanup();
 *
 * Why the tarball and not a symlink to the dev folder: the dev folder has its own
 * node_modules/n8n-workflow, so `instanceof NodeApiError` across the two copies fails and n8n's
 * error handling changes. The packed copy has no node_modules and resolves n8n's own n8n-workflow.
 *
 * The package lands in $N8N_USER_FOLDER/.n8n/custom/…, which n8n loads with its CustomDirectoryLoader:
 * node types are then `CUSTOM.<name>` (CUSTOM.vaultPlusSync, and CUSTOM.vaultPlusSyncTool for the
 * AI-tool variant), not `n8n-nodes-ofauth-vault-plus.<name>` as for an installed community package.
 *
 * This file is the public door; the work lives in ./n8n/: pack.ts (the tarball), user-folder.ts
 * (the folder and its CLI commands), run-output.ts (what `n8n execute` prints), server.ts
 * (`n8n start`), rest.ts (signing in, and what the editor asks), constants.ts. Child processes and
 * free ports: ./process.ts.
 */
export {
	CREDENTIAL_TYPE,
	NODE_TYPE,
	PACKAGE_NAME,
	TEST_ENCRYPTION_KEY,
	TOOL_NODE_TYPE,
} from './n8n/constants';
export { packPackage } from './n8n/pack';
export { freePort, type CommandResult } from './process';
export {
	createUserFolder,
	type ExecuteResult,
	type N8nInstance,
	type N8nInstanceOptions,
} from './n8n/user-folder';
export { nodeOutput, parseRun, type N8nRunLike } from './n8n/run-output';
export { type RunningN8n } from './n8n/server';
export {
	listedNodeTypes,
	listSearch,
	type OwnerDetails,
	testCredential,
	type CredentialTestData,
	type CredentialTestResult,
	type ListSearchRequest,
	type ListSearchResult,
} from './n8n/rest';
