/**
 * Fault injection: a queue of one-shot misbehaviours for the next matching API requests, so tests
 * can exercise a client's retries, timeouts and error mapping against a server that is otherwise
 * behaving. Admin requests never match.
 */
import { copyFault, kindOf, matches, type FaultKind, type FaultSpec } from './fault-spec';

export interface Fault extends Required<Pick<FaultSpec, 'count' | 'match'>> {
	id: number;
	kind: FaultKind;
	remaining: number;
	spec: FaultSpec;
}

export class FaultQueue {
	private faults: Fault[] = [];
	private nextId = 1;

	add(spec: FaultSpec): Fault {
		const fault: Fault = {
			id: this.nextId++,
			kind: kindOf(spec),
			count: spec.count ?? 1,
			remaining: spec.count ?? 1,
			match: spec.match ?? {},
			spec,
		};
		this.faults.push(fault);
		return fault;
	}

	/** The oldest pending fault matching the request, with one use consumed. */
	take(method: string, path: string): Fault | undefined {
		const fault = this.faults.find((f) => matches(f.match, method, path));
		if (!fault) return undefined;
		fault.remaining--;
		if (fault.remaining === 0) this.faults = this.faults.filter((f) => f !== fault);
		return fault;
	}

	pending(): Fault[] {
		return this.faults.map((f) => ({ ...f, match: { ...f.match }, spec: copyFault(f.spec) }));
	}

	clear(): void {
		this.faults = [];
	}
}
