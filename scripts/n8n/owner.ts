/** Signing in to a running n8n the way the editor does: the first-run owner setup, or a login. */
import type { AxiosInstance } from 'axios';

import { adoptCookies, createApi, httpError } from './session';

export interface OwnerDetails {
	email: string;
	password: string;
	firstName: string;
	lastName: string;
}

/** POST /rest/owner/setup at `url`; a reused user folder already has its owner, so that logs in instead. */
export async function setupOwner(url: string, owner: OwnerDetails): Promise<AxiosInstance> {
	const api = createApi(url);
	const response = await api.post('/rest/owner/setup', owner, { validateStatus: () => true });
	if (response.status === 200) {
		adoptCookies(api, response);
		return api;
	}
	// A reused user folder already has its owner: log in instead.
	if (response.status === 400 && /already/i.test(JSON.stringify(response.data))) {
		return login(url, owner);
	}
	throw httpError('POST /rest/owner/setup', response);
}

export async function login(url: string, user: Pick<OwnerDetails, 'email' | 'password'>): Promise<AxiosInstance> {
	const api = createApi(url);
	// 1.x/2.x LoginRequestDto reads emailOrLdapLoginId; older builds read email. Extra keys are ignored.
	const response = await api.post(
		'/rest/login',
		{ emailOrLdapLoginId: user.email, email: user.email, password: user.password },
		{ validateStatus: () => true },
	);
	if (response.status !== 200) throw httpError('POST /rest/login', response);
	adoptCookies(api, response);
	return api;
}
