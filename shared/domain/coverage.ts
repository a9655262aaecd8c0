import type { Audience } from "../contract/index.js";
import { memberStateCodes, organisations } from "../reference/index.js";
import type { Contact } from "./contacts.js";
import type { NoticeRecord } from "./notices.js";
import { type Attendance, attendanceOf, type RsvpAnswer } from "./rsvp.js";

export interface CoverageRow {
  /** A member-state code or an organisation id. */
  represents: string;
  kind: "member-state" | "secretariat" | "partner";
  contacts: number;
  /** Contacts SES accepted at least one notice for. */
  notified: number;
  /** Contacts at least one notice was delivered to. */
  delivered: number;
  /** Contacts a notice bounced from, or who complained, or are suppressed. */
  bounced: number;
  /** Notices not sent: failed, or skipped (suppressed, removed). */
  notSent: number;
  /** A member state of the audience that no delivered notice reached. */
  flagged: boolean;
  /** The contacts' answers: accepted, tentative, declined, no answer. */
  attendance: Attendance;
}

export interface CoverageReport {
  rows: CoverageRow[];
  flaggedMemberStates: string[];
  /** Records of contacts removed since (their country is not kept). */
  removedContacts: number;
}

const DELIVERED = new Set(["delivered", "complained"]);
const BOUNCED = new Set(["bounced", "soft-bounced", "complained", "rejected"]);

function memberStatesOf(audience: Audience): string[] {
  return typeof audience === "string" ? [...memberStateCodes] : audience.countries;
}

/**
 * Member state by member state (then the secretariat and partners in the audience): who was
 * notified, delivered, bounced; every member state of the audience that no delivered notice
 * reached is flagged: the secretariat's worry is that a member state is left uninformed.
 */
export function coverageReport(
  audience: Audience,
  contacts: readonly Contact[],
  records: readonly NoticeRecord[],
  /** Each contact's current answer to the invitation. */
  answers: ReadonlyMap<string, RsvpAnswer> = new Map(),
): CoverageReport {
  const byContact = new Map<string, NoticeRecord[]>();
  for (const record of records) {
    byContact.set(record.contactId, [...(byContact.get(record.contactId) ?? []), record]);
  }
  const organisationRows = organisations
    .filter((organisation) => audience === "all" || organisation.kind === "secretariat")
    .map((organisation) => ({ represents: organisation.id, kind: organisation.kind }));
  const groups = [
    ...memberStatesOf(audience).map((code) => ({
      represents: code,
      kind: "member-state" as const,
    })),
    ...organisationRows,
  ];
  const rows = groups.map(({ represents, kind }): CoverageRow => {
    const theirs = contacts.filter(
      (contact) => (contact.memberState ?? contact.organisation) === represents,
    );
    const recordsOf = (contact: Contact) => byContact.get(contact.contactId) ?? [];
    const count = (test: (contact: Contact, records: NoticeRecord[]) => boolean) =>
      theirs.filter((contact) => test(contact, recordsOf(contact))).length;
    const delivered = count((_, mine) =>
      mine.some((record) => DELIVERED.has(record.delivery ?? "")),
    );
    return {
      represents,
      kind,
      contacts: theirs.length,
      notified: count((_, mine) => mine.some((record) => record.status === "sent")),
      delivered,
      bounced: count(
        (contact, mine) =>
          contact.suppressed !== undefined ||
          mine.some((record) => BOUNCED.has(record.delivery ?? "")),
      ),
      notSent: count((_, mine) =>
        mine.some((record) => record.status === "failed" || record.status === "skipped"),
      ),
      flagged: kind === "member-state" && delivered === 0,
      attendance: attendanceOf(
        theirs.map((contact) => contact.contactId),
        answers,
      ),
    };
  });
  const known = new Set(contacts.map((contact) => contact.contactId));
  return {
    rows,
    flaggedMemberStates: rows.filter((row) => row.flagged).map((row) => row.represents),
    removedContacts: new Set(
      records.filter((record) => !known.has(record.contactId)).map((record) => record.contactId),
    ).size,
  };
}
