import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';

import type { SyncOptions } from '../descriptions/parameters';
import { itemParameterReader } from '../helpers/itemParameters';
import { runScheduled } from '../helpers/scheduler';
import { openSession, type OfAuthSession } from '../transport';
import { performSync, prepareSync } from './syncList';

type NodeError = NodeApiError | NodeOperationError;

export const DEFAULT_MAX_CONCURRENT = 10;
export const DEFAULT_MAX_PER_CONNECTION = 1;

/** Items read between two chances for started requests to go out. */
const DESCRIBE_BATCH = 16;

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
 */
export async function executeSyncs(context: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const count = context.getInputData().length;
	if (count === 0) return [[]];
	const continueOnFail = context.continueOnFail();
	const read = itemParameterReader(context);

	let session: OfAuthSession | Error;
	try {
		session = await openSession(context, 0);
	} catch (caught) {
		if (!continueOnFail) throw asNodeError(context, caught, 0);
		session = caught as Error;
	}
	// Concurrency is a property of the whole run, so the first item's options set it.
	const options = read('options', 0, {}) as SyncOptions;
	const signal = context.getExecutionCancelSignal();

	const settled = await runScheduled(
		count,
		(itemIndex) => {
			const sync = prepareSync(context, read, itemIndex);
			return {
				group: sync.connectionId,
				resource: sync.listId,
				run: async () => {
					if (session instanceof Error) throw session;
					return await performSync(context, session, sync);
				},
			};
		},
		{
			maxConcurrent: limit(options.maxConcurrent, DEFAULT_MAX_CONCURRENT),
			maxPerGroup: limit(options.maxPerConnection, DEFAULT_MAX_PER_CONNECTION),
			// Without continue-on-fail the node fails: start nothing more, let running syncs finish.
			stopOnFailure: !continueOnFail,
			shouldStop: () => signal?.aborted === true,
			yieldToEventLoop: async () => await sleep(0),
			describeBatch: DESCRIBE_BATCH,
		},
	);

	const output: INodeExecutionData[] = [];
	let failure: NodeError | undefined;
	settled.forEach((result, itemIndex) => {
		if (result?.status === 'fulfilled') {
			output.push(result.value);
		} else if (result?.status === 'rejected') {
			const error = asNodeError(context, result.reason, itemIndex);
			if (continueOnFail) output.push(errorItem(error, itemIndex));
			else failure ??= error;
		}
	});
	if (failure) throw failure;
	return [output];
}
