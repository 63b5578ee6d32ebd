/**
 * What the sandbox saw of each API request, for tests that assert on the client's behaviour
 * (headers sent, retries, pacing). Admin requests are not recorded.
 */
import type { FaultKind } from './fault-spec';

export interface LoggedRequest {
	seq: number;
	requestId: string;
	method: string;
	/** Raw path as sent, still percent-encoded, without the query string. */
	path: string;
	/** Decoded query parameters; for a repeated name the last value wins. */
	query: Record<string, string>;
	connectionId: string | undefined;
	/** Whether a non-empty `apiKey` header was sent. The value itself is never stored. */
	apiKeyPresent: boolean;
	apiKeyValid: boolean;
	/** Bytes of request body received. */
	bodyLength: number;
	/** Null while in flight, and for a dropped request, which never got an answer. */
	status: number | null;
	/** The injected fault this request met, if any. */
	fault?: FaultKind;
	/** Epoch milliseconds. */
	startedAt: number;
	endedAt: number | null;
}

export class RequestLog {
	private entries: LoggedRequest[] = [];
	private seq = 0;

	start(entry: Omit<LoggedRequest, 'seq' | 'status' | 'endedAt'>): LoggedRequest {
		const logged: LoggedRequest = { seq: ++this.seq, ...entry, status: null, endedAt: null };
		this.entries.push(logged);
		return logged;
	}

	/** Copies, so a test cannot rewrite history by editing what it was given. */
	list(): LoggedRequest[] {
		return this.entries.map((e) => ({ ...e, query: { ...e.query } }));
	}

	/** DECISION: clearing keeps `seq` counting, so seq stays unique for the server's lifetime. */
	clear(): number {
		const cleared = this.entries.length;
		this.entries = [];
		return cleared;
	}
}
