/**
 * Turns untrusted JSON (seed files, admin request bodies) into model values, throwing BAD_REQUEST
 * with the path of the first bad field so a broken fixture says where it is broken.
 */
import { badRequest } from './errors';
import {
	CONNECTION_STATUSES,
	VAULT_LIST_TYPES,
	type ConnectionStatus,
	type MediaItem,
	type VaultListType,
} from './model';

/** DECISION: media ids are numeric strings, as OnlyFans media ids are numbers. */
export const MEDIA_ID_PATTERN = /^[0-9]{1,20}$/;

export type JsonObject = { [key: string]: unknown };

export function isObject(value: unknown): value is JsonObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asObject(value: unknown, where: string): JsonObject {
	if (!isObject(value)) throw badRequest(`${where} must be an object`);
	return value;
}

export function asString(value: unknown, where: string): string {
	if (typeof value !== 'string' || value === '') {
		throw badRequest(`${where} must be a non-empty string`);
	}
	return value;
}

export function asBoolean(value: unknown, where: string): boolean {
	if (typeof value !== 'boolean') throw badRequest(`${where} must be a boolean`);
	return value;
}

export function asInteger(value: unknown, where: string, min: number, max: number): number {
	if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
		throw badRequest(`${where} must be an integer between ${min} and ${max}`);
	}
	return value;
}

export function asStringArray(value: unknown, where: string): string[] {
	if (!Array.isArray(value)) throw badRequest(`${where} must be an array`);
	return value.map((v, i) => asString(v, `${where}[${i}]`));
}

export function asListType(value: unknown, where: string): VaultListType {
	if (!(VAULT_LIST_TYPES as readonly unknown[]).includes(value)) {
		throw badRequest(`${where} must be one of ${VAULT_LIST_TYPES.join(', ')}`);
	}
	return value as VaultListType;
}

export function asStatus(value: unknown, where: string): ConnectionStatus {
	if (!(CONNECTION_STATUSES as readonly unknown[]).includes(value)) {
		throw badRequest(`${where} must be one of ${CONNECTION_STATUSES.join(', ')}`);
	}
	return value as ConnectionStatus;
}

export function asMediaId(value: unknown, where: string): string {
	// Numbers are accepted because fixtures copied from the Access API carry numeric ids.
	const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
	if (typeof text !== 'string' || !MEDIA_ID_PATTERN.test(text)) {
		throw badRequest(`${where} must be a numeric string`);
	}
	return text;
}

export function asMediaItem(value: unknown, where: string): MediaItem {
	const item = asObject(value, where);
	return {
		id: asMediaId(item.id, `${where}.id`),
		fingerprint: asString(item.fingerprint, `${where}.fingerprint`),
	};
}

/** DECISION: a list holds a media id at most once; duplicates are a fixture bug, so rejected. */
export function asMediaList(value: unknown, where: string): MediaItem[] {
	if (!Array.isArray(value)) throw badRequest(`${where} must be an array`);
	const items = value.map((v, i) => asMediaItem(v, `${where}[${i}]`));
	assertUniqueIds(items, where);
	return items;
}

export function assertUniqueIds(items: readonly MediaItem[], where: string): void {
	const seen = new Set<string>();
	for (const item of items) {
		if (seen.has(item.id)) throw badRequest(`${where} holds media ${item.id} more than once`);
		seen.add(item.id);
	}
}
