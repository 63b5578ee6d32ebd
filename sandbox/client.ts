import axios, { type AxiosInstance } from 'axios';

import type { ConcurrencyStats, FaultSpec, LoggedRequest, RateLimitConfig, SandboxSeed } from './server';
import { startSandbox } from './server';

export const TEST_API_KEY = 'test-key';

/** The 'OFAuth API' credential's fields, pointed at this sandbox. */
export type OfAuthCredentials = { apiKey: string; baseUrl: string };

export interface MediaItem {
	id: string;
	fingerprint: string;
}

/** Drives a sandbox over its HTTP admin API: the engine tests and `npm run bench` use it. */
export class SandboxClient {
	private started?: { url: string; close: () => Promise<void>; http: AxiosInstance };

	/** A sandbox in this process. */
	async start(options: { apiKeys?: string[]; seed?: SandboxSeed } = {}): Promise<this> {
		const sandbox = await startSandbox(options);
		return this.attach(sandbox.url, async () => await sandbox.close());
	}

	/** A sandbox running elsewhere (another process), driven only over HTTP. */
	attach(url: string, close: () => Promise<void>): this {
		this.started = { url, close, http: axios.create({ baseURL: `${url}/__sandbox` }) };
		return this;
	}

	private get http(): AxiosInstance {
		if (!this.started) throw new Error('the sandbox has not been started');
		return this.started.http;
	}

	get url(): string {
		if (!this.started) throw new Error('the sandbox has not been started');
		return this.started.url;
	}

	credentials(overrides: Partial<OfAuthCredentials> = {}): OfAuthCredentials {
		return { apiKey: TEST_API_KEY, baseUrl: this.url, ...overrides };
	}

	async reset(): Promise<void> {
		await this.http.post('/reset');
	}

	async requests(): Promise<LoggedRequest[]> {
		return (await this.http.get<LoggedRequest[]>('/requests')).data;
	}

	async clearRequests(): Promise<void> {
		await this.http.delete('/requests');
	}

	async setListMedia(connectionId: string, listId: number, media: MediaItem[]): Promise<void> {
		await this.http.put(`/connections/${connectionId}/lists/${listId}/media`, { media });
	}

	async patchListMedia(
		connectionId: string,
		listId: number,
		patch: { add?: MediaItem[]; remove?: string[]; update?: MediaItem[] },
	): Promise<void> {
		await this.http.patch(`/connections/${connectionId}/lists/${listId}/media`, patch);
	}

	async setSession(connectionId: string, status: 'active' | 'expired'): Promise<void> {
		await this.http.post(`/connections/${connectionId}/session`, { status });
	}

	async setVaultPlus(connectionId: string, enabled: boolean): Promise<void> {
		await this.http.post(`/connections/${connectionId}/vault-plus`, { enabled });
	}

	async injectFault(fault: FaultSpec): Promise<void> {
		await this.http.post('/faults', fault);
	}

	async injectRandomFaults(config: { rate: number; seed: number; kinds?: FaultSpec[] }): Promise<void> {
		await this.http.post('/faults/random', config);
	}

	async setRateLimit(config: Partial<RateLimitConfig>): Promise<void> {
		await this.http.put('/rate-limit', config);
	}

	async setLatency(latency: { syncMs?: number; otherMs?: number }): Promise<void> {
		await this.http.put('/latency', latency);
	}

	async stats(): Promise<ConcurrencyStats> {
		return (await this.http.get<ConcurrencyStats>('/stats')).data;
	}

	async close(): Promise<void> {
		await this.started?.close();
		this.started = undefined;
	}
}

/** One sandbox for the whole test file, back to its seed before each test. */
export function useSandbox(options: { apiKeys?: string[]; seed?: SandboxSeed } = {}): SandboxClient {
	const client = new SandboxClient();
	beforeAll(async () => {
		await client.start(options);
	});
	afterAll(async () => {
		await client.close();
	});
	beforeEach(async () => {
		await client.reset();
	});
	return client;
}
