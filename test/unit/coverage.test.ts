import { describe, expect, it } from "vitest";
import type { Contact } from "../../shared/domain/contacts.js";
import { type CoverageRow, coverageReport } from "../../shared/domain/coverage.js";
import type { NoticeRecord } from "../../shared/domain/notices.js";
import { memberStateCodes, organisationIds } from "../../shared/reference/index.js";

const SUBJECT = "MEETING#sc-2023-rabat";
const NOTICE_ID = "invitation-v0";

function contact(
  contactId: string,
  represents: { memberState: string } | { organisation: string },
) {
  const person: Contact = {
    contactId,
    name: `Contact ${contactId}`,
    email: `${contactId}@example.org`,
    ...represents,
    roles: ["focal-point"],
    language: "en",
    timeZone: "Europe/Vienna",
    reminders: true,
    updatedAt: "2023-01-01T00:00:00Z",
  };
  return person;
}

function record(
  contactId: string,
  outcome: Pick<NoticeRecord, "status"> & Partial<NoticeRecord>,
): NoticeRecord {
  return {
    subjectKey: SUBJECT,
    noticeId: NOTICE_ID,
    contactId,
    updatedAt: "2023-02-01T10:00:05Z",
    ...outcome,
  };
}

/** The row of one member state or organisation; fails the test when there is none. */
function rowOf(rows: readonly CoverageRow[], represents: string): CoverageRow {
  const row = rows.find((candidate) => candidate.represents === represents);
  if (row === undefined) throw new Error(`no row for ${represents}`);
  return row;
}

const SECRETARIAT = ["AUC", "EC", "ICMPD"];

describe("coverageReport rows", () => {
  it('gives all 40 member states and all 11 organisations for the audience "all"', () => {
    // Act
    const report = coverageReport("all", [], []);

    // Assess
    const memberStateRows = report.rows.filter((row) => row.kind === "member-state");
    expect(memberStateRows.map((row) => row.represents)).toEqual(memberStateCodes);
    expect(memberStateRows).toHaveLength(40);
    const organisationRows = report.rows.filter((row) => row.kind !== "member-state");
    expect(organisationRows.map((row) => row.represents).sort()).toEqual(
      [...organisationIds].sort(),
    );
    expect(organisationRows).toHaveLength(11);
  });

  it("gives the 40 member states and only the secretariat's three bodies for the Steering Committee", () => {
    // Act
    const report = coverageReport("steering-committee", [], []);

    // Assess
    expect(report.rows.filter((row) => row.kind === "member-state")).toHaveLength(40);
    const others = report.rows.filter((row) => row.kind !== "member-state");
    expect(others.map((row) => row.represents).sort()).toEqual([...SECRETARIAT].sort());
    expect(others.every((row) => row.kind === "secretariat")).toBe(true);
  });

  it("gives the named member states and the secretariat for an audience of countries", () => {
    // Act
    const report = coverageReport({ countries: ["DE", "ER", "SD"] }, [], []);

    // Assess
    expect(report.rows.map((row) => row.represents)).toEqual(["DE", "ER", "SD", ...SECRETARIAT]);
  });
});

describe("coverageReport flags", () => {
  it("flags a member state of the audience without any contact", () => {
    // Act
    const report = coverageReport({ countries: ["ER"] }, [], []);

    // Assess
    expect(rowOf(report.rows, "ER")).toMatchObject({ contacts: 0, flagged: true });
    expect(report.flaggedMemberStates).toEqual(["ER"]);
  });

  it("flags a member state whose only contact's notice bounced", () => {
    // Prepare
    const contacts = [contact("so-focal-point-1", { memberState: "SO" })];
    const records = [
      record("so-focal-point-1", { status: "sent", messageId: "m-1", delivery: "bounced" }),
    ];

    // Act
    const report = coverageReport({ countries: ["SO"] }, contacts, records);

    // Assess
    expect(rowOf(report.rows, "SO")).toMatchObject({ delivered: 0, bounced: 1, flagged: true });
    expect(report.flaggedMemberStates).toEqual(["SO"]);
  });

  it.each(["delivered", "complained"])(
    "does not flag a member state with a notice whose delivery is %s",
    (delivery) => {
      // Prepare
      const contacts = [contact("ke-focal-point-1", { memberState: "KE" })];
      const records = [record("ke-focal-point-1", { status: "sent", messageId: "m-1", delivery })];

      // Act
      const report = coverageReport({ countries: ["KE"] }, contacts, records);

      // Assess
      expect(rowOf(report.rows, "KE")).toMatchObject({ delivered: 1, flagged: false });
      expect(report.flaggedMemberStates).toEqual([]);
    },
  );

  it("does not flag a member state as long as one of its contacts was delivered to", () => {
    // Prepare
    const contacts = [
      contact("et-focal-point-1", { memberState: "ET" }),
      contact("et-focal-point-2", { memberState: "ET" }),
    ];
    const records = [
      record("et-focal-point-1", { status: "sent", messageId: "m-1", delivery: "bounced" }),
      record("et-focal-point-2", { status: "sent", messageId: "m-2", delivery: "delivered" }),
    ];

    // Act
    const report = coverageReport({ countries: ["ET"] }, contacts, records);

    // Assess
    expect(rowOf(report.rows, "ET")).toMatchObject({ contacts: 2, delivered: 1, flagged: false });
  });

  it("never flags an organisation, even one nothing reached", () => {
    // Prepare
    const contacts = [contact("iom-officer-1", { organisation: "IOM" })];
    const records = [record("iom-officer-1", { status: "failed", reason: "SES throttled" })];

    // Act
    const report = coverageReport("all", contacts, records);

    // Assess
    const organisationRows = report.rows.filter((row) => row.kind !== "member-state");
    expect(organisationRows.filter((row) => row.flagged)).toEqual([]);
    expect(rowOf(report.rows, "IOM")).toMatchObject({ kind: "partner", delivered: 0 });
    expect(report.flaggedMemberStates.some((flagged) => organisationIds.includes(flagged))).toBe(
      false,
    );
    expect(report.flaggedMemberStates).toHaveLength(40);
  });
});

describe("coverageReport counts", () => {
  it("counts as notified the contacts with a notice SES accepted", () => {
    // Prepare
    const contacts = [
      contact("de-1", { memberState: "DE" }),
      contact("de-2", { memberState: "DE" }),
      contact("de-3", { memberState: "DE" }),
      contact("de-4", { memberState: "DE" }),
    ];
    const records = [
      record("de-1", { status: "sent", messageId: "m-1" }),
      record("de-2", { status: "sending", claimedAt: "2023-02-01T10:00:04Z" }),
      record("de-3", { status: "failed", reason: "MessageRejected" }),
    ];

    // Act
    const report = coverageReport({ countries: ["DE"] }, contacts, records);

    // Assess
    expect(rowOf(report.rows, "DE")).toMatchObject({ contacts: 4, notified: 1 });
  });

  it("counts as bounced suppressed contacts and bounced, soft-bounced, complained or rejected deliveries", () => {
    // Prepare
    const contacts = [
      {
        ...contact("it-suppressed", { memberState: "IT" }),
        suppressed: { reason: "hard bounce (Permanent/General)", at: "2023-01-15T00:00:00Z" },
      },
      contact("it-bounced", { memberState: "IT" }),
      contact("it-soft-bounced", { memberState: "IT" }),
      contact("it-complained", { memberState: "IT" }),
      contact("it-rejected", { memberState: "IT" }),
      contact("it-delivered", { memberState: "IT" }),
      contact("it-delayed", { memberState: "IT" }),
      contact("it-sent", { memberState: "IT" }),
    ];
    const records = [
      "bounced",
      "soft-bounced",
      "complained",
      "rejected",
      "delivered",
      "delayed",
      "sent",
    ].map((delivery) =>
      record(`it-${delivery}`, { status: "sent", messageId: `m-${delivery}`, delivery }),
    );

    // Act
    const report = coverageReport({ countries: ["IT"] }, contacts, records);

    // Assess
    expect(rowOf(report.rows, "IT")).toMatchObject({ contacts: 8, bounced: 5, delivered: 2 });
  });

  it("counts as not sent the contacts whose notice failed or was skipped", () => {
    // Prepare
    const contacts = [
      contact("fr-failed", { memberState: "FR" }),
      contact("fr-skipped", { memberState: "FR" }),
      contact("fr-sent", { memberState: "FR" }),
      contact("fr-sending", { memberState: "FR" }),
    ];
    const records = [
      record("fr-failed", { status: "failed", reason: "MessageRejected" }),
      record("fr-skipped", { status: "skipped", reason: "suppressed" }),
      record("fr-sent", { status: "sent", messageId: "m-1" }),
      record("fr-sending", { status: "sending", claimedAt: "2023-02-01T10:00:04Z" }),
    ];

    // Act
    const report = coverageReport({ countries: ["FR"] }, contacts, records);

    // Assess
    expect(rowOf(report.rows, "FR")).toMatchObject({ notified: 1, notSent: 2 });
  });

  it("counts a contact once however many of its notices match", () => {
    // Prepare
    const contacts = [contact("eg-focal-point-1", { memberState: "EG" })];
    const records = [
      record("eg-focal-point-1", { status: "sent", messageId: "m-1", delivery: "delivered" }),
      {
        ...record("eg-focal-point-1", { status: "sent", messageId: "m-2", delivery: "delivered" }),
        noticeId: "reminder-7d",
      },
    ];

    // Act
    const report = coverageReport({ countries: ["EG"] }, contacts, records);

    // Assess
    expect(rowOf(report.rows, "EG")).toMatchObject({ contacts: 1, notified: 1, delivered: 1 });
  });

  it("counts an organisation's contacts on the organisation's row", () => {
    // Prepare
    const contacts = [contact("icmpd-staff-1", { organisation: "ICMPD" })];
    const records = [
      record("icmpd-staff-1", { status: "sent", messageId: "m-1", delivery: "delivered" }),
    ];

    // Act
    const report = coverageReport("steering-committee", contacts, records);

    // Assess
    expect(rowOf(report.rows, "ICMPD")).toEqual({
      represents: "ICMPD",
      kind: "secretariat",
      contacts: 1,
      notified: 1,
      delivered: 1,
      bounced: 0,
      notSent: 0,
      flagged: false,
      attendance: { accepted: 0, tentative: 0, declined: 0, noAnswer: 1 },
    });
  });

  it("counts each member state's answers: accepted, tentative, declined and no answer", () => {
    // Prepare
    const contacts = [
      contact("ke-focal-point-1", { memberState: "KE" }),
      contact("ke-focal-point-2", { memberState: "KE" }),
      contact("ke-focal-point-3", { memberState: "KE" }),
      contact("de-focal-point-1", { memberState: "DE" }),
    ];
    const answers = new Map([
      ["ke-focal-point-1", "accepted" as const],
      ["ke-focal-point-2", "declined" as const],
      ["de-focal-point-1", "tentative" as const],
    ]);

    // Act
    const report = coverageReport("steering-committee", contacts, [], answers);

    // Assess
    expect(rowOf(report.rows, "KE")?.attendance).toEqual({
      accepted: 1,
      tentative: 0,
      declined: 1,
      noAnswer: 1,
    });
    expect(rowOf(report.rows, "DE")?.attendance).toEqual({
      accepted: 0,
      tentative: 1,
      declined: 0,
      noAnswer: 0,
    });
  });

  it("counts the distinct contacts removed since as removedContacts, outside any row", () => {
    // Prepare
    const contacts = [contact("ug-focal-point-1", { memberState: "UG" })];
    const records = [
      record("ug-focal-point-1", { status: "sent", messageId: "m-1", delivery: "delivered" }),
      record("ug-focal-point-2", { status: "sent", messageId: "m-2", delivery: "delivered" }),
      {
        ...record("ug-focal-point-2", { status: "sent", messageId: "m-3" }),
        noticeId: "reminder-7d",
      },
      record("tn-focal-point-1", { status: "skipped", reason: "removed" }),
    ];

    // Act
    const report = coverageReport({ countries: ["UG"] }, contacts, records);

    // Assess
    expect(report.removedContacts).toBe(2);
    expect(rowOf(report.rows, "UG")).toMatchObject({ contacts: 1, delivered: 1, notified: 1 });
  });
});
