/**
 * The shipped examples as files: what "Set up the nightly job" in the README relies on. That they run
 * as described, on their schedule in real n8n, is test/e2e/nightly.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { ERROR_WORKFLOW_ID, PACKAGE_NODE_TYPE, SMTP_CREDENTIAL, type WorkflowJson, type WorkflowNode } from '../scripts/demo/workflows';

const DIR = path.resolve(__dirname, '../examples');
const read = (file: string) => JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as WorkflowJson;
const ALL = readdirSync(DIR)
	.filter((file) => file.endsWith('.json'))
	.map((file) => [file, read(file)] as const);
const SCHEDULED = ALL.filter(([, workflow]) => workflow.nodes.some((node) => node.type === 'n8n-nodes-base.scheduleTrigger'));
const ERROR_WORKFLOW = read('error-workflow.json');

type Links = Record<string, { main: Array<Array<{ node: string }> | null> }>;
const byType = (workflow: WorkflowJson, type: string) => workflow.nodes.filter((node) => node.type === type);
/** The nodes `name`'s output `index` leads to. */
const next = (workflow: WorkflowJson, name: string, index = 0) =>
	((workflow.connections as Links)[name]?.main[index] ?? []).map((link) => link.node);
/** Every node reachable from `names`, them included. */
function reachable(workflow: WorkflowJson, names: string[]): Set<string> {
	const seen = new Set<string>();
	const queue = [...names];
	while (queue.length > 0) {
		const name = queue.shift()!;
		if (seen.has(name)) continue;
		seen.add(name);
		const outputs = (workflow.connections as Links)[name]?.main ?? [];
		outputs.forEach((_, index) => queue.push(...next(workflow, name, index)));
	}
	return seen;
}

describe('the example workflows', () => {
	it('are the two nightly jobs, the error workflow and the one-list example', () => {
		expect(ALL.map(([file]) => file).sort()).toEqual([
			'error-workflow.json',
			'nightly-sync-all-lists.json',
			'nightly-sync-with-slack-alert.json',
			'sync-one-list.json',
		]);
		expect(SCHEDULED.map(([file]) => file).sort()).toEqual(['nightly-sync-all-lists.json', 'nightly-sync-with-slack-alert.json']);
	});

	it('link only nodes they have', () => {
		for (const [file, workflow] of ALL) {
			const names = new Set(workflow.nodes.map((node) => node.name));
			const linked = Object.entries(workflow.connections as Links).flatMap(([from, { main }]) => [
				from,
				...main.flatMap((links) => (links ?? []).map((link) => link.node)),
			]);
			expect({ file, unknown: linked.filter((name) => !names.has(name)) }).toEqual({ file, unknown: [] });
		}
	});

	it.each(SCHEDULED)('%s keeps its nightly rule and sets a timezone n8n knows', (_file, workflow) => {
		const [trigger] = byType(workflow, 'n8n-nodes-base.scheduleTrigger');
		expect(trigger.parameters.rule).toEqual({ interval: [{ field: 'days', triggerAtHour: expect.any(Number) }] });
		const timezone = workflow.settings?.timezone as string;
		expect(Intl.DateTimeFormat(undefined, { timeZone: timezone }).resolvedOptions().timeZone).toBe(timezone);
	});

	it.each(SCHEDULED)("%s names the error workflow by the ID in error-workflow.json", (_file, workflow) => {
		expect(workflow.settings?.errorWorkflow).toBe(ERROR_WORKFLOW_ID);
		expect(ERROR_WORKFLOW.id).toBe(ERROR_WORKFLOW_ID);
	});

	it('the error workflow starts with an Error Trigger and has no error workflow of its own', () => {
		expect(byType(ERROR_WORKFLOW, 'n8n-nodes-base.errorTrigger')).toHaveLength(1);
		expect(ERROR_WORKFLOW.settings?.errorWorkflow).toBeUndefined();
		const [trigger] = byType(ERROR_WORKFLOW, 'n8n-nodes-base.errorTrigger');
		expect(next(ERROR_WORKFLOW, trigger.name).sort()).toEqual(['Email the failure', 'Slack the failure']);
	});

	it.each(SCHEDULED)("%s routes Vault+ Sync's failed items to an email, then Stop and Error", (_file, workflow) => {
		const [sync] = byType(workflow, PACKAGE_NODE_TYPE);
		expect(sync.onError).toBe('continueErrorOutput');
		const failurePath = reachable(workflow, next(workflow, sync.name, 1));
		const types = workflow.nodes.filter((node) => failurePath.has(node.name)).map((node) => node.type);
		expect(types).toEqual(expect.arrayContaining(['n8n-nodes-base.emailSend', 'n8n-nodes-base.stopAndError']));
		// Stop and Error comes last, after the email.
		const [stop] = byType(workflow, 'n8n-nodes-base.stopAndError');
		const email = workflow.nodes.find((node) => failurePath.has(node.name) && node.type === 'n8n-nodes-base.emailSend')!;
		expect(reachable(workflow, [email.name]).has(stop.name)).toBe(true);
		expect(next(workflow, stop.name)).toEqual([]);
	});

	it.each([...SCHEDULED, ['error-workflow.json', ERROR_WORKFLOW] as const])(
		'%s sends every Slack alert by email too, through the SMTP credential',
		(_file, workflow) => {
			const emails = byType(workflow, 'n8n-nodes-base.emailSend');
			expect(emails.length).toBe(byType(workflow, 'n8n-nodes-base.slack').length);
			for (const email of emails as WorkflowNode[]) {
				expect(email.credentials).toEqual({ smtp: SMTP_CREDENTIAL });
				expect(email.parameters).toMatchObject({ emailFormat: 'text', toEmail: expect.any(String), fromEmail: expect.any(String) });
			}
		},
	);

	it('the "every custom list" job syncs all active connections, no Code node listing them, and alerts on skipped ones', () => {
		const workflow = read('nightly-sync-all-lists.json');
		expect(byType(workflow, 'n8n-nodes-base.code')).toEqual([]);
		const [sync] = byType(workflow, PACKAGE_NODE_TYPE);
		expect(sync.parameters).toMatchObject({ operation: 'syncAllLists', connectionScope: 'allActive' });
		const [skippedIf] = next(workflow, sync.name, 0);
		expect(JSON.stringify(workflow.nodes.find((node) => node.name === skippedIf)?.parameters)).toContain('{{ $json.skipped }}');
		const alerted = reachable(workflow, next(workflow, skippedIf, 0));
		const email = workflow.nodes.find((node) => alerted.has(node.name) && node.type === 'n8n-nodes-base.emailSend');
		expect(String(email?.parameters.text)).toContain('connectionName');
	});
});
