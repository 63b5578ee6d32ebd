/**
 * The nightly job as it runs at night, in `n8n start`: the imported nightlyJobWorkflows (../demo/workflows.ts)
 * published (2.x) or activated (1.x), n8n's scheduler firing them. The demo waits for one night, the nightly
 * test (test/e2e/nightly.ts) for several.
 */
import type { DemoSetup } from '../demo/setup';
import { ERROR_WORKFLOW_ID, NIGHTLY_WORKFLOW_ID } from '../demo/workflows';
import { listExecutions, publishWorkflow, type OwnerDetails } from '../n8n-instance';
import { until } from '../process';
import type { ReceivedMail } from './mailbox';

export type NightlyJob = Awaited<ReturnType<typeof startNightlyJob>>;

const RUNNING = new Set(['new', 'running', 'waiting', 'unknown']);

/** Whether an email names the nightly job's execution `id`: the summaries by id, the error workflow by its page's URL. */
export const namesExecution = (mail: ReceivedMail, id: string) =>
	mail.text.includes(`(execution ${id})`) || new RegExp(`/workflow/${NIGHTLY_WORKFLOW_ID}/executions/${id}(\\s|$)`).test(mail.text);

/** Publishes the imported nightly job, starts n8n and signs `owner` in. */
export async function startNightlyJob({ instance }: DemoSetup, owner: OwnerDetails) {
	await publishWorkflow(instance, NIGHTLY_WORKFLOW_ID);
	// 2.x runs only a published error workflow (its published version); 1.x runs the saved one and
	// cannot activate a workflow whose only trigger is the Error Trigger.
	if (instance.runtime.n8nVersion.startsWith('2.')) await publishWorkflow(instance, ERROR_WORKFLOW_ID);
	const server = await instance.start();
	const api = await server.setupOwner(owner);
	/** Every execution of a workflow so far, oldest first. */
	const executions = (workflowId: string) => listExecutions(api, workflowId);
	return {
		server,
		executions,
		/** The workflow's `count`th execution, once it has finished. */
		finished: (workflowId: string, count: number) =>
			until(`execution ${count} of workflow ${workflowId} to finish`, 60_000, async () => {
				const wanted = (await executions(workflowId))[count - 1];
				return wanted && !RUNNING.has(wanted.status) ? wanted : undefined;
			}),
	};
}
