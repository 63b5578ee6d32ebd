import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

/**
 * The key header is only filled in when the base URL is HTTPS or loopback, so that even the
 * credential test (a declarative request the node's own checks never see) cannot send the key
 * in clear text to another host. The node refuses such a base URL with a clear message before
 * any request; this is the second lock on the same door.
 */
const API_KEY_WHEN_TRANSPORT_IS_SAFE =
	'={{ /^(https:\\/\\/|http:\\/\\/(localhost|127(\\.\\d{1,3}){3}|\\[::1\\])(:\\d+)?(\\/|$))/i.test(String($credentials.baseUrl).trim()) ? $credentials.apiKey : "" }}';

export class OfAuthApi implements ICredentialType {
	name = 'ofAuthApi';

	displayName = 'OFAuth API';

	icon: Icon = {
		light: 'file:ofAuth.svg',
		dark: 'file:ofAuth.dark.svg',
	};

	documentationUrl = 'https://docs.ofauth.com/api-reference/account/whoami';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description: 'Your OFAuth API key, created under API Keys in the OFAuth dashboard',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.ofauth.com',
			placeholder: 'e.g. https://api.ofauth.com',
			description:
				'The OFAuth API address. Must be HTTPS; plain HTTP is only accepted for a local server (localhost, 127.x.x.x or [::1]).',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				apiKey: API_KEY_WHEN_TRANSPORT_IS_SAFE,
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{ String($credentials.baseUrl).trim().replace(/\\/+$/, "") }}',
			url: '/v2/account/whoami',
			method: 'GET',
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message:
						'OFAuth rejected the API key. Copy it again from API Keys in the OFAuth dashboard; the Base URL must be HTTPS (or a local server) for the key to be sent.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message:
						'The API key is valid but lacks the Account permission needed to read whoami. Give the key the ACCOUNT scope in the OFAuth dashboard.',
				},
			},
		],
	};
}
