/**
 * A real SMTP server on 127.0.0.1 that keeps every message it accepts, parsed: what n8n's Send Email
 * node sends through an SMTP credential pointing at it, as an inbox would receive it.
 */
import type { AddressInfo } from 'node:net';

import { simpleParser, type AddressObject } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
	/** The envelope's sender and recipients (what the server was told in MAIL FROM / RCPT TO). */
	envelopeFrom: string;
	envelopeTo: string[];
	/** The headers' From and To, as addresses. */
	from: string[];
	to: string[];
	subject: string;
	text: string;
	receivedAt: number;
}

export interface Mailbox {
	host: string;
	port: number;
	/** Every message accepted so far, in the order received. */
	mails: ReceivedMail[];
	/** Resolves once `count` messages in all have arrived; rejects after `timeoutMs` with what did. */
	waitForCount(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
	/** While true, every message is refused (554) after its data: a mail server that is down for n8n. */
	refuse(on: boolean): void;
	close(): Promise<void>;
}

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
	const list = Array.isArray(field) ? field : field ? [field] : [];
	return list.flatMap((entry) => entry.value.map((address) => address.address ?? '')).filter(Boolean);
}

export async function startMailbox(): Promise<Mailbox> {
	const mails: ReceivedMail[] = [];
	const waiters = new Set<() => void>();
	let refusing = false;
	const server = new SMTPServer({
		// Plain SMTP on 127.0.0.1, as the SMTP credential's SSL/TLS off and "Disable STARTTLS" on ask for.
		secure: false,
		disabledCommands: ['STARTTLS'],
		authOptional: true,
		logger: false,
		onData(stream, session, callback) {
			simpleParser(stream)
				.then((parsed) => {
					if (refusing) {
						callback(Object.assign(new Error('Mailbox unavailable (refused by the test)'), { responseCode: 554 }));
						return;
					}
					mails.push({
						envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
						envelopeTo: session.envelope.rcptTo.map((rcpt) => rcpt.address),
						from: addresses(parsed.from),
						to: addresses(parsed.to),
						subject: parsed.subject ?? '',
						text: (parsed.text ?? '').replace(/\r\n/g, '\n').trimEnd(),
						receivedAt: Date.now(),
					});
					for (const wake of waiters) wake();
					callback();
				})
				.catch((error: Error) => callback(error));
		},
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => resolve());
	});
	const { port } = server.server.address() as AddressInfo;
	return {
		host: '127.0.0.1',
		port,
		mails,
		waitForCount(count, timeoutMs = 60_000) {
			if (mails.length >= count) return Promise.resolve(mails.slice(0, count));
			return new Promise((resolve, reject) => {
				const wake = () => {
					if (mails.length < count) return;
					clearTimeout(timer);
					waiters.delete(wake);
					resolve(mails.slice(0, count));
				};
				const timer = setTimeout(() => {
					waiters.delete(wake);
					reject(
						new Error(
							`expected ${count} email(s), got ${mails.length} within ${timeoutMs / 1000} s: ${JSON.stringify(mails.map((mail) => mail.subject))}`,
						),
					);
				}, timeoutMs);
				waiters.add(wake);
			});
		},
		refuse(on) {
			refusing = on;
		},
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}
