import type {
	ICredentialsDecrypted,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
} from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import { checkBaseUrl } from '../helpers/baseUrl';
import type { AttemptHistory, RequestSubject } from './errors';
import { networkCode, ofAuthApiError, unexpectedAnswerError, unreachableError } from './errors';
import { RatePacer } from './pacing';
import { DEFAULT_POLICY, isRetryable, retryDelayMs, type Outcome, type RetryPolicy } from './retry';

export const CREDENTIAL_NAME = 'ofAuthApi';

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
	/** Retries, waits and timeout; the node's defaults when absent. */
	policy?: RetryPolicy;
}

interface FullResponse {
	statusCode: number;
	headers: Record<string, unknown>;
	body: unknown;
}

type OfAuthContext = IExecuteFunctions | ILoadOptionsFunctions;

/** What every request of one run shares: the credential, read and checked once. */
export interface OfAuthSession {
	credentials: ICredentialsDecrypted;
	baseUrl: string;
	host: string;
	secrets: string[];
	pacer: RatePacer;
}

/**
 * Reads the credential and refuses an insecure Base URL before anything is sent. n8n decrypts a
 * credential on every read, so a run reads it once and hands it to each request.
 */
export async function openSession(context: OfAuthContext, itemIndex?: number): Promise<OfAuthSession> {
	const node = context.getNode();
	const data = await context.getCredentials(CREDENTIAL_NAME, itemIndex);
	const base = checkBaseUrl(data.baseUrl);
	if (!base.ok) {
		throw new NodeOperationError(node, `The Base URL of the OFAuth API credential is not allowed: ${base.reason}`, {
			description:
				'Open the "OFAuth API" credential and set Base URL to https://api.ofauth.com (or another HTTPS address). The key is never sent to an address that fails this check.',
			itemIndex,
		});
	}
	const reference = node.credentials?.[CREDENTIAL_NAME];
	return {
		credentials: { id: reference?.id ?? '', name: reference?.name ?? '', type: CREDENTIAL_NAME, data },
		baseUrl: base.baseUrl,
		host: base.host,
		secrets: [String(data.apiKey ?? '')],
		pacer: new RatePacer(),
	};
}

/** One try: an Outcome for the retry policy, plus what the error messages need. */
type Attempt =
	| (Outcome & { kind: 'answer'; response: FullResponse; json: unknown })
	| (Outcome & { kind: 'garbled'; response: FullResponse })
	| (Outcome & { kind: 'unreachable'; error: unknown });

function parseJsonBody(body: unknown): { ok: true; value: unknown } | { ok: false } {
	if (typeof body !== 'string') return { ok: true, value: body };
	if (body.trim() === '') return { ok: false };
	try {
		return { ok: true, value: JSON.parse(body) };
	} catch {
		return { ok: false };
	}
}

function cancelSignal(context: OfAuthContext): AbortSignal | undefined {
	return 'getExecutionCancelSignal' in context ? context.getExecutionCancelSignal() : undefined;
}

/** Waits, unless the execution is cancelled first; n8n forbids timers of a node's own. */
async function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
	if (!signal) {
		await sleep(ms);
		return true;
	}
	if (signal.aborted) return false;
	let onAbort = () => {};
	const aborted = new Promise<false>((resolve) => {
		onAbort = () => resolve(false);
		signal.addEventListener('abort', onAbort, { once: true });
	});
	try {
		// n8n 2.x's sleep also stops its timer on abort; 1.x's ignores the signal, so race it.
		return await Promise.race([sleep(ms, signal).then(() => true, () => false), aborted]);
	} finally {
		signal.removeEventListener('abort', onAbort);
	}
}

/**
 * The one place that talks HTTP to OFAuth: base URL, auth, connection header, retries and error
 * mapping. The sync is an idempotent PUT, so repeating it after a lost answer is safe.
 */
export async function ofAuthApiRequest<T>(
	context: OfAuthContext,
	request: OfAuthRequest<T>,
	givenSession?: OfAuthSession,
): Promise<T> {
	const node = context.getNode();
	const policy = request.policy ?? DEFAULT_POLICY;
	const session = givenSession ?? (await openSession(context, request.subject.itemIndex));
	const { secrets } = session;

	const options: IHttpRequestOptions = {
		method: request.method,
		url: `${session.baseUrl}${request.path}`,
		headers: request.connectionId ? { 'x-connection-id': request.connectionId } : {},
		qs: request.qs,
		json: true,
		timeout: policy.timeoutMs,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		// A redirect could carry the key to another host.
		disableFollowRedirect: true,
		sendCredentialsOnCrossOriginRedirect: false,
	};

	const signal = cancelSignal(context);
	const send = async (): Promise<Attempt> => {
		if (request.connectionId) {
			const wait = session.pacer.delayFor(request.connectionId, Date.now());
			if (wait > 0 && !(await pause(Math.min(wait, policy.maxWaitMs), signal))) {
				return { kind: 'unreachable', code: 'ERR_CANCELED', error: new Error('cancelled') };
			}
		}
		try {
			const response = (await context.helpers.httpRequestWithAuthentication.call(
				context,
				CREDENTIAL_NAME,
				{ ...options, headers: { ...options.headers } },
				{ credentialsDecrypted: session.credentials },
			)) as FullResponse;
			if (request.connectionId) session.pacer.observe(request.connectionId, response.headers ?? {}, Date.now());
			const json = parseJsonBody(response.body);
			const ok = response.statusCode >= 200 && response.statusCode <= 299;
			if (ok && !json.ok) return { kind: 'garbled', response };
			return {
				kind: 'answer',
				statusCode: response.statusCode,
				headers: response.headers ?? {},
				response,
				json: json.ok ? json.value : undefined,
			};
		} catch (error) {
			return { kind: 'unreachable', code: networkCode(error), error };
		}
	};

	const startedAt = Date.now();
	for (let attemptNumber = 1; ; attemptNumber++) {
		const attempt = await send();
		if (attempt.kind === 'answer' && attempt.statusCode >= 200 && attempt.statusCode <= 299) {
			const parsed = request.parse(attempt.json);
			if (parsed.ok) return parsed.value;
			throw unexpectedAnswerError(node, {
				what: `OFAuth returned an unexpected ${request.expected}`,
				problems: parsed.problems,
				received: attempt.response.body,
				subject: request.subject,
				secrets,
			});
		}

		const retriesLeft = attemptNumber <= policy.maxRetries && isRetryable(attempt);
		const waitMs = retriesLeft ? retryDelayMs(attempt, attemptNumber, policy, Date.now(), Math.random) : 0;
		if (retriesLeft && (await pause(waitMs, signal))) continue;

		const history: AttemptHistory = {
			attempts: attemptNumber,
			elapsedMs: Date.now() - startedAt,
			cancelled: retriesLeft,
		};
		if (attempt.kind === 'unreachable') {
			throw unreachableError(node, attempt.error, session.host, request.subject, history);
		}
		if (attempt.kind === 'garbled') {
			throw unexpectedAnswerError(node, {
				what: `OFAuth returned an unexpected ${request.expected}`,
				problems: ['the body is not JSON'],
				received: attempt.response.body,
				subject: request.subject,
				secrets,
				history,
			});
		}
		throw ofAuthApiError(node, attempt.response, request.subject, secrets, history);
	}
}
