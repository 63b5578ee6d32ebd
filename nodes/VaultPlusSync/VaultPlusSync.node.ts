import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { executeSyncs } from './actions/execute';
import {
	connectionFilterParameter,
	connectionIdParameter,
	connectionScopeParameter,
	listIdParameter,
	listTypesParameter,
	nameFilterParameter,
	operationParameter,
	optionsParameter,
	selectedConnectionParameter,
} from './descriptions/parameters';
import { searchConnections, searchVaultLists } from './methods/listSearch';

/**
 * Programmatic rather than declarative: the sync needs OFAuth-specific error mapping (an expired
 * OnlyFans session is not a bad API key), a checked response shape and a refusal of insecure base URLs.
 */
export class VaultPlusSync implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Vault+ Sync',
		name: 'vaultPlusSync',
		icon: { light: 'file:vaultPlusSync.svg', dark: 'file:vaultPlusSync.dark.svg' },
		group: ['transform'],
		version: 1,
		// $parameter gives a resource locator's value only; its raw form (toJSON, in the editor's default
		// expression engine) also has the picked list's name. Otherwise the typed ID; nothing for an expression.
		subtitle:
			'={{ $parameter["operation"] === "syncAllLists" ? "Sync all lists" : ("Sync list " + ((($parameter.toJSON ? $parameter.toJSON().listId : null) || {}).cachedResultName || (String($rawParameter["listId"] || "").startsWith("=") ? "" : $rawParameter["listId"] || ""))).trim() }}',
		description: 'Keep the OFAuth Vault+ media cache in step with an OnlyFans vault list',
		defaults: { name: 'Vault+ Sync' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'ofAuthApi', required: true }],
		properties: [
			operationParameter,
			connectionScopeParameter,
			connectionIdParameter,
			selectedConnectionParameter,
			connectionFilterParameter,
			listIdParameter,
			listTypesParameter,
			nameFilterParameter,
			optionsParameter,
		],
	};

	methods = {
		listSearch: { searchConnections, searchVaultLists },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await executeSyncs(this);
	}
}
