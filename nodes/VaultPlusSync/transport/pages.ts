import type { NodeApiError } from 'n8n-workflow';

import type { Parsed } from './index';

/** OFAuth's offset pages: `list` plus `hasMore`; the next offset is this one plus the page's length. */
export interface Page<T> {
	list: T[];
	hasMore: boolean;
}

export interface Connection {
	id: string;
	/** 'active', 'expired' or 'awaiting_2fa' as documented; absent when the server leaves it out. */
	status?: string;
	userData?: { name?: string; username?: string };
}

export interface VaultList {
	id: string;
	name?: string;
	type?: string;
}

/** Connections asked for per page, as OFAuth's own Zapier app does; the API's maximum is not documented. */
export const CONNECTIONS_PAGE_SIZE = 100;
/** The Access API caps vault-list pages at 40. */
export const VAULT_LISTS_PAGE_SIZE = 40;
/** The Access API refuses longer search texts. */
export const MAX_QUERY_LENGTH = 100;

/** Turns one entry of a page into a checked value, or says what is wrong with it. */
type EntryCheck<T> = (entry: unknown) => { ok: true; value: T } | { ok: false; problem: string };

function typeName(value: unknown): string {
	if (value === null) return 'null';
	return Array.isArray(value) ? 'array' : typeof value;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
	value !== null && typeof value === 'object' && !Array.isArray(value);

/** An optional text field: absent or null means none; anything but a string is a wrong shape. */
function optionalText(fields: Record<string, unknown>, name: string, problems: string[]): string | undefined {
	const value = fields[name];
	if (value === undefined || value === null) return undefined;
	if (typeof value !== 'string') problems.push(`'${name}' is ${typeName(value)}, expected string`);
	return typeof value === 'string' ? value : undefined;
}

export function parsePage<T>(body: unknown, check: EntryCheck<T>): Parsed<Page<T>> {
	if (!isRecord(body)) return { ok: false, problems: [`the body is ${typeName(body)}, not an object`] };
	const { list, hasMore } = body;
	if (!Array.isArray(list)) return { ok: false, problems: [`'list' is ${typeName(list)}, expected array`] };
	if (hasMore !== undefined && hasMore !== null && typeof hasMore !== 'boolean') {
		return { ok: false, problems: [`'hasMore' is ${typeName(hasMore)}, expected boolean`] };
	}
	const entries: T[] = [];
	for (const [index, entry] of list.entries()) {
		const checked = check(entry);
		if (!checked.ok) return { ok: false, problems: [`list entry ${index}: ${checked.problem}`] };
		entries.push(checked.value);
	}
	return { ok: true, value: { list: entries, hasMore: hasMore === true } };
}

export const checkConnection: EntryCheck<Connection> = (entry) => {
	if (!isRecord(entry)) return { ok: false, problem: `it is ${typeName(entry)}, not an object` };
	if (typeof entry.id !== 'string' || entry.id === '') {
		return { ok: false, problem: `'id' is ${typeName(entry.id)}, expected a non-empty string` };
	}
	const problems: string[] = [];
	const status = optionalText(entry, 'status', problems);
	let userData: Connection['userData'];
	if (isRecord(entry.userData)) {
		userData = {
			name: optionalText(entry.userData, 'name', problems),
			username: optionalText(entry.userData, 'username', problems),
		};
	} else if (entry.userData !== undefined && entry.userData !== null) {
		problems.push(`'userData' is ${typeName(entry.userData)}, expected object`);
	}
	if (problems.length > 0) return { ok: false, problem: problems.join('; ') };
	return { ok: true, value: { id: entry.id, ...(status === undefined ? {} : { status }), userData } };
};

export const checkVaultList: EntryCheck<VaultList> = (entry) => {
	if (!isRecord(entry)) return { ok: false, problem: `it is ${typeName(entry)}, not an object` };
	const { id } = entry;
	const idOk = (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) || (typeof id === 'string' && /^\d{1,20}$/.test(id));
	if (!idOk) return { ok: false, problem: `'id' is ${typeName(id)}${typeof id === 'string' || typeof id === 'number' ? ` ${JSON.stringify(id).slice(0, 40)}` : ''}, expected a number` };
	const problems: string[] = [];
	const name = optionalText(entry, 'name', problems);
	const type = optionalText(entry, 'type', problems);
	if (problems.length > 0) return { ok: false, problem: problems.join('; ') };
	return { ok: true, value: { id: String(id), name, type } };
};

/**
 * Reads offset pages until `hasMore` is false, keeping each entry once (pages that overlap are read
 * as one list). Pages that only repeat what came before, or that never end, are `incomplete(why)`
 * errors, never a partial set.
 */
export async function readAllPages<T extends { id: string }>(
	fetchPage: (offset: number) => Promise<Page<T>>,
	what: { plural: string; maxPages: number; incomplete: (why: string) => NodeApiError },
): Promise<T[]> {
	const seen = new Set<string>();
	const entries: T[] = [];
	let offset = 0;
	for (let page = 1; ; page++) {
		const result = await fetchPage(offset);
		const fresh = result.list.filter((entry) => !seen.has(entry.id));
		for (const entry of fresh) seen.add(entry.id);
		entries.push(...fresh);
		if (!result.hasMore || result.list.length === 0) return entries;
		if (fresh.length === 0) {
			throw what.incomplete(`OFAuth's page ${page} of ${what.plural} repeated ${what.plural} already listed and still said more would follow`);
		}
		if (page === what.maxPages) {
			throw what.incomplete(`OFAuth still said more ${what.plural} would follow after ${what.maxPages} pages (${seen.size} ${what.plural})`);
		}
		offset += result.list.length;
	}
}
