import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeApiError, NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { syncList } from './actions/syncList';
import { connectionIdParameter, listIdParameter, optionsParameter } from './descriptions/parameters';
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
		subtitle: '={{ "Sync list " + ($parameter["listId"].cachedResultName || $parameter["listId"].value || "") }}',
		description: 'Keep the OFAuth Vault+ media cache in step with an OnlyFans vault list',
		defaults: { name: 'Vault+ Sync' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'ofAuthApi', required: true }],
		properties: [connectionIdParameter, listIdParameter, optionsParameter],
	};

	methods = {
		listSearch: { searchConnections, searchVaultLists },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const output: INodeExecutionData[] = [];

		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			try {
				output.push(await syncList.call(this, itemIndex));
			} catch (caught) {
				const error =
					caught instanceof NodeApiError || caught instanceof NodeOperationError
						? caught
						: new NodeOperationError(this.getNode(), caught as Error, { itemIndex });
				if (!this.continueOnFail()) throw error;
				// Only error/message/details keys: n8n then routes the item to the error output when
				// one is configured, and keeps these fields on the regular output otherwise.
				output.push({
					json: {
						error: error.message,
						details: {
							...(error.description ? { description: error.description } : {}),
							...(error instanceof NodeApiError && error.httpCode ? { httpCode: error.httpCode } : {}),
							itemIndex,
						},
					},
					pairedItem: { item: itemIndex },
				});
			}
		}
		return [output];
	}
}
