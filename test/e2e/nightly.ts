/**
 * The nightly job as it runs at night, once per pinned n8n: `n8n start` with the packed package, the
 * shipped "sync every custom list" example and error workflow imported and published (2.x) or
 * activated (1.x), an SMTP credential pointing at a real SMTP server on 127.0.0.1, the sandbox. The
 * schedule fires by itself (every 10 s instead of at 4:00) and the checks read the emails received.
 * Only the Slack nodes are No Operation nodes: Slack cannot be reached from here.
 */
import axios from 'axios';

import { setUpPackagedN8n, type DemoSetup } from '../../scripts/demo/setup';
import { predictRun, type SyncTarget } from '../../scripts/demo/story';
import { ERROR_WORKFLOW_ID, NIGHTLY_WORKFLOW_ID, nightlyJobWorkflows } from '../../scripts/demo/workflows';
import type { ExecutionSummary } from '../../scripts/n8n-instance';
import type { RuntimeName } from '../../scripts/n8n-runtime';
import { namesExecution, startNightlyJob, type NightlyJob } from '../../scripts/nightly/job';
import type { ReceivedMail } from '../../scripts/nightly/mailbox';
import type { SandboxState } from '../../sandbox/model';
import { defaultSeed } from '../../sandbox/seed';

const SETUP_TIMEOUT_MS = 360_000;
const OWNER = { email: 'owner@vault-plus.test', password: 'VaultPlus1e2e', firstName: 'Vault', lastName: 'Owner' };
const TO = ['vault-team@example.com'];
const FROM = ['n8n@example.com'];
const NIGHTLY_NAME = 'Vault+: nightly sync of every custom list';
/**
 * Two healthy accounts with Vault+ on (the seed's others need reconnecting or have Vault+ off), with
 * their five named custom lists (not Bella's 41 generated ones): short emails, a quick run.
 */
const SEED = (() => {
	const { generatedConnections: _others, ...seed } = defaultSeed();
	const connections = seed.connections
		.filter((connection) => ['conn_alice', 'conn_bella'].includes(connection.id))
		.map(({ generatedLists: _generated, ...connection }) => connection);
	return { ...seed, connections };
})();
const CUSTOM_LISTS: SyncTarget[] = SEED.connections.flatMap((connection) =>
	connection.lists
		.filter((list) => list.type === 'custom')
		.map((list) => ({ connectionId: connection.id, listId: String(list.id), name: list.name })),
);

interface NightlyRun {
	execution: ExecutionSummary;
	/** The error workflow's execution for this run, when the run failed. */
	errorWorkflowRun?: ExecutionSummary;
	/** Every email received that names this execution (by its id or its URL), in the order received. */
	mails: ReceivedMail[];
}

/** The lists the sandbox saw synced in this run, in the order the syncs started. */
function syncedLists(setup: DemoSetup): SyncTarget[] {
	return setup.sandbox
		.requests()
		.filter((request) => request.method === 'PUT')
		.sort((a, b) => a.startedAt - b.startedAt)
		.map((request) => {
			const listId = /\/lists\/(\d+)\/sync$/.exec(request.path)?.[1] ?? '';
			return CUSTOM_LISTS.find((list) => list.listId === listId && list.connectionId === request.connectionId)!;
		});
}

/** The summary lines the "Email the summary" node writes for the lists that changed, predicted. */
function predictedSummaryLines(before: SandboxState, synced: SyncTarget[]): string[] {
	return predictRun(before, synced).flatMap((counts, at) => {
		const list = synced[at];
		const changed = counts.addedItems + counts.updatedItems + counts.removedItems + counts.adoptedItems > 0;
		if (!changed && counts.synced) return [];
		return [
			`- ${list.connectionId}: List ${list.listId} (${list.name}): ${counts.seen} seen, +${counts.addedItems} added, ` +
				`${counts.updatedItems} updated, -${counts.removedItems} removed, ${counts.unchangedItems} unchanged, ${counts.adoptedItems} adopted`,
		];
	});
}

function expectAddressedToTheTeam(mail: ReceivedMail): void {
	expect({ from: mail.from, to: mail.to, envelopeTo: mail.envelopeTo }).toEqual({ from: FROM, to: TO, envelopeTo: TO });
}

function expectSummaryMail(mail: ReceivedMail, lines: string[], run: NightlyRun): void {
	expectAddressedToTheTeam(mail);
	expect(mail.subject).toBe(`Vault+ nightly sync: ${lines.length} list(s) changed`);
	const listed = mail.text.split('\n').filter((line) => line.startsWith('- '));
	expect(listed.sort()).toEqual([...lines].sort());
	expect(mail.text).toContain(`Workflow: ${NIGHTLY_NAME} (execution ${run.execution.id})`);
}

export function describeNightly(runtimeName: RuntimeName): void {
	describe(`the nightly job on its schedule in n8n start (${runtimeName})`, () => {
		let setup: DemoSetup | undefined;
		let job: NightlyJob;
		let before: SandboxState;
		const attributed: ReceivedMail[] = [];
		let runs = 0;
		let errorRuns = 0;
		/** The next run the schedule starts (and the error workflow's run when it failed), with the emails that name it. */
		const nextRun = async (): Promise<NightlyRun> => {
			const execution = await job.finished(NIGHTLY_WORKFLOW_ID, ++runs);
			const errorWorkflowRun = execution.status === 'success' ? undefined : await job.finished(ERROR_WORKFLOW_ID, ++errorRuns);
			// Each Send Email node finishes once the server has accepted its message.
			const mails = setup!.mailbox.mails.filter((mail) => namesExecution(mail, execution.id));
			attributed.push(...mails);
			return { execution, errorWorkflowRun, mails };
		};
		/**
		 * Changes the sandbox between two runs and notes the state the next run starts from; fails if the
		 * schedule started the next run meanwhile (it would not see all of the change).
		 */
		const between = async (change: () => unknown) => {
			await change();
			setup!.sandbox.clearRequests();
			before = structuredClone(setup!.sandbox.state);
			const started = await job.executions(NIGHTLY_WORKFLOW_ID);
			if (started.length > runs) {
				throw new Error(`the schedule started execution ${started[runs].id} before the change after run ${runs} was made; fire it less often`);
			}
		};

		beforeAll(async () => {
			setup = await setUpPackagedN8n({ runtime: runtimeName, skipBuild: true, sandboxSeed: SEED, workflows: nightlyJobWorkflows(10) });
			before = structuredClone(setup.sandbox.state);
			job = await startNightlyJob(setup, OWNER);
			// Packing, three or four n8n commands and `n8n start`: about two minutes on a busy 2-core machine.
		}, SETUP_TIMEOUT_MS);

		afterAll(async () => {
			await job?.server.stop();
			await setup?.close();
		});

		it('fires on its schedule, syncs every list of every active connection and emails one summary', async () => {
			const run = await nextRun();

			expect({ mode: run.execution.mode, status: run.execution.status }).toEqual({ mode: 'trigger', status: 'success' });
			const synced = syncedLists(setup!);
			expect(synced.map((list) => `${list.connectionId}/${list.listId}`).sort()).toEqual(
				CUSTOM_LISTS.map((list) => `${list.connectionId}/${list.listId}`).sort(),
			);
			expect(setup!.sandbox.requests().every((request) => request.apiKeyValid)).toBe(true);
			const lines = predictedSummaryLines(before, synced);
			// The first sync of a list adds its media: every list but the empty one changed.
			expect(lines).toHaveLength(CUSTOM_LISTS.length - 1);
			expect(run.mails).toHaveLength(1);
			expectSummaryMail(run.mails[0], lines, run);
		});

		it('sends no email when nothing changed', async () => {
			await between(() => undefined);
			const run = await nextRun();

			expect(run.execution.status).toBe('success');
			expect(syncedLists(setup!)).toHaveLength(CUSTOM_LISTS.length);
			expect(run.mails).toEqual([]);
		});

		it("emails the list that lost media, and the account whose session expired, by name, while the other's lists sync", async () => {
			await between(async () => {
				setup!.sandbox.admin.patchListMedia('conn_alice', 1001, { remove: ['5001'] });
				await axios.post(`${setup!.sandbox.url}/__sandbox/connections/conn_bella/session`, { status: 'expired' });
			});
			const run = await nextRun();

			expect(run.execution.status).toBe('success');
			const synced = syncedLists(setup!);
			expect(synced.map((list) => list.connectionId)).toEqual(['conn_alice', 'conn_alice', 'conn_alice']);
			expect(run.mails).toHaveLength(2);
			const summary = run.mails.find((mail) => mail.subject.startsWith('Vault+ nightly sync:'));
			const lines = predictedSummaryLines(before, synced);
			expect(lines).toEqual([expect.stringContaining('- conn_alice: List 1001 (Beach Set): 3 seen, +0 added, 0 updated, -1 removed')]);
			expectSummaryMail(summary!, lines, run);

			const reconnect = run.mails.find((mail) => mail !== summary)!;
			expectAddressedToTheTeam(reconnect);
			expect(reconnect.subject).toBe('Vault+: 1 OnlyFans account(s) need reconnecting');
			expect(reconnect.text).toContain('- Bella Sandbox (@bella_sbx), connection conn_bella, status expired');
			expect(reconnect.text).toMatch(/The OnlyFans session of connection conn_bella \(Bella Sandbox\) has expired/);
			expect(reconnect.text).toContain('What to do: Reconnect this OnlyFans account through OFAuth Link');
			expect(reconnect.text).toContain(`(execution ${run.execution.id})`);
		});

		it("alerts on the rejected key, marks the run failed, and the error workflow emails the execution's URL and what to do", async () => {
			await between(() => {
				// The key is revoked at OFAuth: the sandbox accepts another one only.
				setup!.sandbox.state.apiKeys.splice(0, Infinity, 'a-key-n8n-does-not-have');
			});
			const run = await nextRun();

			expect(run.execution.status).toBe('error');
			expect(run.errorWorkflowRun).toMatchObject({ mode: 'error', status: 'success' });
			expect(run.mails).toHaveLength(2);
			const [failures, failed] = [
				run.mails.find((mail) => mail.subject.startsWith('Vault+ nightly sync:'))!,
				run.mails.find((mail) => mail.subject.startsWith('n8n workflow failed:'))!,
			];
			expectAddressedToTheTeam(failures);
			expect(failures.subject).toMatch(/^Vault\+ nightly sync: \d+ sync\(s\) failed$/);
			expect(failures.text).toContain('OFAuth rejected the API key');
			expect(failures.text).toMatch(/What to do: .*key/i);

			expectAddressedToTheTeam(failed);
			expect(failed.subject).toBe(`n8n workflow failed: ${NIGHTLY_NAME}`);
			// The editor's URL of the execution: this n8n's port (1.123.81 calls the host localhost).
			const port = job.server.port;
			const executionPath = `/workflow/${NIGHTLY_WORKFLOW_ID}/executions/${run.execution.id}`;
			expect(failed.text).toMatch(new RegExp(`\nExecution: http://(127\\.0\\.0\\.1|localhost):${port}${executionPath}\n`));
			expect(failed.text).toContain('Failed node: Mark the run as failed');
			expect(failed.text).toContain('OFAuth rejected the API key');
			expect(failed.text).toMatch(/paste a valid key into the workflow's OFAuth API credential/i);
		});

		it('an error workflow that fails does not start itself again', async () => {
			await between(() => setup!.mailbox.refuse(true));
			const refused = await nextRun();
			await between(() => setup!.mailbox.refuse(false));
			const next = await nextRun();

			// The mail server refused: the run failed at its email, and so did the error workflow's run.
			expect(refused.execution.status).toBe('error');
			expect(refused.errorWorkflowRun?.status).toBe('error');
			expect(refused.mails).toEqual([]);
			// By the time the next run's error workflow has finished, a restart of the failed one would show.
			expect(next.mails).toHaveLength(2);
			const errorRuns = await job.executions(ERROR_WORKFLOW_ID);
			expect(errorRuns.map((execution) => [execution.mode, execution.status])).toEqual([
				['error', 'success'],
				['error', 'error'],
				['error', 'success'],
			]);
			const nightlyRuns = await job.executions(NIGHTLY_WORKFLOW_ID);
			expect(nightlyRuns.filter((execution) => execution.status === 'error')).toHaveLength(3);
		});

		it('sent no email that does not name its execution', () => {
			expect(setup!.mailbox.mails).toEqual(attributed);
		});
	});
}
