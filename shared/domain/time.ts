import { DateTime, Duration } from "luxon";

export class InvalidLocalTime extends Error {
  override name = "InvalidLocalTime";
}

/**
 * The exact instant of a wall-clock time at the venue. A time that does not exist there
 * (skipped by a daylight-saving change) is refused rather than silently moved.
 */
export function instantAt(localDateTime: string, timeZone: string): Date {
  const local = DateTime.fromISO(localDateTime, { zone: timeZone });
  if (!local.isValid) {
    throw new InvalidLocalTime(`${localDateTime} is not a time in ${timeZone}`);
  }
  if (local.toFormat("yyyy-MM-dd'T'HH:mm") !== localDateTime) {
    throw new InvalidLocalTime(
      `${localDateTime} does not exist in ${timeZone} (the clocks change then)`,
    );
  }
  return local.toJSDate();
}

/** "P14D" → milliseconds; throws on anything that is not an ISO 8601 duration. */
export function durationMs(iso: string): number {
  const duration = Duration.fromISO(iso);
  if (!duration.isValid) throw new Error(`${iso} is not an ISO 8601 duration such as P14D`);
  return duration.as("milliseconds");
}

/** Whether two zones show the same wall-clock time at this instant (then one time is enough). */
export function sameWallClock(instant: Date, zoneA: string, zoneB: string): boolean {
  const at = DateTime.fromJSDate(instant);
  return at.setZone(zoneA).toFormat("yyyyMMddHHmm") === at.setZone(zoneB).toFormat("yyyyMMddHHmm");
}

/**
 * How far ahead an event may place a meeting or a change of Chair. A date further ahead is a
 * typo (2207 for 2027) more likely than a plan, and would otherwise hold the meeting or the
 * Chair against every later correction.
 */
export const HORIZON_YEARS = 5;

/** The latest instant an event sent at `now` may name. */
export function horizonOf(now: Date): Date {
  return DateTime.fromJSDate(now, { zone: "UTC" }).plus({ years: HORIZON_YEARS }).toJSDate();
}

/** The start of a calendar date (YYYY-MM-DD), in UTC. */
export function startOfDate(date: string): Date {
  return DateTime.fromISO(date, { zone: "UTC" }).toJSDate();
}
