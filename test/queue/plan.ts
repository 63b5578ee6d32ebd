/**
 * What the queue-mode suite syncs: five lists of the sandbox seed on two connections (conn_dana has
 * Vault+ off, conn_cora is expired), and how their OnlyFans lists change between rounds. The
 * changes touch only media that no other synced list holds, so each list's results depend on how
 * often it was synced, not on how the queue interleaved it with the other lists; predict.ts checks
 * that claim before every round.
 */
import type { ListChange, SyncTarget } from '../../scripts/demo/story';
import { DEMO_TARGETS, STORY } from '../../scripts/demo/story';

export const EMPTY_DRAFTS: SyncTarget = { connectionId: 'conn_alice', listId: '1006', name: 'Empty Drafts' };

/** The demo's four lists (as the single-process e2e syncs them) and an empty one. */
export const LISTS: SyncTarget[] = [DEMO_TARGETS[0], DEMO_TARGETS[1], EMPTY_DRAFTS, DEMO_TARGETS[2], DEMO_TARGETS[3]];

/** `times` syncs of every list, interleaved: a, b, c, …, a, b, c, … */
export function roundRobin(lists: SyncTarget[], times: number): SyncTarget[] {
	return Array.from({ length: times }, () => lists).flat();
}

/** Before the concurrent round: the demo's run 2 on Beach Set, and a change on every other list. */
export const CONCURRENT_ROUND_CHANGES: ListChange[] = [
	...STORY[1].changes,
	{ connectionId: 'conn_alice', listId: 1002, patch: { add: [{ id: '5201', fingerprint: 'fp-5201-a' }] } },
	{
		connectionId: 'conn_alice',
		listId: 1006,
		patch: {
			add: [
				{ id: '5601', fingerprint: 'fp-5601-a' },
				{ id: '5602', fingerprint: 'fp-5602-a' },
			],
		},
	},
	{ connectionId: 'conn_bella', listId: 2001, patch: { update: [{ id: '6001', fingerprint: 'fp-6001-b' }] } },
	{
		connectionId: 'conn_bella',
		listId: 2002,
		patch: { remove: ['6004'], add: [{ id: '6101', fingerprint: 'fp-6101-a' }] },
	},
];

/** Before the one-worker round: the demo's run 3 (media leave lists that share them), and a purge. */
export const ONE_WORKER_ROUND_CHANGES: ListChange[] = [
	...STORY[2].changes,
	{ connectionId: 'conn_alice', listId: 1006, patch: { remove: ['5601'] } },
];
