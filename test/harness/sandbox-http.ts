import axios, { type AxiosInstance } from 'axios';

import { startSandbox, type Sandbox, type SandboxOptions } from '../../sandbox/server';
import { TEST_API_KEY } from '../../sandbox/client';

/** The sandbox's own tests talk raw HTTP: `api` carries the key and never throws on a status. */
export interface SandboxHttp {
	sandbox: Sandbox;
	api: AxiosInstance;
	admin: AxiosInstance;
}

/** One sandbox for the test file, reset before each test; its fields are set once the file starts. */
export function useSandboxHttp(options: SandboxOptions = {}): SandboxHttp {
	const http = {} as SandboxHttp;
	beforeAll(async () => {
		http.sandbox = await startSandbox(options);
		const common = { baseURL: http.sandbox.url, validateStatus: () => true };
		http.api = axios.create({ ...common, headers: { apiKey: TEST_API_KEY } });
		http.admin = axios.create({ ...common, baseURL: `${http.sandbox.url}/__sandbox` });
	});
	afterAll(async () => {
		await http.sandbox.close();
	});
	beforeEach(async () => {
		await http.admin.post('/reset');
	});
	return http;
}
