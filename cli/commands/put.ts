import { readFileSync } from "node:fs";
import { DETAIL_TYPES, kebabDetailType, SOURCE } from "../../shared/contract/index.js";
import { detailFromFlags, type ParsedArgs } from "../args.js";
import { type EventToPut, putEvents, validateEvent } from "../put-events.js";
import { type Target, UsageError } from "../target.js";
import type { Io } from "./shared.js";

export function resolveDetailType(name: string): string {
  const match = DETAIL_TYPES.find(
    (type) => type === name || kebabDetailType(type) === name.toLowerCase(),
  );
  if (match === undefined) {
    throw new UsageError(`Unknown detail-type "${name}". One of: ${DETAIL_TYPES.join(", ")}`);
  }
  return match;
}

function eventsFromFile(file: string, detailType: string | undefined): EventToPut[] {
  const content: unknown = JSON.parse(readFileSync(file, "utf8"));
  if (Array.isArray(content)) {
    // A list of PutEvents entries, as `aws events put-events --entries file://...` takes.
    return content.map((entry: Record<string, unknown>, index) => {
      if (entry.Source !== SOURCE) {
        throw new UsageError(`${file} entry ${index + 1}: Source must be "${SOURCE}"`);
      }
      const detail = typeof entry.Detail === "string" ? JSON.parse(entry.Detail) : entry.Detail;
      return { detailType: String(entry.DetailType), detail, label: `entry ${index + 1}` };
    });
  }
  if (detailType === undefined) {
    throw new UsageError(
      `${file} holds one detail: name its detail-type (kp put <detail-type> --file ...)`,
    );
  }
  return [{ detailType, detail: content }];
}

export async function put(
  args: ParsedArgs,
  target: () => Target,
  io: Io,
  json: boolean,
): Promise<number> {
  const file = args.flags.get("file");
  const dryRun = args.flags.get("dry-run") === true;
  args.flags.delete("file");
  args.flags.delete("dry-run");
  const detailType =
    args.positionals[1] === undefined ? undefined : resolveDetailType(args.positionals[1]);
  let events: EventToPut[];
  if (typeof file === "string") {
    events = eventsFromFile(file, detailType);
    if (args.flags.size > 0 && events.length === 1 && events[0] !== undefined) {
      events[0].detail = { ...(events[0].detail as object), ...detailFromFlags(args.flags) };
    }
  } else if (detailType !== undefined) {
    events = [{ detailType, detail: detailFromFlags(args.flags) }];
  } else {
    throw new UsageError("kp put needs a detail-type or --file (see kp --help)");
  }
  const invalid = events
    .map((event) => ({ event, reason: validateEvent(event) }))
    .filter((check) => check.reason !== undefined);
  if (invalid.length > 0) {
    if (json)
      io.out(
        JSON.stringify({
          sent: 0,
          invalid: invalid.map(({ event, reason }) => ({
            detailType: event.detailType,
            label: event.label,
            reason,
          })),
        }),
      );
    for (const { event, reason } of invalid) {
      io.err(`Not sent: ${event.detailType}${event.label ? ` (${event.label})` : ""}: ${reason}`);
    }
    return 1;
  }
  if (dryRun) {
    io.out(
      json
        ? JSON.stringify({ valid: events.length })
        : `${events.length} event(s) valid; nothing sent (--dry-run)`,
    );
    return 0;
  }
  const resolved = target();
  const results = await putEvents(resolved.eventBridge, resolved.eventBusName, events);
  if (json) {
    io.out(
      JSON.stringify(
        results.map((result) => ({
          detailType: result.event.detailType,
          eventId: result.eventId,
          error: result.error,
        })),
      ),
    );
  } else {
    for (const result of results) {
      io.out(
        result.eventId !== undefined
          ? `Put ${result.event.detailType} → ${resolved.describe}: event ${result.eventId}`
          : `Refused by EventBridge: ${result.event.detailType}: ${result.error}`,
      );
    }
  }
  return results.some((result) => result.error !== undefined) ? 1 : 0;
}
