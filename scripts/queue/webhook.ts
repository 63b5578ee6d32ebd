/**
 * Firing the production webhook, and waiting until the main has registered it. In n8n 2.x a
 * published workflow is activated after startup, asynchronously, by the workflow publication
 * service (reconciler → outbox → consumer), so /rest/settings answering does not mean the webhook
 * exists yet. The probe is a CORS preflight: n8n looks the path up (404 while it is unknown) and
 * lists its methods, without running anything.
 */
import axios, { type AxiosResponse } from 'axios';

export async function waitForWebhook(baseUrl: string, webhookPath: string, method: string, timeoutMs = 90_000): Promise<number> {
	const started = Date.now();
	let last = '';
	while (Date.now() - started < timeoutMs) {
		const response = await axios
			.request({
				method: 'OPTIONS',
				url: `${baseUrl}/webhook/${webhookPath}`,
				headers: { origin: baseUrl, 'access-control-request-method': method },
				timeout: 5_000,
				validateStatus: () => true,
			})
			.catch((error: Error) => ({ status: 0, headers: {}, data: error.message }) as unknown as AxiosResponse);
		const allowed = String(response.headers['access-control-allow-methods'] ?? '');
		if (response.status === 204 && allowed.split(/,\s*/).includes(method)) return Date.now() - started;
		last = `${response.status} ${JSON.stringify(response.data).slice(0, 200)}`;
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
	throw new Error(`${method} /webhook/${webhookPath} was not registered within ${timeoutMs / 1000} s (last probe: ${last})`);
}

export interface WebhookCall<B> {
	body: B;
	status: number;
	/** What the webhook answered: with responseMode lastNode, the last node's first item. */
	data: unknown;
	durationMs: number;
}

export async function fireWebhook<B extends object>(baseUrl: string, webhookPath: string, body: B): Promise<WebhookCall<B>> {
	const started = Date.now();
	const response = await axios.post(`${baseUrl}/webhook/${webhookPath}`, body, {
		timeout: 120_000,
		validateStatus: () => true,
	});
	return { body, status: response.status, data: response.data, durationMs: Date.now() - started };
}
