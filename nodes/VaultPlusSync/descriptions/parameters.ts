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

export const listIdParameter: INodeProperties = {
	displayName: 'Vault List',
	name: 'listId',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
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

export const optionsParameter: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add option',
	default: {},
	options: [
		{
			displayName: 'Output Unsynced Results',
			name: 'outputUnsyncedResults',
			type: 'boolean',
			default: false,
			description:
				'Whether to output a result in which OFAuth reports synced: false as a regular item instead of stopping with an error',
		},
	],
};

export interface SyncOptions {
	outputUnsyncedResults?: boolean;
}
