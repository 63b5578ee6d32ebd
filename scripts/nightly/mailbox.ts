/**
 * A real SMTP server on 127.0.0.1 that keeps every message it accepts, parsed: what n8n's Send Email
 * node sends through an SMTP credential pointing at it, as an inbox would receive it.
 */
import type { AddressInfo } from 'node:net';

import { simpleParser, type AddressObject } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A message as received: its envelope's recipients (RCPT TO), its headers' From and To addresses, subject and text. */
export interface ReceivedMail {
	envelopeTo: string[];
	from: string[];
	to: string[];
	subject: string;
	text: string;
}

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
	return [field ?? []].flat().flatMap((entry) => entry.value.map((address) => address.address ?? '')).filter(Boolean);
}

export async function startMailbox() {
	const mails: ReceivedMail[] = [];
	let refusing = false;
	const server = new SMTPServer({
		// Plain SMTP, as the SMTP credential's SSL/TLS off and "Disable STARTTLS" on ask for.
		disabledCommands: ['STARTTLS'],
		authOptional: true,
		logger: false,
		onData(stream, session, callback) {
			simpleParser(stream).then(
				(parsed) => {
					if (refusing) return callback(Object.assign(new Error('Mailbox unavailable (refused by the test)'), { responseCode: 554 }));
					mails.push({
						envelopeTo: session.envelope.rcptTo.map((rcpt) => rcpt.address),
						from: addresses(parsed.from),
						to: addresses(parsed.to),
						subject: parsed.subject ?? '',
						text: (parsed.text ?? '').replace(/\r\n/g, '\n').trimEnd(),
					});
					callback();
				},
				(error: Error) => callback(error),
			);
		},
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => resolve());
	});
	return {
		host: '127.0.0.1',
		port: (server.server.address() as AddressInfo).port,
		/** Every message accepted so far, in the order received. */
		mails,
		/** While on, every message is refused (554) after its data: a mail server that is down for n8n. */
		refuse(on: boolean) {
			refusing = on;
		},
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}
