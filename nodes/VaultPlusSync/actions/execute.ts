import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { SyncOptions } from '../descriptions/parameters';
import { runScheduled } from '../helpers/scheduler';
import { performSync, prepareSync, type PreparedSync } from './syncList';

type NodeError = NodeApiError | NodeOperationError;

export const DEFAULT_MAX_CONCURRENT = 10;
export const DEFAULT_MAX_PER_CONNECTION = 1;

function asNodeError(context: IExecuteFunctions, caught: unknown, itemIndex: number): NodeError {
	return caught instanceof NodeApiError || caught instanceof NodeOperationError
		? caught
		: new NodeOperationError(context.getNode(), caught as Error, { itemIndex });
}

/** Only error/message/details keys: n8n then routes the item to the error output when there is one. */
function errorItem(error: NodeError, itemIndex: number): INodeExecutionData {
	return {
		json: {
			error: error.message,
			details: {
				...(error.description ? { description: error.description } : {}),
				...(error instanceof NodeApiError && error.httpCode ? { httpCode: error.httpCode } : {}),
				itemIndex,
			},
		},
		pairedItem: { item: itemIndex },
	};
}

function limit(value: unknown, fallback: number): number {
	return typeof value === 'number' && Number.isFinite(value) && value >= 1 ? Math.floor(value) : fallback;
}

/**
 * Syncs every input item: different connections at once, each connection's items one after another in
 * input order (by default), never two syncs of one list at the same time, output in input order.
 * Bad parameters are refused before anything is sent.
 */
export async function executeSyncs(context: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = context.getInputData();
	const continueOnFail = context.continueOnFail();
	const output: Array<INodeExecutionData | undefined> = new Array(items.length);

	const prepared: PreparedSync[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			prepared.push(prepareSync(context, itemIndex));
		} catch (caught) {
			const error = asNodeError(context, caught, itemIndex);
			if (!continueOnFail) throw error;
			output[itemIndex] = errorItem(error, itemIndex);
		}
	}

	// Concurrency is a property of the whole run, so the first item's options set it.
	const options: SyncOptions = prepared[0]?.options ?? {};
	const signal = context.getExecutionCancelSignal();
	const settled = await runScheduled(
		prepared.map((sync) => ({
			group: sync.connectionId,
			resource: sync.listId,
			run: async () => await performSync(context, sync),
		})),
		{
			maxConcurrent: limit(options.maxConcurrent, DEFAULT_MAX_CONCURRENT),
			maxPerGroup: limit(options.maxPerConnection, DEFAULT_MAX_PER_CONNECTION),
			// Without continue-on-fail the node fails: start nothing more, let running syncs finish.
			stopOnFailure: !continueOnFail,
			shouldStop: () => signal?.aborted === true,
		},
	);

	let failure: { error: NodeError; itemIndex: number } | undefined;
	settled.forEach((result, at) => {
		const { itemIndex } = prepared[at];
		if (result?.status === 'fulfilled') {
			output[itemIndex] = result.value;
		} else if (result?.status === 'rejected') {
			const error = asNodeError(context, result.reason, itemIndex);
			if (continueOnFail) output[itemIndex] = errorItem(error, itemIndex);
			else if (!failure || itemIndex < failure.itemIndex) failure = { error, itemIndex };
		}
	});
	if (failure) throw failure.error;
	return [output.filter((item): item is INodeExecutionData => item !== undefined)];
}
