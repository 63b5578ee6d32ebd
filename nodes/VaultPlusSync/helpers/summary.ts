import type { SyncResult } from './syncResult';

/** What an IF node and a Slack message need, without expressions. */
export function summarize(result: SyncResult, listName?: string): { changed: boolean; summary: string } {
	const changed =
		result.addedItems > 0 || result.updatedItems > 0 || result.removedItems > 0 || result.adoptedItems > 0;
	const list = listName ? `List ${result.listId} (${listName})` : `List ${result.listId}`;
	const counts = `${result.seen} seen, +${result.addedItems} added, ${result.updatedItems} updated, -${result.removedItems} removed, ${result.unchangedItems} unchanged, ${result.adoptedItems} adopted`;
	return { changed, summary: `${list}: ${result.synced ? '' : 'NOT synced, '}${counts}` };
}
