/**
 * Seed loader: turns a seed (seed.json by default, or any file in the same format) into a fresh
 * SandboxState with an empty Vault+ cache and no baselines.
 *
 * Seed format (JSON):
 * {
 *   "organisation": { "id": string, "name": string | null, "permissions": string[] },
 *   "apiKeys": string[],                        // keys accepted in the `apiKey` header
 *   "connections": [{
 *     "id": "conn_…", "status": "active" | "expired" | "awaiting_2fa",
 *     "vaultPlusEnabled": boolean,
 *     "userData": { "id": numeric string, "name": string, "username": string },
 *     "createdAt": ISO string,
 *     "permissions"?: string[],                 // default DEFAULT_CONNECTION_PERMISSIONS
 *     "expiredAt"?: ISO string, "clientReferenceId"?: string, "imported"?: boolean,
 *     "lists": [{ "id": number, "type": "custom" | "messages" | …, "name": string,
 *                 "media": [{ "id": numeric string, "fingerprint": string }] }],
 *     "generatedLists"?: {                      // appended after `lists`, for pagination tests
 *       "count": n, "firstId": number, "type": list type, "namePrefix": string,
 *       "firstMediaId": number, "mediaPerList": n
 *     }                                         // -> "<namePrefix> 01", ids firstId…, own media
 *   }],
 *   "generatedConnections"?: {                  // appended after `connections`
 *     "count": n, "idPrefix": string, "statuses": status[] (cycled), "vaultPlusEnabled": boolean,
 *     "firstUserId": number, "firstCreatedAt": ISO string
 *   }                                           // -> "<idPrefix>01", "Filler 01", no lists
 * }
 * Generated names are numbered from 01 with two digits, one day apart for createdAt.
 */
import defaultSeedFile from './seed.json';
import { readFileSync } from 'node:fs';
import { badRequest } from './errors';
import type { Connection, ConnectionStatus, SandboxState, VaultList, VaultListType } from './model';
import {
	asBoolean,
	asInteger,
	asListType,
	asMediaList,
	asObject,
	asStatus,
	asString,
	asStringArray,
	type JsonObject,
} from './validate';

export const DEFAULT_CONNECTION_PERMISSIONS = ['profile:read', 'vault:read', 'vault:write'];
const DAY_MS = 24 * 60 * 60 * 1000;

interface GeneratedLists {
	count: number;
	firstId: number;
	type: VaultListType;
	namePrefix: string;
	firstMediaId: number;
	mediaPerList: number;
}

interface GeneratedConnections {
	count: number;
	idPrefix: string;
	statuses: ConnectionStatus[];
	vaultPlusEnabled: boolean;
	firstUserId: number;
	firstCreatedAt: string;
}

export interface SeedConnection {
	id: string;
	status: ConnectionStatus;
	vaultPlusEnabled: boolean;
	userData: { id: string; name: string; username: string };
	createdAt: string;
	permissions: string[];
	expiredAt: string | null;
	clientReferenceId: string | null;
	imported: boolean;
	lists: VaultList[];
	generatedLists?: GeneratedLists;
}

export interface SandboxSeed {
	organisation: { id: string; name: string | null; permissions: string[] };
	apiKeys: string[];
	connections: SeedConnection[];
	generatedConnections?: GeneratedConnections;
}

/** The bundled seed, parsed afresh so callers may modify their copy. */
export function defaultSeed(): SandboxSeed {
	return parseSeed(defaultSeedFile);
}

export function loadSeedFile(path: string): SandboxSeed {
	return parseSeed(JSON.parse(readFileSync(path, 'utf8')) as unknown);
}

export function parseSeed(raw: unknown): SandboxSeed {
	const seed = asObject(raw, 'seed');
	const org = asObject(seed.organisation, 'organisation');
	const parsed: SandboxSeed = {
		organisation: {
			id: asString(org.id, 'organisation.id'),
			name: org.name === null ? null : asString(org.name, 'organisation.name'),
			permissions: asStringArray(org.permissions ?? [], 'organisation.permissions'),
		},
		apiKeys: asStringArray(seed.apiKeys, 'apiKeys'),
		connections: (Array.isArray(seed.connections) ? seed.connections : []).map((c, i) =>
			parseConnection(asObject(c, `connections[${i}]`), `connections[${i}]`),
		),
	};
	if (seed.generatedConnections !== undefined) {
		const g = asObject(seed.generatedConnections, 'generatedConnections');
		const statuses = Array.isArray(g.statuses) ? g.statuses : [];
		parsed.generatedConnections = {
			count: asInteger(g.count, 'generatedConnections.count', 0, 1000),
			idPrefix: asString(g.idPrefix, 'generatedConnections.idPrefix'),
			statuses: statuses.map((s, i) => asStatus(s, `generatedConnections.statuses[${i}]`)),
			vaultPlusEnabled: asBoolean(g.vaultPlusEnabled, 'generatedConnections.vaultPlusEnabled'),
			firstUserId: asInteger(g.firstUserId, 'generatedConnections.firstUserId', 1, 1e12),
			firstCreatedAt: asString(g.firstCreatedAt, 'generatedConnections.firstCreatedAt'),
		};
		if (parsed.generatedConnections.statuses.length === 0) {
			throw badRequest('generatedConnections.statuses must not be empty');
		}
	}
	return parsed;
}

function parseConnection(c: JsonObject, at: string): SeedConnection {
	const user = asObject(c.userData, `${at}.userData`);
	const connection: SeedConnection = {
		id: asString(c.id, `${at}.id`),
		status: asStatus(c.status, `${at}.status`),
		vaultPlusEnabled: asBoolean(c.vaultPlusEnabled, `${at}.vaultPlusEnabled`),
		userData: {
			id: asString(user.id, `${at}.userData.id`),
			name: asString(user.name, `${at}.userData.name`),
			username: asString(user.username, `${at}.userData.username`),
		},
		createdAt: asString(c.createdAt, `${at}.createdAt`),
		permissions: asStringArray(
			c.permissions ?? DEFAULT_CONNECTION_PERMISSIONS,
			`${at}.permissions`,
		),
		expiredAt: c.expiredAt === undefined ? null : asString(c.expiredAt, `${at}.expiredAt`),
		clientReferenceId:
			c.clientReferenceId === undefined
				? null
				: asString(c.clientReferenceId, `${at}.clientReferenceId`),
		imported: c.imported === undefined ? false : asBoolean(c.imported, `${at}.imported`),
		lists: (Array.isArray(c.lists) ? c.lists : []).map((l, i) => {
			const list = asObject(l, `${at}.lists[${i}]`);
			return {
				id: asInteger(list.id, `${at}.lists[${i}].id`, 1, Number.MAX_SAFE_INTEGER),
				type: asListType(list.type, `${at}.lists[${i}].type`),
				name: asString(list.name, `${at}.lists[${i}].name`),
				media: asMediaList(list.media ?? [], `${at}.lists[${i}].media`),
			};
		}),
	};
	if (c.generatedLists !== undefined) {
		const g = asObject(c.generatedLists, `${at}.generatedLists`);
		connection.generatedLists = {
			count: asInteger(g.count, `${at}.generatedLists.count`, 0, 1000),
			firstId: asInteger(g.firstId, `${at}.generatedLists.firstId`, 1, 1e12),
			type: asListType(g.type, `${at}.generatedLists.type`),
			namePrefix: asString(g.namePrefix, `${at}.generatedLists.namePrefix`),
			firstMediaId: asInteger(g.firstMediaId, `${at}.generatedLists.firstMediaId`, 1, 1e12),
			mediaPerList: asInteger(g.mediaPerList, `${at}.generatedLists.mediaPerList`, 0, 100),
		};
	}
	return connection;
}

const ordinal = (i: number) => String(i + 1).padStart(2, '0');

/** A fresh state for the seed: generators expanded, cache empty, no list synced yet. */
export function buildState(seed: SandboxSeed): SandboxState {
	const connections = seed.connections.map(toConnection);
	const g = seed.generatedConnections;
	for (let i = 0; g && i < g.count; i++) {
		const status = g.statuses[i % g.statuses.length];
		const createdAt = new Date(Date.parse(g.firstCreatedAt) + i * DAY_MS).toISOString();
		connections.push(
			toConnection({
				id: `${g.idPrefix}${ordinal(i)}`,
				status,
				vaultPlusEnabled: g.vaultPlusEnabled,
				userData: {
					id: String(g.firstUserId + i),
					name: `Filler ${ordinal(i)}`,
					username: `filler_${ordinal(i)}`,
				},
				createdAt,
				permissions: [...DEFAULT_CONNECTION_PERMISSIONS],
				expiredAt: status === 'expired' ? createdAt : null,
				clientReferenceId: null,
				imported: false,
				lists: [],
			}),
		);
	}
	assertUnique(connections.map((c) => c.id), 'connection id');
	for (const c of connections) assertUnique(c.lists.map((l) => String(l.id)), `list id in ${c.id}`);
	return {
		organisation: { ...seed.organisation, permissions: [...seed.organisation.permissions] },
		apiKeys: [...seed.apiKeys],
		connections,
	};
}

function toConnection(seed: SeedConnection): Connection {
	const lists = seed.lists.map((l) => ({ ...l, media: l.media.map((m) => ({ ...m })) }));
	const g = seed.generatedLists;
	for (let i = 0; g && i < g.count; i++) {
		const media = Array.from({ length: g.mediaPerList }, (_, k) => {
			const id = String(g.firstMediaId + i * g.mediaPerList + k);
			return { id, fingerprint: `fp-${id}-a` };
		});
		lists.push({ id: g.firstId + i, type: g.type, name: `${g.namePrefix} ${ordinal(i)}`, media });
	}
	return {
		id: seed.id,
		status: seed.status,
		vaultPlusEnabled: seed.vaultPlusEnabled,
		permissions: [...seed.permissions],
		userData: { ...seed.userData, avatar: null },
		createdAt: seed.createdAt,
		updatedAt: seed.createdAt,
		expiredAt: seed.expiredAt,
		clientReferenceId: seed.clientReferenceId,
		imported: seed.imported,
		lastCheckedAt: null,
		lists,
		cache: new Map(),
		baselines: new Map(),
	};
}

function assertUnique(values: string[], what: string): void {
	const seen = new Set<string>();
	for (const v of values) {
		if (seen.has(v)) throw badRequest(`duplicate ${what}: ${v}`);
		seen.add(v);
	}
}
