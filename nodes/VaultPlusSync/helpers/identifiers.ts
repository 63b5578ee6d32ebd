import { CONNECTION_ID_PATTERN, LIST_ID_PATTERN } from '../descriptions/parameters';

export type IdentifierCheck = { ok: true; value: string } | { ok: false; reason: string };

function describe(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'a list';
	if (typeof value === 'object') return 'an object';
	if (typeof value === 'string') {
		const shown = value.length > 60 ? `${value.slice(0, 60)}…` : value;
		return `"${shown}"`;
	}
	return `${typeof value} ${String(value)}`;
}

/** Expressions may hand over numbers for ids; anything else is a mistake worth naming. */
function asIdText(value: unknown): string | undefined {
	if (typeof value === 'string') return value;
	if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
	return undefined;
}

export function checkConnectionId(value: unknown): IdentifierCheck {
	const text = asIdText(value);
	if (text === undefined || text === '') {
		return { ok: false, reason: `it is empty or not text (got ${describe(value)})` };
	}
	if (!new RegExp(CONNECTION_ID_PATTERN).test(text)) {
		return {
			ok: false,
			reason: `${describe(text)} is not a connection ID: it must be at most 200 visible characters with no spaces, e.g. conn_v5bsqkzsjfk8cgr7hqbbw09t`,
		};
	}
	return { ok: true, value: text };
}

export function checkListId(value: unknown): IdentifierCheck {
	const text = asIdText(value);
	if (text === undefined || text === '') {
		return { ok: false, reason: `it is empty or not a number (got ${describe(value)})` };
	}
	if (!new RegExp(LIST_ID_PATTERN).test(text)) {
		return {
			ok: false,
			reason: `${describe(text)} is not a vault list ID: it must be digits only, e.g. 28489180`,
		};
	}
	// OnlyFans ids are numbers: "0028489180" and "28489180" name one list, and OFAuth answers with the latter.
	return { ok: true, value: text.replace(/^0+(?=\d)/, '') };
}
