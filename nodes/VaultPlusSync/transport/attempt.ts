import type {
	ICredentialsDecrypted,
	IExecuteFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
} from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { MAX_ANSWER_BYTES, MAX_ERROR_ANSWER_BYTES, parseJson, readAnswer } from './answer';
import { networkCode } from './errors';
import type { RatePacer } from './pacing';
import type { Outcome, RetryPolicy } from './retry';

export const CREDENTIAL_NAME = 'ofAuthApi';

export type OfAuthContext = IExecuteFunctions | ILoadOptionsFunctions;

/** What one request needs of the run it belongs to. */
export interface AttemptSession {
	credentials: ICredentialsDecrypted;
	pacer: RatePacer;
}

export interface AttemptRequest {
	options: IHttpRequestOptions;
	connectionId?: string;
	policy: RetryPolicy;
}

/** One try: an Outcome for the retry policy, plus what the error messages need. */
export type Attempt =
	| (Outcome & { kind: 'answer'; statusCode: number; headers: Record<string, unknown>; text: string; complete: boolean; json?: unknown })
	| (Outcome & { kind: 'garbled'; text: string; problem: string })
	| (Outcome & { kind: 'unreachable' });

export function isSuccess(statusCode: number): boolean {
	return statusCode >= 200 && statusCode <= 299;
}

export function cancelSignal(context: OfAuthContext): AbortSignal | undefined {
	return 'getExecutionCancelSignal' in context ? context.getExecutionCancelSignal() : undefined;
}

/** Waits, unless the execution is cancelled first; n8n forbids timers of a node's own. */
export async function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
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
 * n8n hands a request the execution's cancel signal, replacing the request's own; a context whose
 * cancel signal also fires at the attempt's deadline makes n8n end the socket then, even while the
 * headers are still trickling in.
 */
function contextWithSignal(context: OfAuthContext, signal: AbortSignal): OfAuthContext {
	return Object.create(context, { getExecutionCancelSignal: { value: () => signal } }) as OfAuthContext;
}

/** Settles with the promise, or rejects once the signal fires, whichever comes first. */
async function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
	let onAbort = () => {};
	const aborted = new Promise<never>((_resolve, reject) => {
		onAbort = () => reject(new Error('aborted'));
		if (signal.aborted) onAbort();
		else signal.addEventListener('abort', onAbort, { once: true });
	});
	promise.catch(() => {});
	try {
		return await Promise.race([promise, aborted]);
	} finally {
		signal.removeEventListener('abort', onAbort);
	}
}

interface StreamedResponse {
	statusCode: number;
	headers?: Record<string, unknown>;
	body: unknown;
}

/**
 * Sends one attempt and reads its answer, all within the policy's timeout: from sending to the last
 * byte of the body, whatever the server's pace. Never throws: every way it can end is an Attempt.
 */
export async function sendAttempt(context: OfAuthContext, session: AttemptSession, request: AttemptRequest): Promise<Attempt> {
	const { connectionId, policy } = request;
	const cancel = cancelSignal(context);
	if (connectionId) {
		const wait = session.pacer.delayFor(connectionId, Date.now());
		if (wait > 0 && !(await pause(Math.min(wait, policy.maxWaitMs), cancel))) {
			return { kind: 'unreachable', code: 'ERR_CANCELED' };
		}
	}
	// One signal for the attempt: it fires at the deadline or when the execution is cancelled.
	const attempt = new AbortController();
	const deadline = AbortSignal.timeout(policy.timeoutMs);
	const stop = () => attempt.abort();
	deadline.addEventListener('abort', stop, { once: true });
	cancel?.addEventListener('abort', stop, { once: true });
	if (cancel?.aborted) stop();
	const { signal } = attempt;
	try {
		const sent = context.helpers.httpRequestWithAuthentication.call(
			contextWithSignal(context, signal),
			CREDENTIAL_NAME,
			{ ...request.options, headers: { ...request.options.headers }, abortSignal: signal },
			{ credentialsDecrypted: session.credentials },
		) as Promise<StreamedResponse>;
		const response = await untilAborted(sent, signal);
		const headers = response.headers ?? {};
		if (connectionId) session.pacer.observe(connectionId, headers, Date.now());
		const ok = isSuccess(response.statusCode);
		const { text, complete } = await readAnswer(response.body, ok ? MAX_ANSWER_BYTES : MAX_ERROR_ANSWER_BYTES, signal);
		if (!ok || !complete) return { kind: 'answer', statusCode: response.statusCode, headers, text, complete };
		const json = parseJson(text);
		if (!json.ok) return { kind: 'garbled', text, problem: json.problem };
		return { kind: 'answer', statusCode: response.statusCode, headers, text, complete, json: json.value };
	} catch (error) {
		if (cancel?.aborted) return { kind: 'unreachable', code: 'ERR_CANCELED' };
		if (deadline.aborted) return { kind: 'unreachable', code: 'ETIMEDOUT' };
		return { kind: 'unreachable', code: networkCode(error) };
	} finally {
		deadline.removeEventListener('abort', stop);
		cancel?.removeEventListener('abort', stop);
	}
}
