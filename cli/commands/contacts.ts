import { readFileSync } from "node:fs";
import { DynamoContactRepository } from "../../shared/adapters/contact-repository.js";
import { createDocumentClient } from "../../shared/adapters/dynamodb-client.js";
import { DynamoRejectionRepository } from "../../shared/adapters/rejection-repository.js";
import { representing } from "../../shared/domain/contacts.js";
import type { ParsedArgs } from "../args.js";
import { contactsFromCsv } from "../contacts-csv.js";
import { putEvents } from "../put-events.js";
import { type Target, UsageError } from "../target.js";
import { type Io, stateRepositories, table } from "./shared.js";

export async function contacts(
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
