/**
 * What the sandbox's model predicts for a round of syncs whose order across workers is not fixed:
 * per list, the results of its 1st, 2nd, … sync. That is only a prediction when the lists do not
 * interact (no shared media changed), so it is checked: replaying the round in two other orders
 * must give every list the same results.
 */
import { predictRun, type SyncTarget } from '../../scripts/demo/story';
import type { SandboxState, SyncResult } from '../../sandbox/model';

export type NodeItem = SyncResult & { connectionId: string };

export const listKey = (target: Pick<SyncTarget, 'connectionId' | 'listId'>) => `${target.connectionId}/${target.listId}`;

function perList(targets: SyncTarget[], results: SyncResult[]): Map<string, NodeItem[]> {
	const byList = new Map<string, NodeItem[]>();
	targets.forEach((target, at) => {
		const items = byList.get(listKey(target)) ?? [];
		items.push({ ...results[at], connectionId: target.connectionId });
		byList.set(listKey(target), items);
	});
	return byList;
}

/**
 * Per list (connection/list), the node's output items in the order that list's syncs happen.
 * `inOrder`: the syncs happen in the order of `targets` (one execution after the other), so no
 * independence is needed.
 */
export function predictPerList(state: SandboxState, targets: SyncTarget[], opts: { inOrder?: boolean } = {}): Map<string, NodeItem[]> {
	const expected = perList(targets, predictRun(state, targets));
	if (opts.inOrder) return expected;
	const grouped = [...targets].sort((a, b) => listKey(a).localeCompare(listKey(b)));
	for (const order of [[...targets].reverse(), grouped]) {
		const other = perList(order, predictRun(state, order));
		for (const [key, items] of expected) {
			if (JSON.stringify(other.get(key)) !== JSON.stringify(items)) {
				throw new Error(`The results of ${key} depend on the order of the syncs across lists; the per-list prediction does not hold`);
			}
		}
	}
	return expected;
}

/** Items in a canonical order, for comparing syncs of one list whose order is unknown. */
export function canonicalOrder<T extends object>(items: T[]): T[] {
	const key = (item: T) => JSON.stringify(Object.entries(item).sort(([a], [b]) => a.localeCompare(b)));
	return [...items].sort((a, b) => key(a).localeCompare(key(b)));
}
