import type { ICredentialDataDecryptedObject, IHttpRequestOptions } from 'n8n-workflow';

export const DEFAULT_BASE_URL = 'https://api.ofauth.com';

export type BaseUrlCheck = { ok: true; baseUrl: string; host: string } | { ok: false; reason: string };

function isLoopbackHost(hostname: string): boolean {
	const host = hostname.toLowerCase();
	if (host === 'localhost' || host === '[::1]') return true;
	// WHATWG URL parsing has already normalised forms such as 0x7f.1 or 127.1 to dotted decimal.
	return /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * The one judge of a Base URL, for the credential and the node alike. The API key travels in a
 * header, so it may only go over HTTPS, or over plain HTTP to this very machine (a local sandbox or
 * proxy). Userinfo, query and fragment are refused because they would be sent along with, or mangle,
 * every request path. An empty Base URL means OFAuth's own.
 */
export function checkBaseUrl(raw: unknown): BaseUrlCheck {
	const text = typeof raw === 'string' ? raw.trim() : '';
	if (text === '') return { ok: true, baseUrl: DEFAULT_BASE_URL, host: 'api.ofauth.com' };

	let url: URL;
	try {
		url = new URL(text);
	} catch {
		return { ok: false, reason: `'${text.slice(0, 200)}' is not a URL (expected e.g. ${DEFAULT_BASE_URL})` };
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') {
		return { ok: false, reason: `it uses ${url.protocol.replace(/:$/, '')}, not https` };
	}
	if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
		return {
			ok: false,
			reason: `it uses plain http to ${url.host}, which would send the API key in clear text (http is only accepted for localhost, 127.x.x.x or [::1])`,
		};
	}
	if (url.username !== '' || url.password !== '') {
		return { ok: false, reason: 'it contains a user name or password; the API key field is the only secret' };
	}
	if (url.search !== '' || url.hash !== '') {
		return { ok: false, reason: 'it contains a query (?) or fragment (#)' };
	}
	const path = url.pathname.replace(/\/+$/, '');
	return { ok: true, baseUrl: `${url.protocol}//${url.host}${path}`, host: url.host };
}

/** The key as it is sent: stored keys often carry a pasted space or newline. */
export function usableApiKey(raw: unknown): string {
	return typeof raw === 'string' ? raw.trim() : '';
}

/** Where a request handed to n8n goes, in the options either of n8n's request helpers takes. */
interface RequestAddress {
	url?: unknown;
	uri?: unknown;
	baseURL?: unknown;
}

/** The same test axios uses: a scheme followed by //, or a bare //. */
const ABSOLUTE_URL = /^([a-z][a-z\d+\-.]*:)?\/\//i;

/**
 * The absolute URL n8n's HTTP client will call, built the way that client (axios) builds it: an
 * absolute url wins, a relative one is appended to baseURL. Undefined when it is not an absolute
 * http(s) URL, which the key guard then refuses.
 */
export function requestedUrl(options: RequestAddress): URL | undefined {
	// As n8n's request adapters do: any url given, even null, wins over uri; both become text.
	const given = options.url !== undefined ? options.url : options.uri;
	const url = given === undefined || given === null ? '' : String(given);
	const base = options.baseURL === undefined || options.baseURL === null ? '' : String(options.baseURL);
	const full =
		base !== '' && !ABSOLUTE_URL.test(url)
			? url === ''
				? base
				: `${base.replace(/\/?\/$/, '')}/${url.replace(/^\/+/, '')}`
			: url;
	try {
		const parsed = new URL(full);
		return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed : undefined;
	} catch {
		return undefined;
	}
}

/** Same origin, and a path at or below the Base URL's path. */
export function isWithinBaseUrl(target: URL, baseUrl: string): boolean {
	const base = new URL(baseUrl);
	if (target.origin !== base.origin || target.username !== '' || target.password !== '') return false;
	const prefix = base.pathname.replace(/\/+$/, '');
	return prefix === '' || target.pathname === prefix || target.pathname.startsWith(`${prefix}/`);
}

/** Redirects stay off for keyed requests: n8n would repeat the apiKey header to wherever they point. */
const NO_REDIRECTS = { disableFollowRedirect: true, followRedirect: false, followAllRedirects: false, maxRedirects: 0 };

/**
 * Adds the key to a request only when the request goes to this credential's own Base URL (its origin
 * and path), whichever node sends it: the Vault+ Sync node, the credential test, or n8n's HTTP Request
 * node with this credential as its predefined credential type. Anything else is refused with an error
 * rather than sent without the key, so the user learns why. Plain code, so nothing is evaluated per request.
 */
export async function withApiKey(
	credentials: ICredentialDataDecryptedObject,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const apiKey = usableApiKey(credentials.apiKey);
	if (apiKey === '') {
		throw new Error(
			"The 'OFAuth API' credential has no API key, so nothing was sent. Paste the key from API Keys in the OFAuth dashboard.",
		);
	}
	const base = checkBaseUrl(credentials.baseUrl);
	if (!base.ok) {
		throw new Error(
			`The 'Base URL' of the 'OFAuth API' credential is not allowed: ${base.reason}. The API key was not sent.`,
		);
	}
	const target = requestedUrl(requestOptions);
	if (target === undefined || !isWithinBaseUrl(target, base.baseUrl)) {
		const where = target ? `${target.origin}${target.pathname}` : 'an address that is not an absolute http(s) URL';
		throw new Error(
			`The 'OFAuth API' credential only sends its API key to ${base.baseUrl}; this request goes to ${where}, so it was not sent. Use the credential only for the OFAuth API, or set its 'Base URL'.`,
		);
	}
	return {
		...requestOptions,
		headers: { ...requestOptions.headers, apiKey },
		...NO_REDIRECTS,
	};
}
