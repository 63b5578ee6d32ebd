/**
 * `npm run demo`: a real sync in a real n8n (2.41.1) against the local Vault+ sandbox, three times, the sandbox's lists
 * changing between runs: a table per run, exit 1 if n8n's results differ from the sandbox's model. Then one night of the
 * nightly job in `n8n start` (its schedule firing by itself) and the emails the local SMTP server received.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { nodeOutput } from './n8n-instance';
import { OWNER, REPO_ROOT, setUpPackagedN8n, type DemoSetup } from './demo/setup';
import { consoleTable, DEMO_TARGETS, predictRun, STORY } from './demo/story';
import { demoWorkflow, ERROR_WORKFLOW_ID, NIGHTLY_WORKFLOW_ID, nightlyJobWorkflows, SYNC_NODE_NAME } from './demo/workflows';
import { namesExecution, startNightlyJob } from './nightly/job';

const OUTPUT_DIR = path.join(REPO_ROOT, 'demo-output');
const COUNTS = ['seen', 'addedItems', 'updatedItems', 'removedItems', 'unchangedItems', 'adoptedItems'];
/** The emails one night of the "every custom list" example sends about the sandbox's accounts, by subject. */
const NIGHT_SUBJECTS = [
	/^Vault\+ nightly sync: \d+ list\(s\) changed$/,
	/^Vault\+: \d+ OnlyFans account\(s\) need reconnecting$/,
	/^Vault\+ nightly sync: \d+ sync\(s\) failed$/,
	/^n8n workflow failed: /,
];

/** Runs the demo workflow and prints its table; returns the number of differences from the model. */
async function syncRun(demo: DemoSetup, title: string, file: string): Promise<number> {
	const predicted = predictRun(demo.sandbox.state, DEMO_TARGETS) as unknown as Array<Record<string, unknown>>;
	demo.sandbox.clearRequests();
	const result = await demo.instance.execute('vaultPlusDemo001');
	writeFileSync(file, JSON.stringify(result.run ?? result, null, 2));
	console.log(`\n${title}`);
	if (result.exitCode !== 0 || !result.run) {
		console.log(`  n8n execute exited with ${result.exitCode}; see ${file}`);
		return 1;
	}
	const actual = nodeOutput(result.run, SYNC_NODE_NAME);
	const alerted = nodeOutput(result.run, 'Media removed or sync incomplete?').map((item) => `${item.connectionId}/${item.listId}`);
	const rows = DEMO_TARGETS.map((target, at) => {
		const list = `${target.connectionId}/${target.listId}`;
		const matches = ['synced', 'listId', ...COUNTS].every((field) => actual[at]?.[field] === predicted[at][field]);
		const model = matches ? 'as predicted' : `PREDICTED ${COUNTS.map((field) => predicted[at][field]).join('/')}`;
		const counts = COUNTS.map((field) => String(actual[at]?.[field] ?? '-'));
		return [`${target.name} (${list})`, ...counts, alerted.includes(list) ? 'yes' : 'no', model];
	});
	console.log(consoleTable([['list', ...COUNTS.map((field) => field.replace('Items', '')), 'alert', 'model'], ...rows]));
	let problems = rows.filter((row) => row.at(-1) !== 'as predicted').length;
	const syncs = demo.sandbox.requests().filter((request) => request.method === 'PUT');
	if (syncs.length !== DEMO_TARGETS.length || syncs.some((request) => !request.apiKeyValid)) {
		console.log(`  the sandbox saw ${syncs.length} syncs, expected ${DEMO_TARGETS.length} with a valid key`);
		problems++;
	}
	console.log(`  full run: ${path.relative(process.cwd(), file)}`);
	return problems;
}

/** One night of the nightly job over all of the sandbox's accounts; returns 1 if one of its emails is missing. */
async function oneNight(demo: DemoSetup): Promise<number> {
	console.log('\nThe nightly job: n8n start, "Vault+: nightly sync of every custom list" published, its schedule fires');
	const job = await startNightlyJob(demo, OWNER);
	const night = await job.finished(NIGHTLY_WORKFLOW_ID, 1);
	const errorRun = night.status === 'success' ? undefined : await job.finished(ERROR_WORKFLOW_ID, 1);
	await job.server.stop();
	console.log(`  execution ${night.id}: ${night.status}${errorRun ? `; the error workflow ran (${errorRun.status})` : ''}`);
	const nightMails = demo.mailbox.mails.filter((mail) => namesExecution(mail, night.id));
	const found = NIGHT_SUBJECTS.filter((subject) => nightMails.some((mail) => subject.test(mail.subject)));
	const complete = found.length === NIGHT_SUBJECTS.length && nightMails.length === NIGHT_SUBJECTS.length;
	if (!complete) console.log(`  expected ${NIGHT_SUBJECTS.length} emails (${NIGHT_SUBJECTS.join(', ')}), got ${nightMails.length}`);
	console.log(`\nThe alert emails the SMTP server received (${demo.mailbox.mails.length}; Slack would get the same, see README):`);
	for (const [index, mail] of demo.mailbox.mails.entries()) {
		const head = [`Email ${index + 1}`, `From:    ${mail.from.join(', ')}`, `To:      ${mail.to.join(', ')}`, `Subject: ${mail.subject}`];
		console.log(`${'-'.repeat(78)}\n${head.join('\n')}\n\n${mail.text.replace(/^/gm, '  ')}`);
	}
	return complete ? 0 : 1;
}

async function main(): Promise<void> {
	console.log('Setting up: n8n, the packed package, the Vault+ sandbox (the first run installs n8n: minutes)');
	const log = (line: string) => process.stderr.write(`  ${line}\n`);
	const demo = await setUpPackagedN8n({ log, workflows: [demoWorkflow(DEMO_TARGETS), ...nightlyJobWorkflows(10)] });
	let problems = 0;
	try {
		mkdirSync(OUTPUT_DIR, { recursive: true });
		for (const [index, run] of STORY.entries()) {
			for (const change of run.changes) demo.sandbox.admin.patchListMedia(change.connectionId, change.listId, change.patch);
			problems += await syncRun(demo, run.title, path.join(OUTPUT_DIR, `run-${index + 1}.json`));
		}
		problems += await oneNight(demo);
	} finally {
		await demo.close();
	}
	console.log(problems === 0 ? '\nAll three runs match the model.' : `\n${problems} difference(s) from the model.`);
	process.exit(problems === 0 ? 0 : 1);
}

main().catch((error: unknown) => {
	console.error(error instanceof Error ? error.message : error);
	process.exit(1);
});
