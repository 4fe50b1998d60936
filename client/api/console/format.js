// @ts-check
/** How the console writes dates, durations and the API's codes for people. */

const HOUR = 3_600_000;

const dateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
const dateOnly = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' });

/** @param {string | null | undefined} iso */
export const when = (iso) => (iso ? `${dateTime.format(new Date(iso))} UTC` : '–');
/** @param {string | null | undefined} iso */
export const day = (iso) => (iso ? dateOnly.format(new Date(iso)) : '–');

/** "3 h", "2 d 4 h" @param {number} ms */
export function duration(ms) {
  const hours = Math.round(Math.abs(ms) / HOUR);
  if (hours < 48) return `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

/** @param {string} code e.g. on_track -> On track */
export const label = (code) => (code ? code.charAt(0).toUpperCase() + code.slice(1).replace(/_/g, ' ') : '–');

export const PHASES = /** @type {const} */ (['foundation', 'activation', 'momentum']);
export const LIFECYCLE = /** @type {const} */ (['foundation', 'activation', 'momentum', 'graduated', 'offboarded']);
export const SEGMENTS = /** @type {const} */ (['strategic', 'core', 'transactional']);
export const HEALTH = /** @type {const} */ (['on_track', 'behind', 'at_risk']);

/**
 * The response-SLA clock of one opportunity, as text and a tone.
 * @param {import('./api.js').OnboardingState['opportunities'][number]} o
 * @param {number} nowMs
 * @returns {{ text: string, tone: 'ok' | 'warn' | 'bad' | 'muted' }}
 */
export function slaClock(o, nowMs) {
  if (!o.registeredAt || !o.slaDueAt) return { text: 'not registered', tone: 'muted' };
  const due = Date.parse(o.slaDueAt);
  // Answered by the first of an acknowledgement, a qualification or a close (as the workflow counts it).
  const answers = [o.acknowledgedAt, o.qualifiedAt, o.closedAt].filter((t) => t !== null).map((t) => Date.parse(/** @type {string} */ (t)));
  if (answers.length) {
    const took = Math.min(...answers) - Date.parse(o.registeredAt);
    return o.slaBreached
      ? { text: `answered after ${duration(took)}, SLA missed`, tone: 'bad' }
      : { text: `answered in ${duration(took)}`, tone: 'ok' };
  }
  const left = due - nowMs;
  return left > 0
    ? { text: `${duration(left)} left to answer`, tone: left < 6 * HOUR ? 'warn' : 'ok' }
    : { text: `unanswered, SLA missed ${duration(left)} ago`, tone: 'bad' };
}
