/**
 * `npm run demo`: a real sync in a real n8n (2.41.1 on Node 24) against the local Vault+ sandbox,
 * three times, with the sandbox's OnlyFans lists changing between runs. Prints a table per run and
 * exits non-zero if n8n's results differ from what the sandbox's model predicts. Then the nightly job
 * as it runs at night (n8n start, the schedule firing by itself), and the alert emails the local SMTP
 * server received, printed as an inbox would show them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { nodeOutput } from './n8n-instance';
import { REPO_ROOT, setUpDemo } from './demo/setup';
import { consoleTable, COUNT_COLUMNS, DEMO_TARGETS, predictRun, STORY } from './demo/story';
import { SYNC_NODE_NAME } from './demo/workflows';
import { startNightlyJob } from './nightly/job';
import { formatMail } from './nightly/show';

const OUTPUT_DIR = path.join(REPO_ROOT, 'demo-output');
const ALERT_NODE_NAME = 'Media removed or sync incomplete?';
const OWNER = { email: 'owner@vault-plus.test', password: 'VaultPlus1demo', firstName: 'Vault', lastName: 'Owner' };
/** What one night of the "every custom list" example emails from the sandbox's accounts, by subject. */
const NIGHT_SUBJECTS = [
	/^Vault\+ nightly sync: \d+ list\(s\) changed$/,
	/^Vault\+: \d+ OnlyFans account\(s\) need reconnecting$/,
	/^Vault\+ nightly sync: \d+ sync\(s\) failed$/,
	/^n8n workflow failed: /,
];

type Row = Record<string, unknown>;

function sameCounts(actual: Row | undefined, predicted: Row): boolean {
	return (
		actual !== undefined &&
		actual.synced === predicted.synced &&
		actual.listId === predicted.listId &&
		COUNT_COLUMNS.every(([field]) => actual[field] === predicted[field])
	);
}

async function main(): Promise<number> {
	const log = (line: string) => process.stderr.write(`  ${line}\n`);
	console.log('Setting up: n8n, the packed package, the Vault+ sandbox (the first run installs n8n: minutes)');
	const demo = await setUpDemo({ log });
	let problems = 0;
	try {
		mkdirSync(OUTPUT_DIR, { recursive: true });
		for (const [index, run] of STORY.entries()) {
			for (const change of run.changes) demo.sandbox.admin.patchListMedia(change.connectionId, change.listId, change.patch);
			const predicted = predictRun(demo.sandbox.state, DEMO_TARGETS) as unknown as Row[];
			demo.sandbox.clearRequests();

			const result = await demo.instance.execute('vaultPlusDemo001');
			const file = path.join(OUTPUT_DIR, `run-${index + 1}.json`);
			writeFileSync(file, JSON.stringify(result.run ?? { stdout: result.stdout, stderr: result.stderr }, null, 2));

			console.log(`\n${run.title}`);
			if (result.exitCode !== 0 || !result.run) {
				console.log(`  n8n execute exited with ${result.exitCode}; see ${file}`);
				problems++;
				continue;
			}
			const actual = nodeOutput(result.run, SYNC_NODE_NAME);
			const alerted = new Set(nodeOutput(result.run, ALERT_NODE_NAME).map((item) => `${item.connectionId}/${item.listId}`));
			const rows = [['list', ...COUNT_COLUMNS.map(([, label]) => label), 'alert', 'model']];
			DEMO_TARGETS.forEach((target, at) => {
				const got = actual[at];
				const matches = sameCounts(got, predicted[at]);
				if (!matches) problems++;
				rows.push([
					`${target.name} (${target.connectionId}/${target.listId})`,
					...COUNT_COLUMNS.map(([field]) => String(got?.[field] ?? '-')),
					alerted.has(`${target.connectionId}/${target.listId}`) ? 'yes' : 'no',
					matches ? 'as predicted' : `PREDICTED ${COUNT_COLUMNS.map(([field]) => predicted[at][field]).join('/')}`,
				]);
			});
			console.log(consoleTable(rows));
			const syncs = demo.sandbox.requests().filter((request) => request.method === 'PUT');
			if (syncs.length !== DEMO_TARGETS.length || syncs.some((request) => !request.apiKeyValid)) {
				console.log(`  the sandbox saw ${syncs.length} syncs, expected ${DEMO_TARGETS.length} with a valid key`);
				problems++;
			}
			console.log(`  full run: ${path.relative(process.cwd(), file)}`);
		}
		problems += await oneNight(demo);
	} finally {
		await demo.close();
	}
	console.log(problems === 0 ? '\nAll three runs match the model.' : `\n${problems} difference(s) from the model.`);
	return problems === 0 ? 0 : 1;
}

/**
 * The "every custom list" example on its schedule (every 10 s instead of at 4:00) over all of the
 * sandbox's accounts: some need reconnecting, one has Vault+ off. Prints every email received.
 */
async function oneNight(demo: Awaited<ReturnType<typeof setUpDemo>>): Promise<number> {
	console.log('\nThe nightly job: n8n start, "Vault+: nightly sync of every custom list" published, its schedule fires');
	const job = await startNightlyJob(demo, { everySeconds: 10, owner: OWNER });
	let problems = 0;
	try {
		const night = await job.nextRun();
		console.log(`  execution ${night.execution.id}: ${night.execution.status}` +
			(night.errorWorkflowRun ? `; the error workflow ran (${night.errorWorkflowRun.status})` : ''));
		const missing = NIGHT_SUBJECTS.filter((subject) => !night.mails.some((mail) => subject.test(mail.subject)));
		if (missing.length > 0 || night.mails.length !== NIGHT_SUBJECTS.length) {
			console.log(`  expected ${NIGHT_SUBJECTS.length} emails (${NIGHT_SUBJECTS.map(String).join(', ')}), got ${night.mails.length}`);
			problems++;
		}
	} finally {
		await job.stop();
	}
	const mails = demo.mailbox.mails;
	console.log(`\nThe alert emails the SMTP server received (${mails.length}; Slack would get the same, see README):`);
	mails.forEach((mail, index) => console.log(formatMail(mail, index)));
	return problems;
}

main().then(
	(code) => process.exit(code),
	(error: unknown) => {
		console.error(error instanceof Error ? error.message : error);
		process.exit(1);
	},
);
