/** What the sandbox answers to the first sync of Alice's "Beach Set" (list 1001, four media). */
export const FIRST_SYNC_OF_BEACH_SET_RESULT = {
	synced: true,
	listId: '1001',
	seen: 4,
	addedItems: 4,
	updatedItems: 0,
	removedItems: 0,
	unchangedItems: 0,
	adoptedItems: 0,
};

/** The node's output item for that sync on a fresh sandbox: the result plus the connection. */
export const FIRST_SYNC_OF_BEACH_SET = { ...FIRST_SYNC_OF_BEACH_SET_RESULT, connectionId: 'conn_alice' };
