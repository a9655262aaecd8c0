import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DeadLetterQueues } from "../local/dead-letters.js";
import { DynamoChairRepository } from "../shared/adapters/chair-repository.js";
import { DynamoContactRepository } from "../shared/adapters/contact-repository.js";
import { createDocumentClient } from "../shared/adapters/dynamodb-client.js";
import { DynamoMeetingRepository } from "../shared/adapters/meeting-repository.js";
import { DynamoNoticeRepository } from "../shared/adapters/notice-repository.js";
import { DynamoRejectionRepository } from "../shared/adapters/rejection-repository.js";
import { DETAIL_TYPES, kebabDetailType, SOURCE } from "../shared/contract/index.js";
import { audienceQuery } from "../shared/domain/audience.js";
import { currentChair } from "../shared/domain/chair.js";
import { representing } from "../shared/domain/contacts.js";
import { coverageReport } from "../shared/domain/coverage.js";
import { meetingSubject } from "../shared/domain/meetings.js";
import { countryName } from "../shared/notices/render.js";
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
  kp meetings list                                                   every meeting, by start
  kp meetings show <meetingId>                                       a meeting and each recipient's notices
  kp report <meetingId>                                              who was reached, member state by member state
  kp contacts show <contactId>                                       everything held about a contact
  kp chair                                                           current and upcoming Chair, history
  kp clock [advance P13D | reset]                                    the local runtime's clock (demos, tests)
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
  if (action === "show") {
    const contactId = args.positionals[2];
    if (contactId === undefined) throw new UsageError("kp contacts show <contactId>");
    const resolved = target();
    const repositories = stateRepositories(resolved);
    const rejectedAbout = (
      await new DynamoRejectionRepository(
        createDocumentClient(resolved.dynamodb),
        resolved.tableName(),
      ).list()
    ).filter((item) => item.contactId === contactId);
    const held = {
      contact: (await repositories.contacts.get(contactId)) ?? null,
      notices: await repositories.notices.listForContact(contactId),
      rejectedEvents: rejectedAbout,
    };
    if (json) {
      io.out(JSON.stringify(held));
      return 0;
    }
    io.out(
      held.contact === null
        ? `No contact ${contactId} is stored (removed, or never added).`
        : JSON.stringify(held.contact, null, 2),
    );
    io.out(`\n${held.notices.length} notice record(s):`);
    for (const record of held.notices) {
      io.out(
        `  ${record.subjectKey} ${record.noticeId}: ${record.status}${record.delivery ? `, ${record.delivery}` : ""}${record.reason ? ` (${record.reason})` : ""}`,
      );
    }
    io.out(`${held.rejectedEvents.length} rejected event(s) about the contact`);
    return 0;
  }
  throw new UsageError("kp contacts list | show <contactId> | import <file.csv>");
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

function stateRepositories(resolved: Target) {
  const documents = createDocumentClient(resolved.dynamodb);
  const tableName = resolved.tableName();
  return {
    contacts: new DynamoContactRepository(documents, tableName),
    meetings: new DynamoMeetingRepository(documents, tableName),
    notices: new DynamoNoticeRepository(documents, tableName),
    chair: new DynamoChairRepository(documents, tableName),
  };
}

function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

async function meetings(
  args: ParsedArgs,
  target: () => Target,
  io: Io,
  json: boolean,
): Promise<number> {
  const action = args.positionals[1];
  const repositories = stateRepositories(target());
  if (action === "list") {
    const all = await repositories.meetings.list();
    if (json) {
      io.out(JSON.stringify(all.map(({ scheduledDetail: _detail, ...meeting }) => meeting)));
      return 0;
    }
    io.out(
      table([
        ["MEETING", "STARTS (VENUE TIME)", "CITY", "STATUS", "SEQ", "AUDIENCE", "TITLE"],
        ...all.map((meeting) => [
          meeting.meetingId,
          `${meeting.startsAt.replace("T", " ")} ${meeting.timeZone}`,
          meeting.venue.city,
          meeting.status,
          String(meeting.sequence),
          typeof meeting.audience === "string"
            ? meeting.audience
            : meeting.audience.countries.join(","),
          meeting.title,
        ]),
      ]),
    );
    io.out(`${all.length} meeting(s)`);
    return 0;
  }
  if (action === "show") {
    const meetingId = args.positionals[2];
    if (meetingId === undefined) throw new UsageError("kp meetings show <meetingId>");
    const meeting = await repositories.meetings.get(meetingId);
    if (meeting === undefined) {
      io.err(`There is no meeting ${meetingId}.`);
      return 1;
    }
    const definitions = await repositories.notices.listDefinitions(meetingSubject(meetingId));
    const records = await repositories.notices.listRecords(meetingSubject(meetingId));
    const contacts = await repositories.contacts.getMany(records.map((record) => record.contactId));
    const notices = definitions.map((definition) => ({
      noticeId: definition.noticeId,
      kind: definition.kind,
      definedAt: definition.definedAt,
      recipients: definition.recipientCount,
      status: countBy(
        records.filter((record) => record.noticeId === definition.noticeId),
        (record) => record.status,
      ),
      records: records
        .filter((record) => record.noticeId === definition.noticeId)
        .map((record) => {
          const contact = contacts.get(record.contactId);
          return {
            contactId: record.contactId,
            represents: contact === undefined ? "(removed)" : representing(contact),
            status: record.status,
            ...(record.messageId === undefined ? {} : { messageId: record.messageId }),
            ...(record.reason === undefined ? {} : { reason: record.reason }),
            updatedAt: record.updatedAt,
          };
        }),
    }));
    const { scheduledDetail: _detail, ...shown } = meeting;
    if (json) {
      io.out(JSON.stringify({ meeting: shown, notices }));
      return 0;
    }
    io.out(`${meeting.title} (${meeting.meetingId})`);
    io.out(
      `  ${meeting.status}, sequence ${meeting.sequence}; ${meeting.startsAt} – ${meeting.endsAt} ${meeting.timeZone}; ${meeting.venue.city} (${meeting.venue.country})`,
    );
    for (const notice of notices) {
      const summary = Object.entries(notice.status)
        .map(([status, count]) => `${count} ${status}`)
        .join(", ");
      io.out(
        `\n${notice.noticeId} (${notice.kind}, ${notice.recipients} recipient(s)): ${summary || "nothing recorded yet"}`,
      );
      io.out(
        table([
          ["  CONTACT", "REPRESENTS", "STATUS", "MESSAGE / REASON"],
          ...notice.records.map((record) => [
            `  ${record.contactId}`,
            record.represents,
            record.status,
            record.messageId ?? record.reason ?? "",
          ]),
        ]),
      );
    }
    return 0;
  }
  throw new UsageError("kp meetings list | kp meetings show <meetingId>");
}

async function report(
  args: ParsedArgs,
  target: () => Target,
  io: Io,
  json: boolean,
): Promise<number> {
  const meetingId = args.positionals[1];
  if (meetingId === undefined) throw new UsageError("kp report <meetingId>");
  const repositories = stateRepositories(target());
  const meeting = await repositories.meetings.get(meetingId);
  if (meeting === undefined) {
    io.err(`There is no meeting ${meetingId}.`);
    return 1;
  }
  const contacts = await repositories.contacts.listAudience(audienceQuery(meeting.audience));
  const records = await repositories.notices.listRecords(meetingSubject(meetingId));
  const coverage = coverageReport(meeting.audience, contacts, records);
  if (json) {
    io.out(JSON.stringify({ meetingId, title: meeting.title, ...coverage }));
    return 0;
  }
  const memberStateRows = coverage.rows.filter((row) => row.kind === "member-state");
  io.out(
    `${meeting.title} (${meetingId}): ${memberStateRows.length} member state(s) in the audience, ${coverage.flaggedMemberStates.length} not reached`,
  );
  io.out(
    table([
      ["", "REPRESENTS", "CONTACTS", "NOTIFIED", "DELIVERED", "BOUNCED", "NOT SENT"],
      ...coverage.rows.map((row) => [
        row.flagged ? "⚠" : "",
        row.kind === "member-state" ? countryName(row.represents, "en") : row.represents,
        String(row.contacts),
        String(row.notified),
        String(row.delivered),
        String(row.bounced),
        String(row.notSent),
      ]),
    ]),
  );
  if (coverage.flaggedMemberStates.length > 0) {
    io.out(
      `\nNo delivered notice reached: ${coverage.flaggedMemberStates.map((code) => countryName(code, "en")).join(", ")}`,
    );
  }
  if (coverage.removedContacts > 0)
    io.out(`(${coverage.removedContacts} removed contact(s) had notices)`);
  return 0;
}

async function chair(target: () => Target, io: Io, json: boolean): Promise<number> {
  const state = await currentChair(stateRepositories(target()).chair);
  if (json) {
    io.out(JSON.stringify(state));
    return 0;
  }
  const name = (code: string) => countryName(code, "en");
  const upcoming =
    state.upcoming === "TBC"
      ? "TBC"
      : `${name(state.upcoming.country)}${state.upcoming.takesOfficeOn ? ` (takes office on ${state.upcoming.takesOfficeOn})` : ""}`;
  io.out(`Current Chair   ${name(state.current)} (since ${state.since})`);
  io.out(`Upcoming Chair  ${upcoming}`);
  io.out("History");
  for (const handover of state.history) {
    io.out(
      `  ${handover.effectiveOn}  ${name(handover.from)} → ${name(handover.to)}${handover.meetingId ? `  at ${handover.meetingId}` : ""}`,
    );
  }
  return 0;
}

async function clock(
  args: ParsedArgs,
  options: TargetOptions,
  io: Io,
  json: boolean,
): Promise<number> {
  const action = args.positionals[1];
  if (options.aws) throw new UsageError("kp clock moves the local runtime's clock only");
  const endpoint = resolveTarget(options).eventBridgeEndpointUrl;
  const body =
    action === "advance"
      ? { advance: args.positionals[2] }
      : action === "reset"
        ? { reset: true }
        : undefined;
  if (action !== undefined && body === undefined)
    throw new UsageError("kp clock [advance <ISO duration> | reset]");
  const response = await fetch(`${endpoint}/_kp/clock`, {
    method: body === undefined ? "GET" : "POST",
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
  });
  const answer = (await response.json()) as { now?: string; offsetMs?: number; message?: string };
  if (!response.ok) {
    io.err(answer.message ?? `The clock answered ${response.status}`);
    return 1;
  }
  if (json) io.out(JSON.stringify(answer));
  else {
    const days = ((answer.offsetMs ?? 0) / 86_400_000).toFixed(2);
    io.out(`Local time is ${answer.now} (${days} day(s) ahead of the real clock)`);
  }
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
      case "meetings":
        return await meetings(args, target, io, json);
      case "chair":
        return await chair(target, io, json);
      case "report":
        return await report(args, target, io, json);
      case "clock":
        return await clock(args, options, io, json);
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
