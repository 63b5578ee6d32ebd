import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { checkBaseUrl } from '../helpers/baseUrl';
import type { FailedResponse, RequestSubject } from './errors';
import { ofAuthApiError, unexpectedAnswerError, unreachableError } from './errors';

export const CREDENTIAL_NAME = 'ofAuthApi';

/** A sync reads the whole OnlyFans list server-side, so it may take minutes. */
const REQUEST_TIMEOUT_MS = 300_000;

/** Every answer is checked before use; problems name what is wrong with it. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; problems: string[] };

export interface OfAuthRequest<T> {
	method: IHttpRequestMethods;
	/** Path below the base URL, with every dynamic segment already encoded. */
	path: string;
	connectionId?: string;
	qs?: IDataObject;
	subject: RequestSubject;
	/** Names the answer in messages, e.g. "sync result for vault list 123". */
	expected: string;
	parse: (body: unknown) => Parsed<T>;
}

interface FullResponse {
	statusCode: number;
	headers: Record<string, unknown>;
	body: unknown;
}

type OfAuthContext = IExecuteFunctions | ILoadOptionsFunctions;

function parseJsonBody(body: unknown): { ok: true; value: unknown } | { ok: false } {
	if (typeof body !== 'string') return { ok: true, value: body };
	if (body.trim() === '') return { ok: false };
	try {
		return { ok: true, value: JSON.parse(body) };
	} catch {
		return { ok: false };
	}
}

/** The one place that talks HTTP to OFAuth: base URL, auth, connection header, and error mapping. */
export async function ofAuthApiRequest<T>(
	context: OfAuthContext,
	request: OfAuthRequest<T>,
): Promise<T> {
	const node = context.getNode();
	const credentials = await context.getCredentials(CREDENTIAL_NAME, request.subject.itemIndex);
	const secrets = [String(credentials.apiKey ?? '')];

	const base = checkBaseUrl(credentials.baseUrl);
	if (!base.ok) {
		throw new NodeOperationError(node, `The Base URL of the OFAuth API credential is not allowed: ${base.reason}`, {
			description:
				'Open the "OFAuth API" credential and set Base URL to https://api.ofauth.com (or another HTTPS address). The key is never sent to an address that fails this check.',
			itemIndex: request.subject.itemIndex,
		});
	}

	const options: IHttpRequestOptions = {
		method: request.method,
		url: `${base.baseUrl}${request.path}`,
		headers: request.connectionId ? { 'x-connection-id': request.connectionId } : {},
		qs: request.qs,
		json: true,
		timeout: REQUEST_TIMEOUT_MS,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		// A redirect could carry the key to another host.
		disableFollowRedirect: true,
		sendCredentialsOnCrossOriginRedirect: false,
	};

	let response: FullResponse;
	try {
		response = (await context.helpers.httpRequestWithAuthentication.call(
			context,
			CREDENTIAL_NAME,
			options,
		)) as FullResponse;
	} catch (error) {
		throw unreachableError(node, error, base.host, request.subject);
	}

	if (response.statusCode < 200 || response.statusCode > 299) {
		throw ofAuthApiError(node, response as FailedResponse, request.subject, secrets);
	}
	const json = parseJsonBody(response.body);
	const parsed: Parsed<T> = json.ok
		? request.parse(json.value)
		: { ok: false, problems: ['the body is not JSON'] };
	if (!parsed.ok) {
		throw unexpectedAnswerError(node, {
			what: `OFAuth returned an unexpected ${request.expected}`,
			problems: parsed.problems,
			received: response.body,
			subject: request.subject,
			secrets,
		});
	}
	return parsed.value;
}
