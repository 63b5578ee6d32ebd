import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { ReadParameter } from '../helpers/itemParameters';
import type { ScheduledTask, ScheduleLimits } from '../helpers/scheduler';
import type { OfAuthSession } from '../transport';
import { performSync, type PreparedSync } from './syncList';

type NodeError = NodeApiError | NodeOperationError;

export function asNodeError(context: IExecuteFunctions, caught: unknown, itemIndex: number): NodeError {
	return caught instanceof NodeApiError || caught instanceof NodeOperationError
		? caught
		: new NodeOperationError(context.getNode(), caught as Error, { itemIndex });
}

/**
 * Exactly `error` (what happened, naming the item) and `message` (what to do): the only shapes
 * n8n 1.x routes to the error output are {error} and {error, message}; n8n 2.x takes it too.
 */
function errorItem(error: NodeError, itemIndex: number): INodeExecutionData {
	const suffix = ` [item ${itemIndex}]`;
	return {
		json: {
			error: error.message.includes(suffix) ? error.message : `${error.message}${suffix}`,
			// n8n 1.x routes the item only when `message` is not empty.
			message: error.description?.trim() || 'Check the parameters of this item, then run the workflow again.',
		},
		pairedItem: { item: itemIndex },
	};
}

/**
 * Collects what each input item produced, in input order, as n8n expects: results, or error items
 * with continue-on-fail; without it, the earliest failure is thrown.
 */
export class Outputs {
	private readonly byItem: INodeExecutionData[][];
	private failure?: { error: NodeError; itemIndex: number };

	constructor(
		private readonly context: IExecuteFunctions,
		private readonly continueOnFail: boolean,
		count: number,
	) {
		this.byItem = Array.from({ length: count }, () => []);
	}

	add(itemIndex: number, item: INodeExecutionData): void {
		this.byItem[itemIndex].push(item);
	}

	fail(itemIndex: number, caught: unknown): void {
		const error = asNodeError(this.context, caught, itemIndex);
		if (this.continueOnFail) this.add(itemIndex, errorItem(error, itemIndex));
		else if (this.failure === undefined || itemIndex < this.failure.itemIndex) this.failure = { error, itemIndex };
	}

	get failed(): boolean {
		return this.failure !== undefined;
	}

	result(): INodeExecutionData[][] {
		if (this.failure) throw this.failure.error;
		return [this.byItem.flat()];
	}
}

/** What every operation's run shares: the node's context, its parameters, the session, the limits and the outputs. */
export interface Run {
	context: IExecuteFunctions;
	read: ReadParameter;
	session: OfAuthSession | Error;
	limits: ScheduleLimits;
	outputs: Outputs;
}

/** One sync as the scheduler sees it; `prepared` gives the sync, read when first needed. */
export function syncTask(run: Run, group: string, resource: string, prepared: () => PreparedSync): ScheduledTask<INodeExecutionData> {
	return {
		group,
		resource,
		run: async () => {
			// The item's own bad input is its error, before a refused credential.
			const sync = prepared();
			if (run.session instanceof Error) throw run.session;
			return await performSync(run.context, run.session, sync);
		},
	};
}
