/**
 * Local wall-clock arithmetic for "nudges in business hours". Intl gives the
 * wall time of an instant in an IANA zone deterministically, so this is safe in
 * workflow code.
 */
import type { Playbook } from '../playbook';
import { DAY, HOUR } from './time';

const formatters: Record<string, Intl.DateTimeFormat> = {};

export interface WallTime {
  /** The wall time read as if it were UTC: handy for date arithmetic. */
  asUtcMs: number;
  hour: number;
  /** ISO weekday: 1 = Monday ... 7 = Sunday. */
  weekday: number;
}

/**
 * Answers already computed, by zone and instant. `formatToParts` is the domain's
 * most expensive call, and one workflow task asks the same few instants many
 * times (every pending partner e-mail checks "now" against business hours). A
 * pure function's cache: the answers never depend on what it holds. Bounded.
 */
const answers = new Map<string, WallTime>();
const MAX_ANSWERS = 2_048;

/** The wall-clock time of the instant `ms` in `timeZone`. */
export function wallTime(ms: number, timeZone: string): WallTime {
  const key = `${timeZone} ${ms}`;
  const known = answers.get(key);
  if (known) return { ...known };
  if (answers.size >= MAX_ANSWERS) answers.clear();
  const wall = computeWallTime(ms, timeZone);
  answers.set(key, wall);
  return { ...wall };
}

function computeWallTime(ms: number, timeZone: string): WallTime {
  formatters[timeZone] ??= new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const part: Record<string, number> = {};
  for (const p of formatters[timeZone].formatToParts(ms)) if (p.type !== 'literal') part[p.type] = Number(p.value);
  const asUtcMs = Date.UTC(part.year, part.month - 1, part.day, part.hour, part.minute, part.second) + (ms % 1000);
  return { asUtcMs, hour: part.hour, weekday: new Date(asUtcMs).getUTCDay() || 7 };
}

/** The instant at which the wall clock in `timeZone` shows `wallAsUtcMs` (DST-safe for business hours). */
export function instantOf(wallAsUtcMs: number, timeZone: string): number {
  let guess = wallAsUtcMs - (wallTime(wallAsUtcMs, timeZone).asUtcMs - wallAsUtcMs);
  guess = wallAsUtcMs - (wallTime(guess, timeZone).asUtcMs - guess);
  return guess;
}

/** The first instant at or after `ms` inside business hours in `timeZone`. */
export function nextBusinessMoment(ms: number, timeZone: string, hours: Playbook['businessHours']): number {
  const wall = wallTime(ms, timeZone);
  if (hours.weekdays.includes(wall.weekday) && wall.hour >= hours.startHour && wall.hour < hours.endHour) return ms;
  const midnight = Math.floor(wall.asUtcMs / DAY) * DAY;
  for (let day = 0; day <= 7; day++) {
    const opening = midnight + day * DAY + hours.startHour * HOUR;
    const weekday = new Date(opening).getUTCDay() || 7;
    if (opening > wall.asUtcMs && hours.weekdays.includes(weekday)) return instantOf(opening, timeZone);
  }
  throw new Error('unreachable: the playbook schema requires at least one weekday');
}

/** The first digest moment (`hourUtc`:00 UTC) at or after `ms`. */
export function nextDigestMoment(ms: number, hourUtc: number): number {
  const today = Math.floor(ms / DAY) * DAY + hourUtc * HOUR;
  return today >= ms ? today : today + DAY;
}
