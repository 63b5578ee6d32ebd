/**
 * The demo's story, shared with the e2e tests: which lists the workflow syncs, how the sandbox's
 * OnlyFans lists change between runs, and what the sandbox's model predicts each run reports.
 */
import type { ListPatch } from '../../sandbox/mutations';
import { syncList, type SandboxState, type SyncResult } from '../../sandbox/model';

/** A list a workflow syncs; `name` is how the sandbox seed calls it, for the printed tables. */
export type SyncTarget = { connectionId: string; listId: string; name: string };

/** 1001 and 1002 share media 5003 and 5004; 2001 and 2002 share 6003. */
export const DEMO_TARGETS: SyncTarget[] = [
	{ connectionId: 'conn_alice', listId: '1001', name: 'Beach Set' },
	{ connectionId: 'conn_alice', listId: '1002', name: 'Best Of 2026' },
	{ connectionId: 'conn_bella', listId: '2001', name: 'Gym Photos' },
	{ connectionId: 'conn_bella', listId: '2002', name: 'Gym Videos' },
];

export type ListChange = { connectionId: string; listId: number; patch: ListPatch };

/** Each run's title, and the changes made to the sandbox's OnlyFans lists before it. */
export const STORY: Array<{ title: string; changes: ListChange[] }> = [
	{ title: 'Run 1: the first sync of each list sets its baseline and removes nothing', changes: [] },
	{
		title: 'Run 2: Beach Set gains two media, one file changes, one media leaves the list',
		changes: [
			{
				connectionId: 'conn_alice',
				listId: 1001,
				patch: {
					add: [{ id: '5101', fingerprint: 'fp-5101-a' }, { id: '5102', fingerprint: 'fp-5102-a' }],
					update: [{ id: '5002', fingerprint: 'fp-5002-b' }],
					remove: ['5001'],
				},
			},
		],
	},
	{
		title: 'Run 3: media leave lists while another list still owns them, so nothing is purged',
		changes: [
			{ connectionId: 'conn_alice', listId: 1001, patch: { remove: ['5003'] } },
			{ connectionId: 'conn_bella', listId: 2001, patch: { remove: ['6003'] } },
		],
	},
];

/** What the model says the syncs of `targets`, in order, report from `state`, which is left untouched. */
export function predictRun(state: SandboxState, targets: SyncTarget[]): SyncResult[] {
	const copy = structuredClone(state);
	return targets.map((target) => syncList(copy, target.connectionId, target.listId));
}

/** A plain-text table: the first row is the header, underlined (the demo's and the benchmarks' console output). */
export function consoleTable(rows: string[][]): string {
	const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
	const line = (row: string[]) => row.map((cell, column) => cell.padEnd(widths[column])).join('  ');
	return [line(rows[0]), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.slice(1).map(line)].join('\n');
}
