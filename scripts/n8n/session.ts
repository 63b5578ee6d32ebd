/**
 * The editor's side of n8n's REST API: an axios instance that sends the browser-id header and keeps
 * the auth cookie, as the editor's browser does; n8n's {data: …} wrapper; errors that show the body.
 */
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';

/** Any constant: n8n binds the auth cookie to a hash of this header when it is sent at login. */
const BROWSER_ID = 'ofauth-vault-plus-e2e-browser';

export function createApi(baseURL: string): AxiosInstance {
	const api = axios.create({
		baseURL,
		timeout: 60_000,
		headers: { 'browser-id': BROWSER_ID, 'content-type': 'application/json' },
		maxContentLength: 200 * 1024 * 1024,
	});
	// A one-host cookie jar: keep whatever n8n sets (n8n-auth is refreshed on some responses).
	api.interceptors.response.use(
		(response) => {
			adoptCookies(api, response);
			return response;
		},
		(error) => {
			if (error?.response) {
				adoptCookies(api, error.response);
				const { status, config, data } = error.response as AxiosResponse;
				error.message = `${config?.method?.toUpperCase()} ${config?.url} → ${status}: ${truncate(JSON.stringify(data), 500)}`;
			}
			return Promise.reject(error);
		},
	);
	return api;
}

const jars = new WeakMap<AxiosInstance, Map<string, string>>();

export function adoptCookies(api: AxiosInstance, response: AxiosResponse): void {
	const setCookie = response.headers['set-cookie'];
	if (!setCookie || setCookie.length === 0) return;
	const jar = jars.get(api) ?? new Map<string, string>();
	jars.set(api, jar);
	for (const cookie of setCookie) {
		const [pair] = cookie.split(';');
		const eq = pair.indexOf('=');
		if (eq <= 0) continue;
		const name = pair.slice(0, eq).trim();
		const value = pair.slice(eq + 1).trim();
		if (value === '' || /expires=Thu, 01 Jan 1970/i.test(cookie)) jar.delete(name);
		else jar.set(name, value);
	}
	api.defaults.headers.common.Cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
}

/** n8n wraps REST answers as {data: …}. */
export function unwrap<T>(body: unknown): T {
	return (body && typeof body === 'object' && 'data' in body ? (body as { data: T }).data : body) as T;
}

export function httpError(what: string, response: AxiosResponse): Error {
	return new Error(`${what} → ${response.status}: ${truncate(JSON.stringify(response.data), 800)}`);
}

function truncate(text: string | undefined, max: number): string {
	if (!text) return '';
	return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
