/**
 * Executions as n8n's main stored them (written by whichever worker ran them), read through the
 * REST API the editor uses. The run data comes back in n8n's `flatted` form; it is parsed with the
 * runtime's own copy of flatted.
 */
import { createRequire } from 'node:module';
import path from 'node:path';

import type { AxiosInstance } from 'axios';

import type { N8nRunLike } from '../n8n-instance';
import type { N8nRuntime } from '../n8n-runtime';

export interface ExecutionSummary {
	id: string;
	status: string;
	mode: string;
	workflowId: string;
	startedAt?: string;
	stoppedAt?: string;
}

export interface StoredExecution extends ExecutionSummary {
	/** The IRun's `data` (resultData.runData …), unflattened. */
	data: N8nRunLike['data'];
}

function unwrap<T>(body: unknown): T {
	return (body && typeof body === 'object' && 'data' in body ? (body as { data: T }).data : body) as T;
}

/** GET /rest/executions for one workflow (newest first, up to `limit`; n8n allows 1 to 100). */
export async function listExecutions(api: AxiosInstance, workflowId: string, limit = 100): Promise<ExecutionSummary[]> {
	const response = await api.get('/rest/executions', {
		params: { filter: JSON.stringify({ workflowId }), limit },
	});
	const page = unwrap<{ results: Array<ExecutionSummary & { id: string | number }> }>(response.data);
	return page.results.map((execution) => ({ ...execution, id: String(execution.id) }));
}

/** GET /rest/executions/:id with its run data. */
export async function getExecution(api: AxiosInstance, runtime: N8nRuntime, id: string): Promise<StoredExecution> {
	const response = await api.get(`/rest/executions/${id}`);
	const stored = unwrap<ExecutionSummary & { id: string | number; data: string }>(response.data);
	const flatted = createRequire(path.join(runtime.dir, 'node_modules', 'n8n', 'package.json'))('flatted') as {
		parse(text: string): unknown;
	};
	return { ...stored, id: String(stored.id), data: flatted.parse(stored.data) as N8nRunLike['data'] };
}
