/** Names shared by the pieces that drive a real n8n. */
export const PACKAGE_NAME = 'n8n-nodes-ofauth-vault-plus';
/** CUSTOM.<name>: n8n loads the package from .n8n/custom/, not as an installed community package. */
export const NODE_TYPE = 'CUSTOM.vaultPlusSync';
export const TOOL_NODE_TYPE = 'CUSTOM.vaultPlusSyncTool';
export const CREDENTIAL_TYPE = 'ofAuthApi';
/** Fixed, test-only: credentials imported in one command must decrypt in the next. */
export const TEST_ENCRYPTION_KEY = 'ofauth-vault-plus-e2e-not-a-secret';
