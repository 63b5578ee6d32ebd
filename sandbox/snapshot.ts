/**
 * A JSON picture of the whole model for GET /__sandbox/state: what tests assert on after a sync.
 * Sets and maps become sorted arrays so two snapshots of equal states are deep-equal.
 */
import type { ConnectionStatus, MediaItem, SandboxState, UserData, VaultListType } from './model';

export interface CacheEntrySnapshot {
	mediaId: string;
	fingerprint: string;
	owners: number[];
}

export interface ConnectionSnapshot {
	id: string;
	status: ConnectionStatus;
	vaultPlusEnabled: boolean;
	permissions: string[];
	userData: UserData;
	createdAt: string;
	updatedAt: string;
	expiredAt: string | null;
	lists: { id: number; type: VaultListType; name: string; media: MediaItem[] }[];
	cache: CacheEntrySnapshot[];
	/** Keyed by list id; a list that was never synced has no key. */
	baselines: Record<string, MediaItem[]>;
}

export interface StateSnapshot {
	organisation: { id: string; name: string | null; permissions: string[] };
	/** How many keys are accepted; the keys themselves never leave the process. */
	apiKeyCount: number;
	connections: ConnectionSnapshot[];
}

const byNumber = (a: number, b: number) => a - b;
const byId = (a: { id: string }, b: { id: string }) => compareIds(a.id, b.id);
/** Numeric ids as strings sort by value, so "900" comes before "1000". */
const compareIds = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

export function snapshot(state: SandboxState): StateSnapshot {
	return {
		organisation: {
			id: state.organisation.id,
			name: state.organisation.name,
			permissions: [...state.organisation.permissions],
		},
		apiKeyCount: state.apiKeys.length,
		connections: state.connections.map((c) => ({
			id: c.id,
			status: c.status,
			vaultPlusEnabled: c.vaultPlusEnabled,
			permissions: [...c.permissions],
			userData: { ...c.userData },
			createdAt: c.createdAt,
			updatedAt: c.updatedAt,
			expiredAt: c.expiredAt,
			lists: c.lists.map((l) => ({
				id: l.id,
				type: l.type,
				name: l.name,
				media: l.media.map((m) => ({ ...m })),
			})),
			cache: [...c.cache.entries()]
				.map(([mediaId, e]) => ({
					mediaId,
					fingerprint: e.fingerprint,
					owners: [...e.owners].sort(byNumber),
				}))
				.sort((a, b) => compareIds(a.mediaId, b.mediaId)),
			baselines: Object.fromEntries(
				[...c.baselines.entries()]
					.sort(([a], [b]) => a - b)
					.map(([listId, items]) => [
						String(listId),
						[...items.entries()].map(([id, fingerprint]) => ({ id, fingerprint })).sort(byId),
					]),
			),
		})),
	};
}
