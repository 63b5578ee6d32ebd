/**
 * The sandbox's model of OFAuth: plain state and the functions the API runs over it. No HTTP here;
 * the server only parses requests, calls these and serialises what they return or throw.
 *
 * Every rule the spec leaves open is an exported constant or a comment marked DECISION, and is
 * repeated in DECISIONS.md.
 */
import { ApiError, badRequest, notFound, REAUTHENTICATE } from './errors';

export type ConnectionStatus = 'active' | 'expired' | 'awaiting_2fa';
export const CONNECTION_STATUSES: readonly ConnectionStatus[] = [
	'active',
	'expired',
	'awaiting_2fa',
];

export type VaultListType =
	| 'custom'
	| 'messages'
	| 'posts'
	| 'stories'
	| 'streams'
	| 'media_stickers';
export const VAULT_LIST_TYPES: readonly VaultListType[] = [
	'custom',
	'messages',
	'posts',
	'stories',
	'streams',
	'media_stickers',
];

/** One media item as the OnlyFans list shows it; the fingerprint changes when the file does. */
export interface MediaItem {
	id: string;
	fingerprint: string;
}

export interface VaultList {
	id: number;
	type: VaultListType;
	name: string;
	media: MediaItem[];
}

/** A Vault+ cache record: the fingerprint it was queued with and the synced lists that hold it. */
export interface CacheEntry {
	fingerprint: string;
	owners: Set<number>;
}

export interface UserData {
	id: string;
	name: string;
	username: string;
	avatar: null;
}

export interface Connection {
	id: string;
	status: ConnectionStatus;
	vaultPlusEnabled: boolean;
	permissions: string[];
	userData: UserData;
	createdAt: string;
	updatedAt: string;
	expiredAt: string | null;
	clientReferenceId: string | null;
	imported: boolean;
	lastCheckedAt: string | null;
	/** The OnlyFans side: what a live list fetch returns. */
	lists: VaultList[];
	/** The Vault+ side, keyed by OF media id. */
	cache: Map<string, CacheEntry>;
	/** Per list: media id -> fingerprint seen at the previous sync. Absent before the first sync. */
	baselines: Map<number, Map<string, string>>;
}

export interface Organisation {
	id: string;
	name: string | null;
	permissions: string[];
}

export interface SandboxState {
	organisation: Organisation;
	apiKeys: string[];
	/** In seed order, which is also the order the connections endpoint returns them in. */
	connections: Connection[];
}

export interface SyncResult {
	synced: true;
	listId: string;
	seen: number;
	addedItems: number;
	updatedItems: number;
	removedItems: number;
	unchangedItems: number;
	adoptedItems: number;
}

export const CONNECTIONS_LIMIT = { default: 10, max: 100 } as const;
export const VAULT_LISTS_LIMIT = { default: 24, max: 40 } as const;
export const VAULT_LISTS_QUERY_MAX_LENGTH = 100;
/** DECISION: list ids are 1-15 digits, so they stay exact as JS numbers. */
export const LIST_ID_PATTERN = /^[0-9]{1,15}$/;

export function isValidApiKey(state: SandboxState, key: string | undefined): boolean {
	return key !== undefined && key !== '' && state.apiKeys.includes(key);
}

export function whoami(state: SandboxState): Organisation {
	const { id, name, permissions } = state.organisation;
	return { id, name, permissions: [...permissions] };
}

/** The connection checks of every connection-scoped route (order: DECISIONS.md, HTTP). */
export function requireLiveConnection(state: SandboxState, connectionId: string): Connection {
	const connection = state.connections.find((c) => c.id === connectionId);
	if (!connection) {
		throw new ApiError(
			401,
			'SESSION_NOT_PROVIDED',
			'Connection not found or missing session data',
			REAUTHENTICATE,
		);
	}
	if (connection.status === 'expired') {
		throw new ApiError(401, 'SESSION_EXPIRED', 'Connection session has expired', REAUTHENTICATE);
	}
	// DECISION: a connection stuck at two-factor has no usable OF session yet.
	if (connection.status === 'awaiting_2fa') {
		throw new ApiError(
			401,
			'SESSION_NOT_PROVIDED',
			'Connection is awaiting two-factor authentication',
			REAUTHENTICATE,
		);
	}
	return connection;
}

export function parseListId(raw: string | number): number {
	const text = String(raw);
	if (!LIST_ID_PATTERN.test(text)) {
		throw badRequest(`listId must be a numeric string, got "${text}"`);
	}
	return Number(text);
}

export function findList(connection: Connection, listId: number): VaultList | undefined {
	return connection.lists.find((l) => l.id === listId);
}

/**
 * PUT /v2/vault-plus/lists/:listId/sync. Checks run request-first (400), then connection (401),
 * Vault+ (403), list (404), so a malformed request fails the same way whatever the state.
 */
export function syncList(
	state: SandboxState,
	connectionId: string,
	listId: string | number,
): SyncResult {
	const id = parseListId(listId);
	const connection = requireLiveConnection(state, connectionId);
	if (!connection.vaultPlusEnabled) {
		throw new ApiError(403, 'FORBIDDEN', 'Vault+ is not enabled for this connection');
	}
	const list = findList(connection, id);
	if (!list) throw notFound(`Vault list ${id} not found for connection ${connectionId}`);
	return reconcile(connection, list);
}

/** The authoritative sync of one list against its previous baseline (seed doc, spec §5). */
export function reconcile(connection: Connection, list: VaultList): SyncResult {
	const { cache } = connection;
	const previous = connection.baselines.get(list.id);
	const result: SyncResult = {
		synced: true,
		listId: String(list.id),
		seen: list.media.length,
		addedItems: 0,
		updatedItems: 0,
		removedItems: 0,
		unchangedItems: 0,
		adoptedItems: 0,
	};

	for (const item of list.media) {
		const entry = cache.get(item.id);
		if (!entry) {
			cache.set(item.id, { fingerprint: item.fingerprint, owners: new Set([list.id]) });
			result.addedItems++;
		} else if (entry.fingerprint !== item.fingerprint) {
			// DECISION: a re-queued item keeps its other owners; the file changed, not who holds it.
			entry.fingerprint = item.fingerprint;
			entry.owners.add(list.id);
			result.updatedItems++;
		} else if (previous?.has(item.id)) {
			// DECISION: "still current" compares with the cache, not the baseline's fingerprint, so a
			// change already re-queued by another list's sync is not counted twice.
			entry.owners.add(list.id);
			result.unchangedItems++;
		} else {
			entry.owners.add(list.id);
			result.adoptedItems++;
		}
	}

	if (previous) {
		const current = new Set(list.media.map((m) => m.id));
		for (const mediaId of previous.keys()) {
			if (current.has(mediaId)) continue;
			const entry = cache.get(mediaId);
			if (!entry) continue;
			entry.owners.delete(list.id);
			if (entry.owners.size === 0) {
				cache.delete(mediaId);
				result.removedItems++;
			}
		}
	}

	connection.baselines.set(list.id, new Map(list.media.map((m) => [m.id, m.fingerprint])));
	return result;
}

/** Offset pagination parameters as the API accepts them: query strings or numbers. */
export interface PageParams {
	limit?: string | number;
	offset?: string | number;
}

/** DECISION: out-of-range or non-integer paging values are rejected (400), never clamped. */
export function parsePage(
	params: PageParams,
	bounds: { default: number; max: number },
): { limit: number; offset: number } {
	const limit = parseInteger('limit', params.limit, bounds.default, 1, bounds.max);
	const offset = parseInteger('offset', params.offset, 0, 0, Number.MAX_SAFE_INTEGER);
	return { limit, offset };
}

function parseInteger(
	name: string,
	raw: string | number | undefined,
	fallback: number,
	min: number,
	max: number,
): number {
	if (raw === undefined || raw === '') return fallback;
	const value = typeof raw === 'number' ? raw : /^-?[0-9]+$/.test(raw) ? Number(raw) : NaN;
	if (!Number.isInteger(value) || value < min || value > max) {
		throw badRequest(`${name} must be an integer between ${min} and ${max}`);
	}
	return value;
}
