/**
 * The HTTP admin API under /__sandbox/, a prefix no real client uses. JSON in and out, no auth,
 * never logged, never faulted. Each route is a thin call into SandboxAdmin.
 */
import type { SandboxAdmin } from './admin';
import { trafficRoutes, type AdminRoute } from './admin-traffic-routes';
import type { ApiResponse } from './api-routes';
import { badRequest, routeNotFound } from './errors';
import { parseListId } from './model';
import type { RequestLog } from './request-log';
import {
	asBoolean,
	asListType,
	asMediaId,
	asMediaItem,
	asMediaList,
	asObject,
	asStatus,
	asString,
} from './validate';

export const ADMIN_PREFIX = '/__sandbox';

export interface AdminRequest {
	method: string;
	path: string;
	/** Parsed JSON body; undefined when none was sent. */
	body: unknown;
}

const ok = (body: unknown): ApiResponse => ({ status: 200, body });

export function handleAdmin(
	admin: SandboxAdmin,
	log: RequestLog,
	request: AdminRequest,
): ApiResponse {
	const connection = '/connections/([^/]+)';
	const table: AdminRoute[] = [
		['GET', /^\/requests$/, () => ok(log.list())],
		['DELETE', /^\/requests$/, () => ok({ cleared: log.clear() })],
		['GET', /^\/state$/, () => ok(admin.snapshot())],
		[
			'POST',
			/^\/reset$/,
			() => {
				admin.reset();
				return ok(admin.snapshot());
			},
		],
		[
			'PUT',
			new RegExp(`^${connection}/lists/([^/]+)/media$`),
			([connectionId, listId], body) => {
				const input = asObject(body, 'body');
				return ok(
					admin.setListMedia(connectionId, parseListId(listId), {
						media: asMediaList(input.media, 'media'),
						name: input.name === undefined ? undefined : asString(input.name, 'name'),
						type: input.type === undefined ? undefined : asListType(input.type, 'type'),
					}),
				);
			},
		],
		[
			'PATCH',
			new RegExp(`^${connection}/lists/([^/]+)/media$`),
			([connectionId, listId], body) => {
				const input = asObject(body, 'body');
				return ok(
					admin.patchListMedia(connectionId, parseListId(listId), {
						add: optionalArray(input.add, 'add').map((v, i) => asMediaItem(v, `add[${i}]`)),
						remove: optionalArray(input.remove, 'remove').map((v, i) =>
							asMediaId(v, `remove[${i}]`),
						),
						update: optionalArray(input.update, 'update').map((v, i) =>
							asMediaItem(v, `update[${i}]`),
						),
					}),
				);
			},
		],
		[
			'POST',
			new RegExp(`^${connection}/session$`),
			([connectionId], body) => {
				const status = asStatus(asObject(body, 'body').status, 'status');
				return ok(connectionSummary(admin.setSessionStatus(connectionId, status)));
			},
		],
		[
			'POST',
			new RegExp(`^${connection}/vault-plus$`),
			([connectionId], body) => {
				const enabled = asBoolean(asObject(body, 'body').enabled, 'enabled');
				return ok(connectionSummary(admin.setVaultPlus(connectionId, enabled)));
			},
		],
		['POST', /^\/faults$/, (_, body) => ({ status: 201, body: admin.addFault(body ?? {}) })],
		['GET', /^\/faults$/, () => ok(admin.faults())],
		['DELETE', /^\/faults$/, () => ok({ cleared: admin.clearFaults() })],
		...trafficRoutes(admin),
	];

	const subPath = request.path.slice(ADMIN_PREFIX.length);
	for (const [method, pattern, handler] of table) {
		const match = method === request.method ? pattern.exec(subPath) : null;
		if (match) return handler(match.slice(1).map(decodeParam), request.body);
	}
	throw routeNotFound(request.method, request.path);
}

function optionalArray(value: unknown, where: string): unknown[] {
	if (value === undefined) return [];
	if (!Array.isArray(value)) throw badRequest(`${where} must be an array`);
	return value;
}

function decodeParam(segment: string): string {
	try {
		return decodeURIComponent(segment);
	} catch {
		throw badRequest(`Malformed path segment "${segment}"`);
	}
}

function connectionSummary(c: {
	id: string;
	status: string;
	vaultPlusEnabled: boolean;
	expiredAt: string | null;
	updatedAt: string;
}) {
	const { id, status, vaultPlusEnabled, expiredAt, updatedAt } = c;
	return { id, status, vaultPlusEnabled, expiredAt, updatedAt };
}
