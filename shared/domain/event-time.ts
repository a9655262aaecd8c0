/**
 * How far ahead of the system's clock an event's time may be: clocks of well-run machines agree
 * to within seconds; five minutes leaves room for a sender's drift without opening a window.
 */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/** "3 days 4 hours", "7 minutes", "42 seconds": the two largest units that are not zero. */
export function durationText(ms: number): string {
  const units: [string, number][] = [
    ["day", 86_400_000],
    ["hour", 3_600_000],
    ["minute", 60_000],
    ["second", 1000],
  ];
  const parts: string[] = [];
  let rest = Math.max(0, Math.round(ms));
  for (const [unit, size] of units) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0 && parts.length < 2) parts.push(`${count} ${unit}${count === 1 ? "" : "s"}`);
    else if (parts.length > 0) break;
  }
  return parts.length === 0 ? "less than a second" : parts.join(" ");
}

/**
 * Why an event must not be applied because of its time, or undefined. The domain orders changes
 * by event time, so an event stamped in the future would beat every later correction until the
 * real clock caught up with it.
 */
export function eventTimeProblem(eventTime: string, now: Date): string | undefined {
  const time = Date.parse(eventTime);
  if (Number.isNaN(time)) return `event time ${JSON.stringify(eventTime)} is not a time`;
  const ahead = time - now.getTime();
  if (ahead <= MAX_CLOCK_SKEW_MS) return undefined;
  return `event time ${eventTime} is ahead of the system clock (${now.toISOString()}) by ${durationText(ahead)}; was the clock of the sender wrong? Put the event again without a time, or with the right one`;
}
