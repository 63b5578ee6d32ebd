/**
 * What the queue-mode suite syncs: five lists of the sandbox seed on three connections (conn_dana's
 * Vault+ is switched on first; conn_cora is expired), and how their OnlyFans lists change between rounds. The
 * changes touch only media that no other synced list holds, so each list's results depend on how
 * often it was synced, not on how the queue interleaved it with the other lists; predict.ts checks
 * that claim before every round.
 */
import type { ListChange, SyncTarget } from '../../scripts/demo/story';
import { DEMO_TARGETS, STORY } from '../../scripts/demo/story';

/** A third connection's list; the seed has Vault+ off for conn_dana, so the suite switches it on. */
export const TRAVEL: SyncTarget = { connectionId: 'conn_dana', listId: '4001', name: 'Travel' };

/** The demo's four lists (as the single-process e2e syncs them) and one of a third connection. */
export const LISTS: SyncTarget[] = [DEMO_TARGETS[0], DEMO_TARGETS[1], TRAVEL, DEMO_TARGETS[2], DEMO_TARGETS[3]];

/** `times` syncs of every list, interleaved: a, b, c, …, a, b, c, … */
export function roundRobin(lists: SyncTarget[], times: number): SyncTarget[] {
	return Array.from({ length: times }, () => lists).flat();
}

/** Before the concurrent round: the demo's run 2 on Beach Set, and a change on every other list. */
export const CONCURRENT_ROUND_CHANGES: ListChange[] = [
	...STORY[1].changes,
	{ connectionId: 'conn_alice', listId: 1002, patch: { add: [{ id: '5201', fingerprint: 'fp-5201-a' }] } },
	{
		connectionId: 'conn_dana',
		listId: 4001,
		patch: {
			add: [
				{ id: '9601', fingerprint: 'fp-9601-a' },
				{ id: '9602', fingerprint: 'fp-9602-a' },
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
	{ connectionId: 'conn_dana', listId: 4001, patch: { remove: ['9601'] } },
];
