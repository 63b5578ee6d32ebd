/**
 * What a fault answers in place of the model: its status, body, content type and own headers,
 * including the echoes of the received API key that test a client's redaction.
 */
import type { ApiAnswer } from './delivery';
import { errorForStatus } from './errors';
import { MALFORMED_BODY, faultStatus, type EchoForm, type FaultSpec } from './fault-spec';

const HTML_TYPE = 'text/html; charset=utf-8';

/** `apiKey` is the header as received, '' when none was sent. */
export function faultAnswer(spec: FaultSpec, requestId: string, apiKey: string): ApiAnswer {
	const status = faultStatus(spec);
	const answer = { status, ...faultBody(spec, status, requestId, apiKey) };
	return spec.echoApiKey === 'header' ? { ...answer, headers: { 'x-echo': apiKey } } : answer;
}

function faultBody(
	spec: FaultSpec,
	status: number,
	requestId: string,
	apiKey: string,
): Pick<ApiAnswer, 'raw' | 'contentType'> {
	if (spec.malformed) return { raw: MALFORMED_BODY };
	if (spec.rawBody !== undefined) return { raw: spec.rawBody, contentType: 'text/plain' };
	if (spec.body !== undefined) return { raw: JSON.stringify(spec.body) };
	if (spec.repeatBody !== undefined) return { raw: spec.repeatBody, contentType: HTML_TYPE };
	if (spec.echoApiKey !== undefined && spec.echoApiKey !== 'header') {
		return echoBody(spec.echoApiKey, apiKey);
	}
	// DECISION: a bare error status gets the documented body, with this request's id.
	if (status >= 400) return { raw: JSON.stringify(errorForStatus(status).toBody(requestId)) };
	return { raw: '{}' };
}

/** The key in the body, in each of the forms a redaction that looks only for the raw key misses. */
function echoBody(
	form: Exclude<EchoForm, 'header'>,
	apiKey: string,
): Pick<ApiAnswer, 'raw' | 'contentType'> {
	switch (form) {
		case 'body':
			return { raw: JSON.stringify({ error: `key ${apiKey} is not valid`, type: 'UNAUTHORIZED' }) };
		case 'json-escaped':
			return { raw: escapedKeyPage(JSON.stringify(apiKey).slice(1, -1)), contentType: HTML_TYPE };
		case 'url-encoded':
			return {
				raw: JSON.stringify({ error: `see https://x.invalid/?k=${encodeURIComponent(apiKey)}` }),
			};
	}
}

/** A proxy's error page that inlines the request it refused as a JSON state blob. */
function escapedKeyPage(escapedKey: string): string {
	return [
		'<!DOCTYPE html>',
		'<html><head><title>401 Unauthorized</title></head><body>',
		'<h1>Unauthorized</h1>',
		`<script>window.__REQUEST__ = {"header":"apiKey","apiKey":"${escapedKey}"};</script>`,
		'</body></html>',
	].join('\n');
}
