/**
 * Which delivery faults Temporal should retry, and which end the delivery.
 *
 * Temporal owns every retry: the SMTP and Slack clients never retry on their
 * own. A fault is either *retryable* (thrown as an ApplicationFailure; Temporal
 * retries it under the workflow's retry policy, or after `nextRetryDelay` when
 * the provider said how long to wait) or *permanent* (the activity returns
 * `{ status: 'failed', error }`: the workflow records it and carries on, it
 * never fails).
 *
 * | provider | fault                                                        | outcome                      |
 * |----------|--------------------------------------------------------------|------------------------------|
 * | SMTP     | 4xx reply (421 closing, 450/451 try later, 452 no storage)   | retry                        |
 * | SMTP     | 503 bad sequence of commands (session state, not the message)| retry                        |
 * | SMTP     | connection refused/reset, timeout, DNS, TLS, garbled reply   | retry                        |
 * | SMTP     | any other 5xx reply (550 no such user, 553, 554, 535 auth)   | failed                       |
 * | SMTP     | bad envelope or configuration without a reply code           | failed                       |
 * | Slack    | HTTP 429 with Retry-After                                    | retry after Retry-After      |
 * | Slack    | HTTP 5xx, network error, client timeout                      | retry                        |
 * | Slack    | API error internal_error, fatal_error, service_unavailable,  | retry                        |
 * |          | request_timeout, ratelimited                                 |                              |
 * | Slack    | any other API error: channel_not_found, invalid_auth,        | failed                       |
 * |          | not_authed, user_not_found, not_in_channel, is_archived, ... |                              |
 * | Slack    | any other HTTP status (e.g. 404 from a wrong SLACK_API_URL)  | failed                       |
 * | any      | anything else (a bug, a full disk)                           | rethrown as is, so retried   |
 *
 * Error texts are scrubbed of e-mail addresses: they end up in logs, in the
 * workflow history and in the onboarding state.
 */
import { ApplicationFailure } from '@temporalio/common';
import {
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
} from '@slack/web-api';
import type { DeliveryResult } from '../workflows/notifications';

/** A classified fault: `failed` ends the delivery, `retry` is thrown for Temporal. */
export type Fault = { kind: 'failed'; error: string } | { kind: 'retry'; failure: ApplicationFailure };

const TRANSIENT_SMTP_CODES = new Set(['ECONNECTION', 'ESOCKET', 'ETIMEDOUT', 'EDNS', 'ETLS', 'EPROTOCOL']);
const PERMANENT_SMTP_CODES = new Set(['EENVELOPE', 'EMESSAGE', 'EAUTH', 'ENOAUTH', 'EMAXRECIPIENTS', 'ECONFIG']);
const TRANSIENT_SLACK_ERRORS = new Set([
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'ratelimited',
]);

/**
 * Settles a delivery error: the failed result for a permanent fault; throws the
 * retryable failure for a transient one, and the error itself when unclassified.
 */
export function failedOrThrow(key: string, err: unknown, classify: (err: unknown) => Fault | undefined): DeliveryResult {
  const fault = classify(err);
  if (!fault) throw err;
  if (fault.kind === 'retry') throw fault.failure;
  return { key, status: 'failed', error: fault.error };
}

/** Classifies a nodemailer SMTP error; undefined when it is not one. */
export function smtpFault(err: unknown): Fault | undefined {
  // Structural, not `instanceof Error`: Node's socket errors may come from another realm (Jest).
  if (typeof err !== 'object' || err === null) return undefined;
  const { message, code, command, responseCode } = err as Record<string, unknown>;
  const reason = scrub(String(message).replace(/^Can't send mail - all recipients were rejected: /, ''));
  if (typeof responseCode === 'number') {
    if (responseCode < 500 || responseCode === 503) return retry(`SMTP ${responseCode}: ${reason}`, 'SmtpTransient');
    return failed(command === 'RCPT TO' ? `invalid address: ${reason}` : `SMTP rejected the message: ${reason}`);
  }
  if (typeof code !== 'string') return undefined;
  if (TRANSIENT_SMTP_CODES.has(code)) return retry(`SMTP ${code}: ${reason}`, 'SmtpUnavailable');
  if (PERMANENT_SMTP_CODES.has(code)) return failed(`SMTP ${code}: ${reason}`);
  return undefined;
}

/** Classifies a @slack/web-api error; undefined when it is not one. */
export function slackFault(err: unknown): Fault | undefined {
  if (err instanceof WebAPIRateLimitedError) {
    return retry(`Slack rate limited; retry after ${err.retryAfter}s`, 'SlackRateLimited', err.retryAfter * 1000);
  }
  if (err instanceof WebAPIHTTPError) {
    const message = `Slack HTTP ${err.statusCode} ${err.statusMessage}`.trim();
    return err.statusCode >= 500 ? retry(message, 'SlackUnavailable') : failed(message);
  }
  if (err instanceof WebAPIRequestError) {
    return retry(`Slack unreachable: ${scrub(err.original.message)}`, 'SlackUnavailable');
  }
  if (err instanceof WebAPIPlatformError) {
    const code = err.data.error;
    return TRANSIENT_SLACK_ERRORS.has(code) ? retry(`Slack ${code}`, 'SlackUnavailable') : failed(code);
  }
  return undefined;
}

/** Replaces e-mail addresses with `<address>`. */
export function scrub(text: string): string {
  return text.replace(/<?[^\s<>@"']+@[^\s<>@"']+>?/g, '<address>');
}

function failed(error: string): Fault {
  return { kind: 'failed', error };
}

function retry(message: string, type: string, nextRetryDelayMs?: number): Fault {
  return { kind: 'retry', failure: ApplicationFailure.create({ message, type, nextRetryDelay: nextRetryDelayMs }) };
}
