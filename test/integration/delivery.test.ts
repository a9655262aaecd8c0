import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runKp } from "../../cli/kp.js";
import { DynamoContactRepository } from "../../shared/adapters/contact-repository.js";
import { DynamoNoticeRepository } from "../../shared/adapters/notice-repository.js";
import { meetingSubject } from "../../shared/domain/meetings.js";
import { type LocalStack, startLocalStack } from "../support/local-stack.js";
import { recipientOf, storedEmails } from "../support/ses.js";

const CONTACTS = [
  {
    contactId: "fr-focal-point-1",
    name: "Claire Dubois",
    email: "claire.dubois@example.fr",
    memberState: "FR",
    language: "fr",
  },
  {
    contactId: "eg-focal-point-1",
    name: "Nour Hassan",
    email: "nour.hassan@example.eg",
    memberState: "EG",
    language: "ar",
  },
  {
    contactId: "so-focal-point-1",
    name: "Ayaan Warsame",
    email: "bounce@simulator.amazonses.com",
    memberState: "SO",
  },
  {
    contactId: "er-focal-point-1",
    name: "Senait Tesfay",
    email: "complaint@simulator.amazonses.com",
    memberState: "ER",
  },
  {
    contactId: "ke-focal-point-1",
    name: "Amina Otieno",
    email: "success@simulator.amazonses.com",
    memberState: "KE",
  },
];

const MEETING = {
  meetingId: "thematic-delivery-2027",
  kind: "thematic-meeting",
  title: "Thematic Meeting on Return and Reintegration",
  startsAt: "2027-05-10T09:00",
  endsAt: "2027-05-10T17:00",
  timeZone: "Africa/Nairobi",
  venue: { city: "Nairobi", country: "KE" },
  audience: { countries: ["FR", "EG", "SO", "ER", "KE"] },
};

interface Report {
  rows: {
    represents: string;
    contacts: number;
    notified: number;
    delivered: number;
    bounced: number;
    flagged: boolean;
  }[];
  flaggedMemberStates: string[];
}

describe("delivery status, suppression, coverage and personal data through the local runtime", () => {
  let stack: LocalStack;
  let contacts: DynamoContactRepository;
  const emails = async () => storedEmails(stack.runtime.description.sesEndpoint);

  async function kp(...argv: string[]) {
    const out: string[] = [];
    const code = await runKp([...argv, "--local-dir", stack.dataDir], {
      out: (line) => out.push(line),
      err: (line) => out.push(line),
    });
    return { code, out: out.join("\n") };
  }

  beforeAll(async () => {
    stack = await startLocalStack();
    contacts = new DynamoContactRepository(stack.documents, stack.tableName);
    await stack.put(...CONTACTS.map((detail) => ({ detailType: "Contact Upserted", detail })));
    await stack.put({ detailType: "Meeting Scheduled", detail: MEETING });
  });
  afterAll(() => stack.stop());

  it("gives French and Arabic contacts their notice in their language, Arabic right-to-left", async () => {
    const all = await emails();
    const french = all.find((email) => recipientOf(email) === "claire.dubois@example.fr");
    const arabic = all.find((email) => recipientOf(email) === "nour.hassan@example.eg");

    expect(french?.subject).toBe(
      "Invitation : Thematic Meeting on Return and Reintegration (Nairobi, 10 mai 2027)",
    );
    expect(french?.body.html).toContain('<html lang="fr" dir="ltr">');
    expect(arabic?.body.html).toContain('<html lang="ar" dir="rtl">');
    expect(arabic?.body.text).toContain("يسرّنا دعوتكم");
  });

  it("follows SES's events on each notice record: delivered, bounced, complained", async () => {
    const shown = JSON.parse((await kp("meetings", "show", MEETING.meetingId, "--json")).out) as {
      notices: { records: { contactId: string; status: string }[] }[];
    };
    const notices = await new DynamoNoticeRepository(stack.documents, stack.tableName).listRecords(
      meetingSubject(MEETING.meetingId),
    );

    expect(shown.notices[0]?.records).toHaveLength(5);
    expect(
      Object.fromEntries(notices.map((record) => [record.contactId, record.delivery])),
    ).toEqual({
      "fr-focal-point-1": "delivered",
      "eg-focal-point-1": "delivered",
      "ke-focal-point-1": "delivered",
      "so-focal-point-1": "bounced",
      "er-focal-point-1": "complained",
    });
  });

  it("suppresses a contact after a hard bounce or a complaint, with the reason for the secretariat", async () => {
    expect((await contacts.get("so-focal-point-1"))?.suppressed?.reason).toMatch(
      /^hard bounce \(Permanent\/General\) of invitation-v0/,
    );
    expect((await contacts.get("er-focal-point-1"))?.suppressed?.reason).toMatch(
      /^complaint \(abuse\)/,
    );
    expect((await contacts.get("ke-focal-point-1"))?.suppressed).toBeUndefined();
  });

  it("sends a suppressed contact no second notice, and records why", async () => {
    const before = await emails();

    await stack.put({
      detailType: "Meeting Rescheduled",
      detail: {
        meetingId: MEETING.meetingId,
        startsAt: "2027-05-11T09:00",
        endsAt: "2027-05-11T17:00",
      },
    });
    const updates = (await emails()).slice(before.length);
    const show = JSON.parse((await kp("contacts", "show", "so-focal-point-1", "--json")).out) as {
      notices: { noticeId: string; status: string; reason?: string }[];
    };

    expect(updates.map(recipientOf).sort()).toEqual(
      [
        "claire.dubois@example.fr",
        "nour.hassan@example.eg",
        "success@simulator.amazonses.com",
      ].sort(),
    );
    const updateRecords = (
      await new DynamoNoticeRepository(stack.documents, stack.tableName).listRecords(
        meetingSubject(MEETING.meetingId),
      )
    ).filter((record) => record.noticeId === "update-v1" && record.status === "sent");
    expect(updateRecords.map((record) => record.delivery)).toEqual([
      "delivered",
      "delivered",
      "delivered",
    ]);
    expect(show.notices.find((notice) => notice.noticeId === "update-v1")).toMatchObject({
      status: "skipped",
      reason: expect.stringMatching(/^the contact is suppressed: hard bounce/),
    });
  });

  it("flags in kp report the member state whose only contact bounced", async () => {
    const report = JSON.parse((await kp("report", MEETING.meetingId, "--json")).out) as Report;
    const text = (await kp("report", MEETING.meetingId)).out;

    expect(report.flaggedMemberStates).toEqual(["SO"]);
    expect(report.rows.find((row) => row.represents === "SO")).toMatchObject({
      contacts: 1,
      notified: 1,
      delivered: 0,
      bounced: 1,
      flagged: true,
    });
    expect(report.rows.find((row) => row.represents === "KE")).toMatchObject({
      delivered: 1,
      flagged: false,
    });
    expect(text).toContain("No delivered notice reached: Somalia");
  });

  it("keeps neither the name nor the email anywhere once the contact is removed", async () => {
    const held = JSON.parse((await kp("contacts", "show", "fr-focal-point-1", "--json")).out) as {
      contact: { email: string } | null;
      notices: unknown[];
    };
    expect(held.contact?.email).toBe("claire.dubois@example.fr");
    expect(held.notices.length).toBeGreaterThan(0);

    await stack.put({ detailType: "Contact Removed", detail: { contactId: "fr-focal-point-1" } });

    const everything = JSON.stringify(await stack.scanEverything());
    expect(everything).not.toContain("Claire");
    expect(everything).not.toContain("Dubois");
    expect(everything).not.toContain("claire.dubois@example.fr");
    expect(everything).toContain("fr-focal-point-1");
  });
});
