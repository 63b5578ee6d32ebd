/** Names and limits shared by the pieces that drive a real n8n. */

export const PACKAGE_NAME = 'n8n-nodes-ofauth-vault-plus';
/** CUSTOM.<name>: n8n loads the package from .n8n/custom/, not as an installed community package. */
export const NODE_TYPE = 'CUSTOM.vaultPlusSync';
export const TOOL_NODE_TYPE = 'CUSTOM.vaultPlusSyncTool';
export const CREDENTIAL_TYPE = 'ofAuthApi';
/** Fixed, test-only: credentials imported in one command must decrypt in the next. */
export const TEST_ENCRYPTION_KEY = 'ofauth-vault-plus-e2e-not-a-secret';

export const DEFAULT_COMMAND_TIMEOUT_MS = 180_000;
export const DEFAULT_START_TIMEOUT_MS = 90_000;
/** Between SIGTERM and SIGKILL, for CLI commands and `n8n start` alike. */
export const STOP_GRACE_MS = 10_000;
