import type { IDataObject, IHttpRequestMethods, IHttpRequestOptions, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { checkBaseUrl, usableApiKey } from '../helpers/baseUrl';
import {
	cancelSignal,
	CREDENTIAL_NAME,
	isSuccess,
	pause,
	sendAttempt,
	type Attempt,
	type AttemptSession,
	type OfAuthContext,
} from './attempt';
import { MAX_ANSWER_BYTES } from './answer';
import type { AttemptHistory, RequestSubject } from './errors';
import { ofAuthApiError, redact, secretForms, unexpectedAnswerError, unreachableError } from './errors';
import { RatePacer } from './pacing';
import { DEFAULT_POLICY, isRetryable, retryDelayMs, type RetryPolicy } from './retry';

export { CREDENTIAL_NAME } from './attempt';

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

/** What every request of one run shares: the credential, read and checked once. */
export interface OfAuthSession extends AttemptSession {
	baseUrl: string;
	host: string;
	/** The API key in every form an answer could echo it in. */
	secrets: string[];
}

function credentialError(node: INode, message: string, itemIndex?: number): NodeOperationError {
	return new NodeOperationError(node, message, {
		description:
			"Open the 'OFAuth API' credential: paste the key from API Keys in the OFAuth dashboard and set 'Base URL' to https://api.ofauth.com (or another HTTPS address). The key is never sent to an address that fails this check.",
		itemIndex,
	});
}

/**
 * Reads the credential and refuses it, before anything is sent, where the credential itself would
 * refuse to add the key. n8n decrypts a credential on every read, so a run reads it once.
 */
export async function openSession(context: OfAuthContext, itemIndex?: number): Promise<OfAuthSession> {
	const node = context.getNode();
	const data = await context.getCredentials(CREDENTIAL_NAME, itemIndex);
	const base = checkBaseUrl(data.baseUrl);
	if (!base.ok) {
		throw credentialError(node, `The 'Base URL' of the 'OFAuth API' credential is not allowed: ${base.reason}`, itemIndex);
	}
	const storedKey = typeof data.apiKey === 'string' ? data.apiKey : '';
	if (usableApiKey(storedKey) === '') {
		throw credentialError(node, "The 'OFAuth API' credential has no API key", itemIndex);
	}
	const reference = node.credentials?.[CREDENTIAL_NAME];
	return {
		credentials: { id: reference?.id ?? '', name: reference?.name ?? '', type: CREDENTIAL_NAME, data },
		baseUrl: base.baseUrl,
		host: base.host,
		secrets: secretForms(storedKey),
		pacer: new RatePacer(),
	};
}

function requestOptions<T>(session: OfAuthSession, request: OfAuthRequest<T>, policy: RetryPolicy): IHttpRequestOptions {
	return {
		method: request.method,
		url: `${session.baseUrl}${request.path}`,
		headers: {
			accept: 'application/json',
			...(request.connectionId ? { 'x-connection-id': request.connectionId } : {}),
		},
		qs: request.qs,
		// The body is read here, bounded in size and time, rather than parsed whole by n8n.
		encoding: 'stream',
		timeout: policy.timeoutMs,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		// A redirect could carry the key to another host.
		disableFollowRedirect: true,
		sendCredentialsOnCrossOriginRedirect: false,
	};
}

/**
 * A successful answer that echoes the key (a broken proxy, say) has it removed from every string
 * before anything reads it, so no name or status carries it into the items. Answers without it, all
 * of them in practice, are passed on untouched.
 */
function withoutSecrets(json: unknown, text: string, secrets: readonly string[]): unknown {
	if (!secrets.some((secret) => secret !== '' && text.includes(secret))) return json;
	const clean = (value: unknown): unknown => {
		if (typeof value === 'string') return redact(value, secrets);
		if (Array.isArray(value)) return value.map(clean);
		if (value === null || typeof value !== 'object') return value;
		return Object.fromEntries(Object.entries(value).map(([key, entry]) => [redact(key, secrets), clean(entry)]));
	};
	return clean(json);
}

/** An answer that arrived but cannot be used: not JSON, too large, or not the expected shape. */
function unexpectedAnswer<T>(
	node: INode,
	session: OfAuthSession,
	request: OfAuthRequest<T>,
	answer: { problems: string[]; received: string; history?: AttemptHistory },
): Error {
	return unexpectedAnswerError(node, {
		what: `OFAuth returned an unexpected ${request.expected}`,
		subject: request.subject,
		secrets: session.secrets,
		...answer,
	});
}

/** Turns the last attempt of a request that did not succeed into the error the user sees. */
function failedAttemptError<T>(
	node: INode,
	session: OfAuthSession,
	request: OfAuthRequest<T>,
	attempt: Attempt,
	history: AttemptHistory,
): Error {
	if (attempt.kind === 'unreachable') {
		return unreachableError(node, attempt.code, session.host, request.subject, history);
	}
	if (attempt.kind === 'garbled') {
		return unexpectedAnswer(node, session, request, { problems: [attempt.problem], received: attempt.text, history });
	}
	if (isSuccess(attempt.statusCode)) {
		const problems = [`the body is larger than ${MAX_ANSWER_BYTES / 1024 / 1024} MiB`];
		return unexpectedAnswer(node, session, request, { problems, received: attempt.text, history });
	}
	const failed = { statusCode: attempt.statusCode, headers: attempt.headers, body: attempt.text };
	return ofAuthApiError(node, failed, request.subject, session.secrets, history);
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
	const policy = request.policy ?? DEFAULT_POLICY;
	const session = givenSession ?? (await openSession(context, request.subject.itemIndex));
	const options = requestOptions(session, request, policy);
	const cancel = cancelSignal(context);
	const startedAt = Date.now();
	for (let attemptNumber = 1; ; attemptNumber++) {
		const attempt = await sendAttempt(context, session, { options, connectionId: request.connectionId, policy });
		if (attempt.kind === 'answer' && isSuccess(attempt.statusCode) && attempt.complete) {
			const parsed = request.parse(withoutSecrets(attempt.json, attempt.text, session.secrets));
			if (parsed.ok) return parsed.value;
			throw unexpectedAnswer(context.getNode(), session, request, { problems: parsed.problems, received: attempt.text });
		}
		const retriesLeft = attemptNumber <= policy.maxRetries && isRetryable(attempt);
		const waitMs = retriesLeft ? retryDelayMs(attempt, attemptNumber, policy, Date.now(), Math.random) : 0;
		if (retriesLeft && (await pause(waitMs, cancel))) continue;
		const history = { attempts: attemptNumber, elapsedMs: Date.now() - startedAt, cancelled: retriesLeft };
		throw failedAttemptError(context.getNode(), session, request, attempt, history);
	}
}
