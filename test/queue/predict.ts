/**
 * What the sandbox's model predicts for a round of syncs whose order across workers is not fixed:
 * per list, the results of its 1st, 2nd, … sync. That is only a prediction when the lists do not
 * interact (no shared media changed), so it is checked: replaying the round in two other orders
 * must give every list the same results.
 */
import { predictRun, type SyncTarget } from '../../scripts/demo/story';
import type { SandboxState, SyncResult } from '../sandbox/model';

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

/** Per list (connection/list), the node's output items in the order that list's syncs happen. */
export function predictPerList(state: SandboxState, targets: SyncTarget[]): Map<string, NodeItem[]> {
	const expected = perList(targets, predictRun(state, targets));
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

/** A list's items as a sorted multiset, for comparing runs whose order within a list is unknown. */
export function asMultiset(items: unknown[]): string[] {
	return items.map((item) => JSON.stringify(item, Object.keys(item as object).sort())).sort();
}
