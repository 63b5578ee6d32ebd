/**
 * The nightly job as it runs at night, in `n8n start`: the "sync every custom list" example and the
 * error workflow imported with a sandbox and an SMTP credential, published (2.x) or activated (1.x),
 * and n8n's scheduler firing it. `nextRun()` waits for the next execution the schedule starts, and
 * for the error workflow's execution when it failed, and returns them with the emails that name it.
 */
import type { AxiosInstance } from 'axios';

import type { DemoSetup } from '../demo/setup';
import { sandboxCredential } from '../demo/workflows';
import { publishWorkflow, unwrap, type OwnerDetails, type RunningN8n } from '../n8n-instance';
import { until } from '../process';
import type { ReceivedMail } from './mailbox';
import { ERROR_WORKFLOW_ID, NIGHTLY_WORKFLOW_ID, nightlyJobWorkflows, smtpCredential } from './workflows';

export interface ExecutionSummary {
	id: string;
	workflowId: string;
	/** 'trigger' for a schedule, 'error' for an error workflow. */
	mode: string;
	status: string;
	startedAt: string | null;
	stoppedAt: string | null;
}

export interface NightlyRun {
	execution: ExecutionSummary;
	/** The error workflow's execution for this run, when the run failed. */
	errorWorkflowRun?: ExecutionSummary;
	/** Every email received that names this execution (by its id or its URL), in the order received. */
	mails: ReceivedMail[];
	/**
	 * The path of the execution's page in the editor, as in the URL n8n gives the error workflow
	 * (`<instance URL><path>`; the instance URL says localhost in 1.123.81, 127.0.0.1 in 2.41.1).
	 */
	executionPath: string;
}

export interface NightlyJob {
	server: RunningN8n;
	api: AxiosInstance;
	nextRun(timeoutMs?: number): Promise<NightlyRun>;
	/**
	 * Runs `change` between two runs and checks that the schedule has not started another one
	 * meanwhile, so that the next run sees all of the change.
	 */
	between(change: () => unknown): Promise<void>;
	/** Every execution of a workflow so far, oldest first. */
	executions(workflowId: string): Promise<ExecutionSummary[]>;
	stop(): Promise<void>;
}

const RUNNING = new Set(['new', 'running', 'waiting', 'unknown']);

/** GET /rest/executions for one workflow (1.123.81 and 2.41.1 alike: {data: {results, count}}). */
async function listExecutions(api: AxiosInstance, workflowId: string): Promise<ExecutionSummary[]> {
	const response = await api.get('/rest/executions', { params: { filter: JSON.stringify({ workflowId }), limit: 100 } });
	const { results } = unwrap<{ results: ExecutionSummary[] }>(response.data);
	return results.map((execution) => ({ ...execution, id: String(execution.id) })).sort((a, b) => Number(a.id) - Number(b.id));
}

/** Waits until the workflow has at least `count` executions and the `count`th has finished. */
async function waitForExecution(api: AxiosInstance, workflowId: string, count: number, timeoutMs: number): Promise<ExecutionSummary> {
	return await until(`execution ${count} of workflow ${workflowId} to finish`, timeoutMs, async () => {
		const wanted = (await listExecutions(api, workflowId))[count - 1];
		return wanted && !RUNNING.has(wanted.status) ? wanted : undefined;
	});
}

export interface NightlyJobOptions {
	/** How often the schedule fires instead of every night (n8n's "Seconds" interval). */
	everySeconds: number;
	owner: OwnerDetails;
	log?: (line: string) => void;
}

export async function startNightlyJob(setup: DemoSetup, options: NightlyJobOptions): Promise<NightlyJob> {
	const { instance, sandbox, mailbox } = setup;
	const { nightly, onError } = nightlyJobWorkflows({ everySeconds: options.everySeconds });
	await instance.importCredentials([sandboxCredential(sandbox.url), smtpCredential(mailbox)]);
	await instance.importWorkflows([onError, nightly]);
	await publishWorkflow(instance, NIGHTLY_WORKFLOW_ID);
	// 2.x runs only a published error workflow (its published version); 1.x runs the saved one and
	// cannot activate a workflow whose only trigger is the Error Trigger.
	if (instance.runtime.n8nVersion.startsWith('2.')) await publishWorkflow(instance, ERROR_WORKFLOW_ID);

	const server = await instance.start();
	const api = await server.setupOwner(options.owner);
	let runs = 0;
	let errorRuns = 0;

	const namesExecution = (mail: ReceivedMail, id: string, executionPath: string) =>
		mail.text.includes(`(execution ${id})`) || new RegExp(`${executionPath}(\\s|$)`).test(mail.text);

	return {
		server,
		api,
		async nextRun(timeoutMs = 60_000) {
			const execution = await waitForExecution(api, NIGHTLY_WORKFLOW_ID, runs + 1, timeoutMs);
			runs += 1;
			let errorWorkflowRun: ExecutionSummary | undefined;
			if (execution.status !== 'success') {
				errorWorkflowRun = await waitForExecution(api, ERROR_WORKFLOW_ID, errorRuns + 1, timeoutMs);
				errorRuns += 1;
			}
			const executionPath = `/workflow/${NIGHTLY_WORKFLOW_ID}/executions/${execution.id}`;
			// Each Send Email node finishes once the server has accepted its message.
			const mails = mailbox.mails.filter((mail) => namesExecution(mail, execution.id, executionPath));
			options.log?.(`run ${runs}: execution ${execution.id} ${execution.status}, ${mails.length} email(s)`);
			return { execution, errorWorkflowRun, mails, executionPath };
		},
		async between(change) {
			await change();
			const started = await listExecutions(api, NIGHTLY_WORKFLOW_ID);
			if (started.length > runs) {
				throw new Error(
					`the schedule started execution ${started[runs].id} before the change between runs ${runs} and ${runs + 1} was made; ` +
						'fire it less often (everySeconds)',
				);
			}
		},
		executions: (workflowId) => listExecutions(api, workflowId),
		stop: () => server.stop(),
	};
}
