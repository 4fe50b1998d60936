/**
 * E-mail through nodemailer: renders one notification and hands it to the
 * transport once. The caller (./index.ts) owns the sent-log.
 *
 * Every attempt for one idempotency key sends the same Message-ID. SMTP cannot
 * be exactly-once on its own: if the connection drops after the server queued
 * the message but before its "250", the retry sends a copy, and the stable
 * Message-ID is what lets mail systems and clients recognise it as one message.
 */
import path from 'node:path';
import nodemailer, { type SendMailOptions, type SentMessageInfo } from 'nodemailer';
import type { Logger } from '@temporalio/common';
import type { DeliveryResult, Message, NotificationRequest } from '../workflows/notifications';
import { failedOrThrow, smtpFault } from './errors';
import { deliveryHash, writeFileAtomic } from './sentLog';
import { renderEmail } from './templates';

/** What e-mail delivery needs: a nodemailer transporter fits, and so does the outbox. */
export interface MailTransport {
  sendMail(message: SendMailOptions): Promise<SentMessageInfo>;
}

export type EmailRequest = Extract<NotificationRequest, { channel: 'email' }>;

const MESSAGE_ID = /^<([0-9a-f]{64})@partner-onboarding>$/;

/** `<sha256(key)@partner-onboarding>`: the same for every attempt. */
export function messageIdFor(key: string): string {
  return `<${deliveryHash(key)}@partner-onboarding>`;
}

/** With SMTP_URL: one connection per message, timeouts well inside the activity's 1-minute timeout. */
export function smtpTransport(url: string): MailTransport {
  return nodemailer.createTransport({ url, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 });
}

/** Without SMTP_URL: each message becomes `<dir>/<sha256(key)>.eml`, so a retry overwrites its own file. */
export function outboxTransport(dir: string): MailTransport {
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true });
  return {
    async sendMail(message) {
      const info = await composer.sendMail(message);
      const [, hash] = MESSAGE_ID.exec(info.messageId) ?? [];
      if (!hash) throw new Error(`outbox: ${info.messageId} is not a partner-onboarding Message-ID`);
      await writeFileAtomic(path.join(dir, `${hash}.eml`), info.message as Buffer); // buffer: true
      return info;
    },
  };
}

export function createEmailSender(mailer: MailTransport, from: string, log: Logger) {
  return async function sendEmail(request: EmailRequest, message: Message, key: string): Promise<DeliveryResult> {
    if (request.to.length === 0) return { key: request.key, status: 'failed', error: 'no e-mail recipients' };
    const { subject, text, html } = renderEmail(message);
    const messageId = messageIdFor(key);
    try {
      const info = await mailer.sendMail({
        from,
        to: request.to.map(({ name, email }) => (name ? { name, address: email } : email)),
        subject,
        text,
        html,
        messageId,
      });
      if (info.rejected?.length) {
        log.warn('some e-mail recipients were rejected', { key, rejected: info.rejected.length, of: request.to.length });
      }
      return { key: request.key, status: 'sent', providerId: messageId };
    } catch (err) {
      return failedOrThrow(request.key, err, smtpFault);
    }
  };
}
