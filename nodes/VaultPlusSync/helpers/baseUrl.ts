export const DEFAULT_BASE_URL = 'https://api.ofauth.com';

export type BaseUrlCheck = { ok: true; baseUrl: string; host: string } | { ok: false; reason: string };

function isLoopbackHost(hostname: string): boolean {
	const host = hostname.toLowerCase();
	if (host === 'localhost' || host === '[::1]') return true;
	// WHATWG URL parsing has already normalised forms such as 0x7f.1 to dotted decimal.
	return /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * The API key travels in a header, so it may only go over HTTPS, or over plain HTTP to this very
 * machine (a local sandbox or proxy). Userinfo, query and fragment are refused because they would be
 * sent along with, or mangle, every request path.
 */
export function checkBaseUrl(raw: unknown): BaseUrlCheck {
	const text = typeof raw === 'string' ? raw.trim() : '';
	if (text === '') return { ok: true, baseUrl: DEFAULT_BASE_URL, host: 'api.ofauth.com' };

	let url: URL;
	try {
		url = new URL(text);
	} catch {
		return { ok: false, reason: `"${text}" is not a URL (expected e.g. ${DEFAULT_BASE_URL})` };
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
