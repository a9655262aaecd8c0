import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DeadLetterQueues } from "../local/dead-letters.js";
import { DynamoContactRepository } from "../shared/adapters/contact-repository.js";
import { createDocumentClient } from "../shared/adapters/dynamodb-client.js";
import { DynamoRejectionRepository } from "../shared/adapters/rejection-repository.js";
import { DETAIL_TYPES, kebabDetailType, SOURCE } from "../shared/contract/index.js";
import { representing } from "../shared/domain/contacts.js";
import { detailFromFlags, type ParsedArgs, parseArgs } from "./args.js";
import { contactsFromCsv } from "./contacts-csv.js";
import { type EventToPut, putEvents, validateEvent } from "./put-events.js";
import {
  projectDir,
  resolveTarget,
  type Target,
  type TargetOptions,
  UsageError,
} from "./target.js";

const TARGET_FLAGS = ["aws", "profile", "region", "endpoint", "table", "bus", "local-dir"] as const;

const HELP = `kp — the Khartoum Process secretariat's command line

  kp put <detail-type> [--file detail.json] [--<field> value ...]   put one event
  kp put --file entries.json                                         put PutEvents entries
  kp contacts list                                                   every contact
  kp contacts import <contacts.csv> [--dry-run]                      one Contact Upserted per row
  kp rejected [--limit N]                                            events the system refused, why
  kp dead-letters                                                    failed deliveries (local runtime)

Detail-types: ${DETAIL_TYPES.map((type) => `"${type}"`).join(", ")} (or kebab-case: contact-upserted)
Fields: --contactId de-1 --name "Erika Mustermann" --memberState DE --roles focal-point,observer
        --venue.city Berlin --audience steering-committee --audience.countries SS,KE --reminders false

Where: the local runtime of \`npm start\` by default (reads .kp-local/runtime.json);
       --aws for AWS, with the SDK's usual settings (AWS_PROFILE, AWS_REGION, or --profile/--region)
       and --table <name> (or KP_TABLE_NAME) to read state. --bus <name> (default khartoum-process).
Output: --json for scripts.`;

interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

function targetOptions(args: ParsedArgs): TargetOptions {
  const options: Record<string, unknown> = {};
  for (const flag of TARGET_FLAGS) {
    const value = args.flags.get(flag);
    if (value !== undefined) options[flag] = value;
    args.flags.delete(flag);
  }
  return options as TargetOptions;
}

function table(rows: string[][]): string {
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

function resolveDetailType(name: string): string {
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

async function put(args: ParsedArgs, target: () => Target, io: Io, json: boolean): Promise<number> {
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

async function contacts(
  args: ParsedArgs,
  target: () => Target,
  io: Io,
  json: boolean,
): Promise<number> {
  const action = args.positionals[1];
  if (action === "list") {
    const resolved = target();
    const repository = new DynamoContactRepository(
      createDocumentClient(resolved.dynamodb),
      resolved.tableName(),
    );
    const all = await repository.list();
    if (json) {
      io.out(JSON.stringify(all));
      return 0;
    }
    io.out(
      table([
        ["CONTACT", "NAME", "EMAIL", "REPRESENTS", "ROLES", "LANG", "TIME ZONE", "REMINDERS"],
        ...all.map((contact) => [
          contact.contactId,
          contact.name,
          contact.email,
          representing(contact),
          contact.roles.join(","),
          contact.language,
          contact.timeZone,
          contact.reminders ? "yes" : "no",
        ]),
      ]),
    );
    io.out(`${all.length} contact(s)`);
    return 0;
  }
  if (action === "import") {
    const file = args.positionals[2];
    if (file === undefined) throw new UsageError("kp contacts import <contacts.csv>");
    const { events, refused } = contactsFromCsv(readFileSync(file, "utf8"));
    const dryRun = args.flags.get("dry-run") === true;
    let results: Awaited<ReturnType<typeof putEvents>> = [];
    if (!dryRun && events.length > 0) {
      const resolved = target();
      results = await putEvents(
        resolved.eventBridge,
        resolved.eventBusName,
        events,
        (done, total) => {
          if (!json) io.err(`  put ${done}/${total}`);
        },
      );
    }
    const failed = results.filter((result) => result.error !== undefined);
    const summary = {
      rows: events.length + refused.length,
      sent: dryRun ? 0 : events.length - failed.length,
      valid: events.length,
      refused: [
        ...refused,
        ...failed.map((result) => ({
          line: Number(result.event.label?.replace("line ", "")),
          reason: result.error ?? "",
        })),
      ],
    };
    if (json) {
      io.out(JSON.stringify(summary));
    } else {
      io.out(
        `${summary.rows} row(s): ${summary.sent} sent${dryRun ? ` (--dry-run: ${summary.valid} valid)` : ""}, ${summary.refused.length} refused`,
      );
      for (const row of summary.refused) {
        io.out(
          `  line ${row.line}${"contactId" in row && row.contactId ? ` (${row.contactId})` : ""}: ${row.reason}`,
        );
      }
    }
    return summary.refused.length > 0 ? 1 : 0;
  }
  throw new UsageError("kp contacts list | kp contacts import <file.csv>");
}

async function rejected(
  args: ParsedArgs,
  target: () => Target,
  io: Io,
  json: boolean,
): Promise<number> {
  const resolved = target();
  const limitFlag = args.flags.get("limit");
  const limit = typeof limitFlag === "string" ? Number(limitFlag) : 50;
  const repository = new DynamoRejectionRepository(
    createDocumentClient(resolved.dynamodb),
    resolved.tableName(),
  );
  const list = await repository.list({ limit });
  if (json) {
    io.out(JSON.stringify(list));
    return 0;
  }
  if (list.length === 0) {
    io.out("No rejected events.");
    return 0;
  }
  for (const item of list) {
    io.out(
      `${item.eventTime}  ${item.detailType}  ${item.eventId}${item.contactId ? `  contact ${item.contactId}` : ""}`,
    );
    io.out(`  ${item.reason}`);
  }
  io.out(`${list.length} rejected event(s), newest first`);
  return 0;
}

async function deadLetters(io: Io, json: boolean, options: TargetOptions): Promise<number> {
  const dir = resolve(
    projectDir(),
    options["local-dir"] ?? process.env.KP_LOCAL_DIR ?? ".kp-local",
  );
  const letters = await new DeadLetterQueues(join(dir, "dead-letters"), []).list();
  if (json) io.out(JSON.stringify(letters));
  else {
    for (const letter of letters)
      io.out(
        `${letter.sentAt}  ${letter.queueName}  ${Object.values(letter.attributes).join("  ")}`,
      );
    io.out(`${letters.length} dead letter(s)`);
  }
  return 0;
}

export async function runKp(argv: string[], io: Io): Promise<number> {
  const args = parseArgs(argv);
  const json = args.flags.get("json") === true;
  args.flags.delete("json");
  const command = args.positionals[0];
  if (command === undefined || args.flags.get("help") === true || command === "help") {
    io.out(HELP);
    return command === undefined && args.flags.get("help") !== true ? 2 : 0;
  }
  const options = targetOptions(args);
  let resolved: Target | undefined;
  const target = () => {
    resolved ??= resolveTarget(options);
    return resolved;
  };
  try {
    switch (command) {
      case "put":
        return await put(args, target, io, json);
      case "contacts":
        return await contacts(args, target, io, json);
      case "rejected":
        return await rejected(args, target, io, json);
      case "dead-letters":
        return await deadLetters(io, json, options);
      default:
        throw new UsageError(`Unknown command "${command}" (see kp --help)`);
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof SyntaxError) {
      io.err(error.message);
      return 2;
    }
    if (
      error instanceof Error &&
      /ECONNREFUSED/.test(`${error.message} ${String((error as { cause?: unknown }).cause ?? "")}`)
    ) {
      io.err(`Cannot reach ${resolved?.describe ?? "the target"}: is \`npm start\` running?`);
      return 1;
    }
    throw error;
  } finally {
    resolved?.eventBridge.destroy();
    resolved?.dynamodb.destroy();
  }
}
