/**
 * The admin routes for how the API behaves as a server: rate limit, random faults, latency and
 * concurrency statistics. Bodies are validated by the SandboxAdmin methods they call.
 */
import type { SandboxAdmin } from './admin';
import type { ApiResponse } from './api-routes';
import type { LatencyInput } from './latency';
import type { RandomFaultsInput } from './random-faults-config';
import type { RateLimitInput } from './rate-limit-config';

export type AdminRoute = [string, RegExp, (params: string[], body: unknown) => ApiResponse];

const ok = (body: unknown): ApiResponse => ({ status: 200, body });

export function trafficRoutes(admin: SandboxAdmin): AdminRoute[] {
	return [
		['GET', /^\/rate-limit$/, () => ok(admin.rateLimit())],
		// The bodies are unknown JSON here; the admin methods validate them as the types say.
		['PUT', /^\/rate-limit$/, (_, body) => ok(admin.setRateLimit(body as RateLimitInput))],
		['GET', /^\/faults\/random$/, () => ok(admin.randomFaults())],
		[
			'POST',
			/^\/faults\/random$/,
			(_, body) => ok(admin.setRandomFaults(body as RandomFaultsInput)),
		],
		['DELETE', /^\/faults\/random$/, () => ok(admin.clearRandomFaults())],
		['GET', /^\/latency$/, () => ok(admin.latency())],
		['PUT', /^\/latency$/, (_, body) => ok(admin.setLatency(body as LatencyInput))],
		['GET', /^\/stats$/, () => ok(admin.stats())],
		['DELETE', /^\/stats$/, () => ok(admin.clearStats())],
	];
}
