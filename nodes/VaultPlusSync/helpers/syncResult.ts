import type { Parsed } from '../transport';

/** The eight fields of PUT /v2/vault-plus/lists/{listId}/sync, as documented. */
export interface SyncResult {
	synced: boolean;
	listId: string;
	seen: number;
	addedItems: number;
	updatedItems: number;
	removedItems: number;
	unchangedItems: number;
	adoptedItems: number;
}

export const COUNT_FIELDS = [
	'seen',
	'addedItems',
	'updatedItems',
	'removedItems',
	'unchangedItems',
	'adoptedItems',
] as const;

function typeName(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'array';
	return typeof value;
}

/**
 * Users branch on these numbers (e.g. "removedItems > 0"), so a body that is not exactly this shape is
 * refused rather than passed on with holes. Counts are whole, non-negative and safe to compare.
 */
export function checkSyncResult(body: unknown, requestedListId: string): Parsed<SyncResult> {
	if (body === null || typeof body !== 'object' || Array.isArray(body)) {
		return { ok: false, problems: [`the body is ${typeName(body)}, not an object`] };
	}
	const fields = body as Record<string, unknown>;
	const problems: string[] = [];

	if (!('synced' in fields)) problems.push("'synced' is missing");
	else if (typeof fields.synced !== 'boolean') {
		problems.push(`'synced' is ${typeName(fields.synced)}, expected boolean`);
	}

	if (!('listId' in fields)) problems.push("'listId' is missing");
	else if (typeof fields.listId !== 'string') {
		problems.push(`'listId' is ${typeName(fields.listId)}, expected string`);
	} else if (fields.listId !== requestedListId) {
		problems.push(`'listId' is "${fields.listId.slice(0, 40)}", but list ${requestedListId} was synced`);
	}

	for (const field of COUNT_FIELDS) {
		const value = fields[field];
		if (!(field in fields)) problems.push(`'${field}' is missing`);
		else if (typeof value !== 'number') problems.push(`'${field}' is ${typeName(value)}, expected number`);
		else if (!Number.isSafeInteger(value) || value < 0) {
			problems.push(`'${field}' is ${value}, expected a whole number of at least 0`);
		}
	}
	if (problems.length > 0) return { ok: false, problems };

	return {
		ok: true,
		value: {
			synced: fields.synced as boolean,
			listId: fields.listId as string,
			seen: fields.seen as number,
			addedItems: fields.addedItems as number,
			updatedItems: fields.updatedItems as number,
			removedItems: fields.removedItems as number,
			unchangedItems: fields.unchangedItems as number,
			adoptedItems: fields.adoptedItems as number,
		},
	};
}
