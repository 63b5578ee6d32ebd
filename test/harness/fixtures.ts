/** The output item of the first sync of Alice's "Beach Set" (list 1001, four media) on a fresh sandbox. */
export const FIRST_SYNC_OF_BEACH_SET = {
	synced: true,
	listId: '1001',
	seen: 4,
	addedItems: 4,
	updatedItems: 0,
	removedItems: 0,
	unchangedItems: 0,
	adoptedItems: 0,
	connectionId: 'conn_alice',
};
