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
import type { DeliveryResult, EmailRecipient, Message, NotificationRequest } from '../workflows/notifications';
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

/** What goes with one recipient's copy: its idempotency key and, when links are on, its own unsubscribe link. */
export interface EmailCopy {
  to: EmailRecipient;
  /** `${workflowId}/${request.key}`, or with `#<recipient hash>` when the request has several recipients. */
  key: string;
  unsubscribeUrl?: string;
}

/**
 * Sends one recipient's copy. Each copy carries that recipient's unsubscribe
 * link, in the footer and in the RFC 8058 List-Unsubscribe headers, so every
 * recipient gets a message of their own.
 */
export function createEmailSender(mailer: MailTransport, from: string, log: Logger) {
  return async function sendEmail(request: EmailRequest, message: Message, copy: EmailCopy): Promise<DeliveryResult> {
    const { subject, text, html } = renderEmail(message, { unsubscribeUrl: copy.unsubscribeUrl, essential: request.essential === true });
    const messageId = messageIdFor(copy.key);
    try {
      const info = await mailer.sendMail({
        from,
        to: copy.to.name ? { name: copy.to.name, address: copy.to.email } : copy.to.email,
        subject,
        text,
        html,
        messageId,
        ...(copy.unsubscribeUrl ? { headers: listUnsubscribeHeaders(copy.unsubscribeUrl) } : {}),
      });
      if (info.rejected?.length) log.warn('the e-mail recipient was rejected', { key: copy.key });
      return { key: request.key, status: 'sent', providerId: messageId };
    } catch (err) {
      return failedOrThrow(request.key, err, smtpFault);
    }
  };
}

/** RFC 2369 List-Unsubscribe with the RFC 8058 one-click POST: mail clients show an unsubscribe button. */
export function listUnsubscribeHeaders(url: string): Record<string, string> {
  return { 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}
