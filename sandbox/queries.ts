/**
 * The read endpoints' views of the model: the response shapes of the connections and vault-lists
 * endpoints (spec §4.2, §4.4), with their filtering and offset pagination.
 */
import { badRequest } from './errors';
import {
	CONNECTION_STATUSES,
	CONNECTIONS_LIMIT,
	parsePage,
	requireLiveConnection,
	VAULT_LISTS_LIMIT,
	VAULT_LISTS_QUERY_MAX_LENGTH,
	type Connection,
	type ConnectionStatus,
	type PageParams,
	type SandboxState,
	type UserData,
	type VaultListType,
} from './model';

export interface ConnectionView {
	status: ConnectionStatus;
	id: string;
	userData: UserData;
	permissions: string[];
	expiredAt: string | null;
	createdAt: string;
	updatedAt: string;
	clientReferenceId: string | null;
	imported: boolean;
	lastCheckedAt: string | null;
}

export interface ConnectionsParams extends PageParams {
	status?: string;
	imported?: string;
}

export function listConnections(
	state: SandboxState,
	params: ConnectionsParams = {},
): { list: ConnectionView[]; hasMore: boolean } {
	const { limit, offset } = parsePage(params, CONNECTIONS_LIMIT);
	const status = parseEnum('status', params.status, CONNECTION_STATUSES);
	const imported = parseEnum('imported', params.imported, ['true', 'false'] as const);
	const matching = state.connections.filter(
		(c) =>
			(status === undefined || c.status === status) &&
			(imported === undefined || String(c.imported) === imported),
	);
	return {
		list: matching.slice(offset, offset + limit).map(toConnectionView),
		hasMore: offset + limit < matching.length,
	};
}

function toConnectionView(c: Connection): ConnectionView {
	return {
		status: c.status,
		id: c.id,
		userData: { ...c.userData },
		permissions: [...c.permissions],
		expiredAt: c.expiredAt,
		createdAt: c.createdAt,
		updatedAt: c.updatedAt,
		clientReferenceId: c.clientReferenceId,
		imported: c.imported,
		lastCheckedAt: c.lastCheckedAt,
	};
}

export interface VaultListView {
	id: number;
	type: VaultListType;
	name: string;
	hasMedia: boolean;
	canUpdate: boolean;
	canDelete: boolean;
	medias: never[];
}

export interface VaultListsResponse {
	list: VaultListView[];
	all: {
		videosCount: number;
		photosCount: number;
		gifsCount: number;
		audiosCount: number;
		medias: never[];
	};
	hasMore: boolean;
	canCreateVaultLists: true;
	order: 'desc';
	sort: 'recent';
}

export interface VaultListsParams extends PageParams {
	query?: string;
}

/**
 * GET /v2/access/vault/lists. DECISION: newest first means highest id first ("order: desc, sort:
 * recent"); the query is a case-insensitive substring of the name; Vault+ need not be enabled,
 * because this is the Access API reading OnlyFans.
 */
export function listVaultLists(
	state: SandboxState,
	connectionId: string,
	params: VaultListsParams = {},
): VaultListsResponse {
	const { limit, offset } = parsePage(params, VAULT_LISTS_LIMIT);
	const query = (params.query ?? '').toLowerCase();
	if (query.length > VAULT_LISTS_QUERY_MAX_LENGTH) {
		throw badRequest(`query must be at most ${VAULT_LISTS_QUERY_MAX_LENGTH} characters`);
	}
	const connection = requireLiveConnection(state, connectionId);
	const matching = connection.lists
		.filter((l) => l.name.toLowerCase().includes(query))
		.sort((a, b) => b.id - a.id);
	return {
		list: matching.slice(offset, offset + limit).map((l) => ({
			id: l.id,
			type: l.type,
			name: l.name,
			hasMedia: l.media.length > 0,
			// DECISION: only custom lists are the user's own to rename or delete, as on OnlyFans.
			canUpdate: l.type === 'custom',
			canDelete: l.type === 'custom',
			medias: [],
		})),
		all: {
			videosCount: 0,
			// DECISION: media carry no type in the model, so every distinct media counts as a photo.
			photosCount: new Set(connection.lists.flatMap((l) => l.media.map((m) => m.id))).size,
			gifsCount: 0,
			audiosCount: 0,
			medias: [],
		},
		hasMore: offset + limit < matching.length,
		canCreateVaultLists: true,
		order: 'desc',
		sort: 'recent',
	};
}

function parseEnum<T extends string>(
	name: string,
	raw: string | undefined,
	allowed: readonly T[],
): T | undefined {
	if (raw === undefined || raw === '') return undefined;
	if (!(allowed as readonly string[]).includes(raw)) {
		throw badRequest(`${name} must be one of ${allowed.join(', ')}`);
	}
	return raw as T;
}
