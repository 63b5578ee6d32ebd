import type { INodeProperties } from 'n8n-workflow';

/** OFAuth connection ids are opaque (e.g. conn_v5bsqkzsjfk8cgr7hqbbw09t); only their shape is checked. */
export const CONNECTION_ID_PATTERN = '^[\\x21-\\x7E]{1,200}$';

/** OnlyFans vault list ids are numbers; the API takes them as path strings. */
export const LIST_ID_PATTERN = '^[0-9]{1,20}$';

export const connectionIdParameter: INodeProperties = {
	displayName: 'Connection',
	name: 'connectionId',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	displayOptions: { show: { operation: ['syncList'] } },
	description: 'The OFAuth connection (an OnlyFans account linked through OFAuth Link) that owns the vault list',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select a connection...',
			typeOptions: {
				searchListMethod: 'searchConnections',
				searchable: true,
			},
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. conn_v5bsqkzsjfk8cgr7hqbbw09t',
			validation: [
				{
					type: 'regex',
					properties: {
						regex: CONNECTION_ID_PATTERN,
						errorMessage: 'A connection ID has no spaces, e.g. conn_v5bsqkzsjfk8cgr7hqbbw09t',
					},
				},
			],
		},
	],
};

/** The same 'Connection' for Sync All Lists, shown only while it syncs the selected connection. */
export const selectedConnectionParameter: INodeProperties = {
	...connectionIdParameter,
	displayOptions: { show: { operation: ['syncAllLists'], connectionScope: ['selected'] } },
	description: 'The OFAuth connection (an OnlyFans account linked through OFAuth Link) whose vault lists to sync',
};

export const connectionScopeParameter: INodeProperties = {
	displayName: 'Connections',
	name: 'connectionScope',
	type: 'options',
	noDataExpression: true,
	options: [
		{
			name: 'All Active Connections',
			value: 'allActive',
			description:
				'Every connection of the API key, read from OFAuth on each run. Connections that need reconnecting come out as items with \'skipped\' true.',
		},
		{
			name: 'Selected Connection',
			value: 'selected',
			description: "The connection chosen in 'Connection'",
		},
	],
	default: 'selected',
	displayOptions: { show: { operation: ['syncAllLists'] } },
	description: 'Whose vault lists to sync',
};

export const connectionFilterParameter: INodeProperties = {
	displayName: 'Connection Filter',
	name: 'connectionFilter',
	type: 'string',
	default: '',
	placeholder: 'e.g. alice',
	displayOptions: { show: { operation: ['syncAllLists'], connectionScope: ['allActive'] } },
	description:
		"Only sync connections whose account name or username contains this text (ignoring case). Empty syncs every connection.",
};

export const operationParameter: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	options: [
		{
			name: 'Sync All Lists',
			value: 'syncAllLists',
			action: 'Sync all vault lists of connection',
			description: 'Sync every vault list of the connection that passes the filters, one output item per list',
		},
		{
			name: 'Sync List',
			value: 'syncList',
			action: 'Sync vault list',
			description: 'Sync one vault list, one output item per input item',
		},
	],
	default: 'syncList',
};

export const VAULT_LIST_TYPES = ['custom', 'messages', 'posts', 'stories', 'streams', 'media_stickers'] as const;

export const listTypesParameter: INodeProperties = {
	displayName: 'List Types',
	name: 'listTypes',
	type: 'multiOptions',
	options: [
		{ name: 'Custom Lists', value: 'custom' },
		{ name: 'Media Stickers', value: 'media_stickers' },
		{ name: 'Messages', value: 'messages' },
		{ name: 'Posts', value: 'posts' },
		{ name: 'Stories', value: 'stories' },
		{ name: 'Streams', value: 'streams' },
	],
	default: ['custom'],
	displayOptions: { show: { operation: ['syncAllLists'] } },
	description: "Which kinds of vault list to sync. 'Custom Lists' are the ones the creator made. Empty syncs lists of every type.",
};

export const nameFilterParameter: INodeProperties = {
	displayName: 'Name Filter',
	name: 'nameFilter',
	type: 'string',
	default: '',
	placeholder: 'e.g. Promo',
	displayOptions: { show: { operation: ['syncAllLists'] } },
	description: 'Only sync lists whose name contains this text (ignoring case). Empty syncs every list of the chosen types.',
};

export const listIdParameter: INodeProperties = {
	displayName: 'Vault List',
	name: 'listId',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	displayOptions: { show: { operation: ['syncList'] } },
	description: 'The OnlyFans vault list whose media the Vault+ cache should mirror',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select a vault list...',
			typeOptions: {
				searchListMethod: 'searchVaultLists',
				searchable: true,
			},
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. 28489180',
			validation: [
				{
					type: 'regex',
					properties: {
						regex: LIST_ID_PATTERN,
						errorMessage: 'A vault list ID is digits only, e.g. 28489180',
					},
				},
			],
		},
	],
};

/** Its numeric options' defaults and ranges are the ones the code falls back to and clamps to (optionLimits.ts). */
export const optionsParameter: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add option',
	default: {},
	options: [
		{
			displayName: 'Add Summary',
			name: 'addSummary',
			type: 'boolean',
			default: false,
			description:
				"Whether to add 'changed' (whether anything was added, updated, removed or adopted) and a one-line 'summary' of the counts, ready for an IF or a Slack node",
		},
		{
			displayName: 'Max Concurrent per Connection',
			name: 'maxPerConnection',
			type: 'number',
			default: 1,
			typeOptions: { minValue: 1, maxValue: 10 },
			description:
				'How many syncs of one connection may run at once. Above 1, syncs of one OnlyFans account compete for its rate limit and lists that share media may race over who owns it; two syncs of the same list never overlap.',
		},
		{
			displayName: 'Max Concurrent Requests',
			name: 'maxConcurrent',
			type: 'number',
			default: 10,
			typeOptions: { minValue: 1, maxValue: 100 },
			description: 'How many syncs may run at once across all connections',
		},
		{
			displayName: 'Max Retries',
			name: 'maxRetries',
			type: 'number',
			default: 4,
			typeOptions: { minValue: 0, maxValue: 10 },
			description:
				'How many times to try again after a rate limit (429), an OFAuth server issue (500, 502, 503, 504), a timeout or a dropped connection. Other answers are never retried.',
		},
		{
			displayName: 'Max Wait',
			name: 'maxWait',
			type: 'number',
			default: 60,
			typeOptions: { minValue: 0, maxValue: 600, numberPrecision: 3 },
			description:
				"The longest wait before one retry, in seconds (at most 600), even when OFAuth asks for longer ('Retry-After' or 'X-RateLimit-Reset')",
		},
		{
			displayName: 'Output Unsynced Results',
			name: 'outputUnsyncedResults',
			type: 'boolean',
			default: false,
			description:
				"Whether to output a result in which OFAuth reports 'synced' as false as a regular item instead of stopping with an error",
		},
		{
			displayName: 'Timeout',
			name: 'timeout',
			type: 'number',
			default: 300,
			typeOptions: { minValue: 0.1, maxValue: 3600, numberPrecision: 3 },
			description:
				'How long one attempt may take, in seconds (0.1 to 3600), from sending the request to the last byte of the answer. A sync reads the whole OnlyFans list, so large lists take a while.',
		},
	],
};

export interface SyncOptions {
	addSummary?: boolean;
	outputUnsyncedResults?: boolean;
	maxConcurrent?: number;
	maxPerConnection?: number;
	maxRetries?: number;
	/** Seconds. */
	maxWait?: number;
	/** Seconds. */
	timeout?: number;
}
