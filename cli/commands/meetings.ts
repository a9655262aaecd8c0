import { audienceQuery } from "../../shared/domain/audience.js";
import { representing } from "../../shared/domain/contacts.js";
import { coverageReport } from "../../shared/domain/coverage.js";
import { meetingSubject } from "../../shared/domain/meetings.js";
import { countryName } from "../../shared/notices/render.js";
import type { ParsedArgs } from "../args.js";
import { type Target, UsageError } from "../target.js";
import { countBy, type Io, stateRepositories, table } from "./shared.js";

export async function meetings(
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
    const meeting = await repositories.meetings.find(meetingId);
    if (meeting === undefined) {
      io.err(`There is no meeting ${meetingId}.`);
      return 1;
    }
    if (meeting.status === "cancelled-before-scheduled") {
      if (json) {
        io.out(JSON.stringify({ meeting, notices: [] }));
        return 0;
      }
      io.out(
        `${meetingId}: no meeting; a Meeting Cancelled for it (sent at ${meeting.cancelledAt}) came first, so a Meeting Scheduled sent at or before then is refused.`,
      );
      return 0;
    }
    const definitions = await repositories.notices.listDefinitions(meetingSubject(meetingId));
    const records = await repositories.notices.listRecords(meetingSubject(meetingId));
    const contacts = await repositories.contacts.getMany(records.map((record) => record.contactId));
    const answers = new Map(
      (await repositories.rsvps.listForMeeting(meetingId)).map((rsvp) => [rsvp.contactId, rsvp]),
    );
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
            rsvp: answers.get(record.contactId)?.answer ?? null,
            ...(record.messageId === undefined ? {} : { messageId: record.messageId }),
            ...(record.reason === undefined ? {} : { reason: record.reason }),
            updatedAt: record.updatedAt,
          };
        }),
    }));
    const { scheduledDetail: _detail, ...shown } = meeting;
    const rsvps = [...answers.values()];
    if (json) {
      io.out(JSON.stringify({ meeting: shown, notices, rsvps }));
      return 0;
    }
    io.out(`${meeting.title} (${meeting.meetingId})`);
    io.out(
      `  ${meeting.status}, sequence ${meeting.sequence}; ${meeting.startsAt} – ${meeting.endsAt} ${meeting.timeZone}; ${meeting.venue.city} (${meeting.venue.country})`,
    );
    if (meeting.notNotified !== undefined) io.out(`  not notified: ${meeting.notNotified}`);
    const answered = countBy(rsvps, (rsvp) => rsvp.answer);
    io.out(
      `  answers: ${answered.accepted ?? 0} accepted, ${answered.tentative ?? 0} tentative, ${answered.declined ?? 0} declined`,
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
          ["  CONTACT", "REPRESENTS", "STATUS", "RSVP", "MESSAGE / REASON"],
          ...notice.records.map((record) => [
            `  ${record.contactId}`,
            record.represents,
            record.status,
            record.rsvp ?? "-",
            record.messageId ?? record.reason ?? "",
          ]),
        ]),
      );
    }
    return 0;
  }
  throw new UsageError("kp meetings list | kp meetings show <meetingId>");
}

export async function report(
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
  const answers = new Map(
    (await repositories.rsvps.listForMeeting(meetingId)).map((rsvp) => [
      rsvp.contactId,
      rsvp.answer,
    ]),
  );
  const coverage = coverageReport(meeting.audience, contacts, records, answers);
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
      [
        "",
        "REPRESENTS",
        "CONTACTS",
        "NOTIFIED",
        "DELIVERED",
        "BOUNCED",
        "NOT SENT",
        "ACCEPTED",
        "TENTATIVE",
        "DECLINED",
        "NO ANSWER",
      ],
      ...coverage.rows.map((row) => [
        row.flagged ? "⚠" : "",
        row.kind === "member-state" ? countryName(row.represents, "en") : row.represents,
        String(row.contacts),
        String(row.notified),
        String(row.delivered),
        String(row.bounced),
        String(row.notSent),
        String(row.attendance.accepted),
        String(row.attendance.tentative),
        String(row.attendance.declined),
        String(row.attendance.noAnswer),
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
