import type { Parsed } from './index';

/** OFAuth's offset pages: `list` plus `hasMore`; the next offset is this one plus the page's length. */
export interface Page<T> {
	list: T[];
	hasMore: boolean;
}

export interface Connection {
	id: string;
	userData?: { name?: string; username?: string };
}

export interface VaultList {
	id: number | string;
	name?: string;
	type?: string;
}

/** The Access API caps vault-list pages at 40. */
export const VAULT_LISTS_PAGE_SIZE = 40;
/** The Access API refuses longer search texts. */
export const MAX_QUERY_LENGTH = 100;

export function parsePage<T>(body: unknown, isEntry: (entry: unknown) => entry is T): Parsed<Page<T>> {
	if (body === null || typeof body !== 'object') return { ok: false, problems: ['the body is not an object'] };
	const { list, hasMore } = body as { list?: unknown; hasMore?: unknown };
	if (!Array.isArray(list)) return { ok: false, problems: ['list is not an array'] };
	const bad = list.findIndex((entry) => !isEntry(entry));
	if (bad !== -1) return { ok: false, problems: [`list entry ${bad} has no usable id`] };
	return { ok: true, value: { list: list as T[], hasMore: hasMore === true } };
}

export const isConnection = (entry: unknown): entry is Connection =>
	entry !== null && typeof entry === 'object' && typeof (entry as Connection).id === 'string';

export const isVaultList = (entry: unknown): entry is VaultList => {
	const id = (entry as VaultList | null)?.id;
	return (typeof id === 'number' && Number.isSafeInteger(id)) || (typeof id === 'string' && /^\d+$/.test(id));
};
