/** Durations in milliseconds: the domain counts instants as epoch milliseconds. */
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
