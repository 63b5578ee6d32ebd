/**
 * Changes to the world outside the API: what a creator does on OnlyFans (edit a list) or what
 * happens to a connection (session expires, Vault+ switched). Tests drive these through the admin
 * API to set up the next sync. None of them touches the Vault+ cache or baselines: only a sync
 * does.
 */
import { badRequest, notFound } from './errors';
import {
	findList,
	type Connection,
	type ConnectionStatus,
	type MediaItem,
	type SandboxState,
	type VaultList,
	type VaultListType,
} from './model';
import { assertUniqueIds } from './validate';

export function requireConnection(state: SandboxState, connectionId: string): Connection {
	const connection = state.connections.find((c) => c.id === connectionId);
	if (!connection) throw notFound(`Connection ${connectionId} not found`);
	return connection;
}

export interface ListContent {
	media: MediaItem[];
	/** With `type`, creates the list when it does not exist; on an existing list, renames it. */
	name?: string;
	type?: VaultListType;
}

/** Replaces a list's content, as if the creator had rearranged it on OnlyFans. */
export function setListMedia(
	state: SandboxState,
	connectionId: string,
	listId: number,
	content: ListContent,
): VaultList {
	const connection = requireConnection(state, connectionId);
	assertUniqueIds(content.media, 'media');
	let list = findList(connection, listId);
	if (!list) {
		if (content.name === undefined || content.type === undefined) {
			throw notFound(`Vault list ${listId} not found; give name and type to create it`);
		}
		list = { id: listId, type: content.type, name: content.name, media: [] };
		connection.lists.push(list);
	}
	if (content.name !== undefined) list.name = content.name;
	if (content.type !== undefined) list.type = content.type;
	list.media = content.media.map((m) => ({ ...m }));
	return list;
}

export interface ListPatch {
	add?: MediaItem[];
	remove?: string[];
	update?: MediaItem[];
}

/**
 * Edits a list in place: removals first, then fingerprint updates, then additions at the end.
 * DECISION: adding a present id, or removing/updating an absent one, is a 400, because a test
 * that does it has a wrong picture of the list.
 */
export function patchListMedia(
	state: SandboxState,
	connectionId: string,
	listId: number,
	patch: ListPatch,
): VaultList {
	const connection = requireConnection(state, connectionId);
	const list = findList(connection, listId);
	if (!list) throw notFound(`Vault list ${listId} not found for connection ${connectionId}`);
	const media = list.media.map((m) => ({ ...m }));
	const indexOf = (id: string) => media.findIndex((m) => m.id === id);

	for (const id of patch.remove ?? []) {
		const at = indexOf(id);
		if (at < 0) throw badRequest(`remove: media ${id} is not in list ${listId}`);
		media.splice(at, 1);
	}
	for (const item of patch.update ?? []) {
		const at = indexOf(item.id);
		if (at < 0) throw badRequest(`update: media ${item.id} is not in list ${listId}`);
		media[at] = { ...item };
	}
	for (const item of patch.add ?? []) {
		if (indexOf(item.id) >= 0) {
			throw badRequest(`add: media ${item.id} is already in list ${listId}`);
		}
		media.push({ ...item });
	}
	list.media = media;
	return list;
}

export function setSessionStatus(
	state: SandboxState,
	connectionId: string,
	status: ConnectionStatus,
	now: Date = new Date(),
): Connection {
	const connection = requireConnection(state, connectionId);
	connection.status = status;
	connection.expiredAt = status === 'expired' ? now.toISOString() : null;
	connection.updatedAt = now.toISOString();
	return connection;
}

/**
 * DECISION: switching Vault+ off keeps the cache and baselines, so switching it back on resumes
 * where the last sync left off (the real purge-on-disable behaviour is undocumented).
 */
export function setVaultPlus(
	state: SandboxState,
	connectionId: string,
	enabled: boolean,
	now: Date = new Date(),
): Connection {
	const connection = requireConnection(state, connectionId);
	connection.vaultPlusEnabled = enabled;
	connection.updatedAt = now.toISOString();
	return connection;
}
