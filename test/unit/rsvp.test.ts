import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ReplyReceivedDetail } from "../../shared/contract/replies.js";
import type { AudienceDirectory } from "../../shared/domain/audience.js";
import type { Contact } from "../../shared/domain/contacts.js";
import { audienceIncludes, inviteLateJoiner } from "../../shared/domain/late-joiners.js";
import type { Meeting } from "../../shared/domain/meetings.js";
import type { NoticeDefinition, NoticesDue } from "../../shared/domain/notices.js";
import {
  meetingIdOfUid,
  ReplyRefused,
  type Rsvp,
  type RsvpRepository,
  recordCalendarReply,
} from "../../shared/domain/rsvp.js";
import { answerByLink } from "../../shared/domain/rsvp-link.js";
import {
  RsvpTokenRefused,
  signRsvpToken,
  signStopRemindersToken,
  verifyRsvpToken,
} from "../../shared/domain/rsvp-token.js";
import { meetingUid } from "../../shared/notices/calendar.js";
import { readReply } from "../../shared/notices/itip-reply.js";
import { composeNotice } from "../../shared/notices/render.js";
import { rsvpPage } from "../../shared/notices/rsvp-page.js";

const FIXTURES = join(import.meta.dirname, "..", "fixtures", "itip-replies");
const fixture = (name: string) => readFileSync(join(FIXTURES, `${name}.eml`));

/** The adapter's rule: every answer kept, the current one replaced only by a later answer. */
class InMemoryRsvps implements RsvpRepository {
  readonly answers: Rsvp[] = [];
  readonly current = new Map<string, Rsvp>();

  async record(rsvp: Rsvp): Promise<boolean> {
    this.answers.push(rsvp);
    const key = `${rsvp.meetingId}#${rsvp.contactId}`;
    const existing = this.current.get(key);
    if (existing !== undefined && existing.answeredAt > rsvp.answeredAt) return false;
    this.current.set(key, rsvp);
    return true;
  }

  async listForMeeting(meetingId: string): Promise<Rsvp[]> {
    return [...this.current.values()].filter((rsvp) => rsvp.meetingId === meetingId);
  }
}

const future = (days: number) => new Date(Date.now() + days * 86_400_000);
const localDate = (instant: Date) => instant.toISOString().slice(0, 16);

function meeting(fields: Partial<Meeting> = {}): Meeting {
  const start = future(60);
  return {
    meetingId: "som-12-rabat",
    kind: "senior-officials-meeting",
    title: "12th Senior Officials' Meeting",
    startsAt: localDate(start),
    endsAt: localDate(new Date(start.getTime() + 7 * 3_600_000)),
    timeZone: "UTC",
    venue: { city: "Rabat", country: "MA" },
    audience: "steering-committee",
    status: "scheduled",
    sequence: 0,
    scheduledDetail: "{}",
    updatedAt: new Date().toISOString(),
    ...fields,
  } as Meeting;
}

function contact(contactId: string, email: string, fields: Partial<Contact> = {}): Contact {
  return {
    contactId,
    name: `Contact ${contactId}`,
    email,
    memberState: "DE",
    roles: ["focal-point"],
    language: "en",
    timeZone: "Europe/Berlin",
    reminders: true,
    updatedAt: "2026-01-01T00:00:00Z",
    ...fields,
  };
}

const erika = contact("de-focal-point-1", "erika.mustermann@example.de");

function replyContext(contacts: Contact[], stored: Meeting | undefined = meeting()) {
  const rsvps = new InMemoryRsvps();
  const directory: AudienceDirectory = { listAudience: async () => contacts };
  return {
    rsvps,
    context: {
      meetings: { get: async (id: string) => (id === stored?.meetingId ? stored : undefined) },
      directory,
      rsvps,
      now: new Date(),
    },
  };
}

const baseReply = {
  uid: meetingUid("som-12-rabat"),
  attendee: "ERIKA.MUSTERMANN@example.de",
  partstat: "ACCEPTED",
  answeredAt: "2026-11-02T09:59:00.000Z",
};

function reply(fields: Partial<ReplyReceivedDetail> = {}): ReplyReceivedDetail {
  return {
    messageId: "m-1",
    receivedAt: "2026-11-02T10:00:00.000Z",
    from: "Erika.Mustermann@Example.DE",
    verdicts: { spf: "PASS", dkim: "GRAY" },
    reply: baseReply,
    ...fields,
  };
}

describe("readReply: iTIP REPLYs as calendar clients write them", () => {
  it("reads Outlook's base64 REPLY inside multipart/alternative: ACCEPTED, its DTSTAMP, the attendee's own letter case", async () => {
    // Act
    const read = await readReply(fixture("outlook-accepted"));

    // Assess
    expect(read).toEqual({
      from: "Erika.Mustermann@Example.DE",
      reply: {
        uid: "som-12-rabat-2028@kp-workflows",
        attendee: "Erika.Mustermann@Example.DE",
        partstat: "ACCEPTED",
        answeredAt: "2028-04-02T08:15:12.000Z",
      },
    });
  });

  it("reads Gmail's REPLY (quoted-printable, folded ATTENDEE, twice in the message): DECLINED", async () => {
    // Act
    const read = await readReply(fixture("gmail-declined"));

    // Assess
    expect(read.from).toBe("wanjiru.kamau@example.ke");
    expect(read.reply).toEqual({
      uid: "som-12-rabat-2028@kp-workflows",
      attendee: "wanjiru.kamau@example.ke",
      partstat: "DECLINED",
      answeredAt: "2028-04-03T12:01:02.000Z",
    });
  });

  it("reads Apple Calendar's REPLY, only a base64 attachment: TENTATIVE", async () => {
    // Act
    const read = await readReply(fixture("apple-tentative"));

    // Assess
    expect(read.reply).toEqual({
      uid: "som-12-rabat-2028@kp-workflows",
      attendee: "nour@example.eg",
      partstat: "TENTATIVE",
      answeredAt: "2028-04-04T07:15:00.000Z",
    });
  });

  it("names the problem when a message carries no calendar (an out-of-office answer)", async () => {
    // Act
    const read = await readReply(
      "From: someone@example.org\r\nSubject: Out of office\r\n\r\nI am away until Monday.\r\n",
    );

    // Assess
    expect(read).toEqual({
      from: "someone@example.org",
      problem: "the message carries no calendar",
    });
  });
});

describe("the answer links' tokens", () => {
  const secret = "test-secret";
  const claims = {
    meetingId: "som-12-rabat",
    contactId: "de-focal-point-1",
    answer: "accepted" as const,
    expiresAt: new Date("2028-05-10T15:00:00Z"),
  };

  it("verifies a token it signed, with the same claims", () => {
    // Act
    const verified = verifyRsvpToken(signRsvpToken(claims, secret), secret, new Date("2028-05-01"));

    // Assess
    expect(verified).toEqual(claims);
  });

  it("refuses a token whose payload was changed (another answer) as tampered", () => {
    // Prepare
    const [, signature] = signRsvpToken(claims, secret).split(".");
    const [forged] = signRsvpToken({ ...claims, answer: "declined" }, "another").split(".");

    // Act
    const verify = () => verifyRsvpToken(`${forged}.${signature}`, secret, new Date("2028-05-01"));

    // Assess
    expect(verify).toThrow(RsvpTokenRefused);
    expect(verify).toThrow(/signature/);
  });

  it("refuses a token signed with another secret", () => {
    // Act
    const verify = () =>
      verifyRsvpToken(signRsvpToken(claims, "another"), secret, new Date("2028-05-01"));

    // Assess
    expect(verify).toThrow(RsvpTokenRefused);
  });

  it("refuses a token once it has expired", () => {
    // Act
    const verify = () =>
      verifyRsvpToken(signRsvpToken(claims, secret), secret, new Date("2028-05-10T15:00:01Z"));

    // Assess
    expect(verify).toThrow(/expired/);
  });
});

describe("recordCalendarReply", () => {
  it("records the answer of the contact whose address the ATTENDEE names, without regard to case, at DTSTAMP", async () => {
    // Prepare
    const { rsvps, context } = replyContext([erika]);

    // Act
    await recordCalendarReply(reply(), context);

    // Assess
    expect(await rsvps.listForMeeting("som-12-rabat")).toMatchObject([
      {
        contactId: "de-focal-point-1",
        answer: "accepted",
        answeredAt: "2026-11-02T09:59:00.000Z",
        channel: "calendar",
      },
    ]);
  });

  it("refuses a reply From another address than the contact's current one, naming the contact", async () => {
    // Prepare
    const { rsvps, context } = replyContext([erika]);

    // Act
    const recording = recordCalendarReply(reply({ from: "mallory@example.net" }), context);

    // Assess
    await expect(recording).rejects.toMatchObject({
      name: "ReplyRefused",
      contactId: "de-focal-point-1",
    });
    expect(rsvps.answers).toEqual([]);
  });

  it("refuses a reply that passed neither SPF nor DKIM", async () => {
    // Prepare
    const { rsvps, context } = replyContext([erika]);

    // Act
    const recording = recordCalendarReply(
      reply({ verdicts: { spf: "FAIL", dkim: "GRAY" } }),
      context,
    );

    // Assess
    await expect(recording).rejects.toThrow(/neither SPF \(FAIL\) nor DKIM/);
    expect(rsvps.answers).toEqual([]);
  });

  it("accepts a reply whose DKIM passed though SPF did not (a forwarding server)", async () => {
    // Prepare
    const { rsvps, context } = replyContext([erika]);

    // Act
    await recordCalendarReply(reply({ verdicts: { spf: "SOFTFAIL", dkim: "PASS" } }), context);

    // Assess
    expect(rsvps.answers).toHaveLength(1);
  });

  it("refuses a reply whose UID is no meeting of ours, and one whose attendee is not in the audience", async () => {
    // Prepare
    const { context } = replyContext([erika]);

    // Act
    const foreign = recordCalendarReply(
      reply({ reply: { ...baseReply, uid: "abc@calendar.example" } }),
      context,
    );
    const stranger = recordCalendarReply(
      reply({ reply: { ...baseReply, attendee: "stranger@example.org" } }),
      context,
    );

    // Assess
    await expect(foreign).rejects.toBeInstanceOf(ReplyRefused);
    await expect(stranger).rejects.toThrow(/not a contact of the audience/);
  });

  it("keeps the latest answer by its own time: an older reply delivered late does not replace it", async () => {
    // Prepare
    const { rsvps, context } = replyContext([erika]);
    await recordCalendarReply(
      reply({
        reply: { ...baseReply, partstat: "DECLINED", answeredAt: "2026-11-02T09:59:30.000Z" },
      }),
      context,
    );

    // Act
    await recordCalendarReply(reply(), context);

    // Assess
    expect((await rsvps.listForMeeting("som-12-rabat"))[0]?.answer).toBe("declined");
    expect(rsvps.answers).toHaveLength(2);
  });

  it("reads the meeting back from the UID calendar.ts writes", () => {
    // Assess
    expect(meetingIdOfUid(meetingUid("som-12-rabat"))).toBe("som-12-rabat");
    expect(meetingIdOfUid("som-12-rabat-2028@kp-workflows")).toBeUndefined();
  });
});

describe("answerByLink", () => {
  const secret = "link-secret";
  const token = signRsvpToken(
    {
      meetingId: "som-12-rabat",
      contactId: erika.contactId,
      answer: "declined",
      expiresAt: future(61),
    },
    secret,
  );

  function linkContext(
    rsvps: InMemoryRsvps,
    stopped: string[] = [],
    stored: Contact = { ...erika, language: "fr" },
  ) {
    const held = meeting();
    return {
      secret: async () => secret,
      meetings: { get: async (id: string) => (id === held.meetingId ? held : undefined) },
      contacts: {
        get: async (id: string) => (id === stored.contactId ? { ...stored } : undefined),
        stopReminders: async (id: string, at: string) => {
          stopped.push(id);
          if (id !== stored.contactId) return false;
          Object.assign(stored, { reminders: false, remindersStoppedAt: at });
          return true;
        },
        // As the repository's condition: the member's own stop, or on already.
        resumeReminders: async (id: string) => {
          if (id !== stored.contactId) return false;
          if (stored.remindersStoppedAt === undefined && !stored.reminders) return false;
          stored.reminders = true;
          delete stored.remindersStoppedAt;
          return true;
        },
      },
      rsvps,
      now: new Date(),
    };
  }
  const stopToken = signStopRemindersToken(
    { contactId: erika.contactId, expiresAt: future(400) },
    secret,
  );

  it("asks on GET of a stop-reminders link, in the member's language, and stops nothing", async () => {
    // Prepare
    const stopped: string[] = [];

    // Act
    const outcome = await answerByLink(
      { method: "GET", token: stopToken },
      linkContext(new InMemoryRsvps(), stopped),
    );

    // Assess
    expect(outcome).toEqual({ page: "confirm-stop", language: "fr" });
    expect(stopped).toEqual([]);
    const { body } = rsvpPage(outcome);
    expect(body).toContain('<main lang="fr" dir="ltr">');
    expect(body).toContain("Ne plus recevoir les rappels envoyés avant chaque réunion");
    expect(body).toContain('<form method="post">');
  });

  it("stops the contact's reminders on POST of a stop-reminders link", async () => {
    // Prepare
    const stopped: string[] = [];
    const rsvps = new InMemoryRsvps();

    // Act
    const outcome = await answerByLink(
      { method: "POST", token: stopToken },
      linkContext(rsvps, stopped),
    );

    // Assess
    expect(outcome).toEqual({ page: "stopped", language: "fr" });
    expect(stopped).toEqual([erika.contactId]);
    expect(rsvps.answers).toEqual([]);
  });

  it("offers on GET, once the member stopped them, to turn the reminders back on, and does on POST action=resume", async () => {
    // Prepare
    const contact: Contact = { ...erika, language: "fr" };
    const context = linkContext(new InMemoryRsvps(), [], contact);
    const stopped = await answerByLink({ method: "POST", token: stopToken }, context);

    // Act
    const offered = await answerByLink({ method: "GET", token: stopToken }, context);
    const offeredState = { ...contact };
    const resumed = await answerByLink(
      { method: "POST", token: stopToken, action: "resume" },
      context,
    );
    const askedAgain = await answerByLink({ method: "GET", token: stopToken }, context);

    // Assess
    expect(rsvpPage(stopped).body).toContain('<input type="hidden" name="action" value="resume">');
    expect(offered).toEqual({ page: "reminders-off", language: "fr" });
    expect(rsvpPage(offered).body).toContain("Réactiver les rappels");
    expect(offeredState).toMatchObject({
      reminders: false,
      remindersStoppedAt: expect.any(String),
    });
    expect(resumed).toEqual({ page: "resumed", language: "fr" });
    expect(rsvpPage(resumed).body).toContain("vous recevrez de nouveau les rappels");
    expect(contact.reminders).toBe(true);
    expect(contact.remindersStoppedAt).toBeUndefined();
    expect(askedAgain).toEqual({ page: "confirm-stop", language: "fr" });
  });

  it("does not turn on reminders the secretariat turned off, and says whom to write to", async () => {
    // Prepare
    const contact: Contact = { ...erika, language: "en", reminders: false };

    // Act
    const outcome = await answerByLink(
      { method: "POST", token: stopToken, action: "resume" },
      linkContext(new InMemoryRsvps(), [], contact),
    );

    // Assess
    expect(outcome).toEqual({ page: "resume-refused", language: "en" });
    expect(rsvpPage(outcome).statusCode).toBe(409);
    expect(rsvpPage(outcome).body).toContain("The secretariat has turned the reminders off");
    expect(contact.reminders).toBe(false);
  });

  it("stops nothing for a contact no longer stored, and says so", async () => {
    // Prepare
    const stopped: string[] = [];
    const removed = signStopRemindersToken(
      { contactId: "removed-contact", expiresAt: future(400) },
      secret,
    );

    // Act
    const outcome = await answerByLink(
      { method: "POST", token: removed },
      linkContext(new InMemoryRsvps(), stopped),
    );

    // Assess
    expect(outcome).toEqual({ page: "stop-closed", language: "en" });
    expect(stopped).toEqual([]);
    expect(rsvpPage(outcome).body).toContain("This link can no longer be used");
  });

  it("refuses a stop-reminders token where an answer is expected, and an altered one", async () => {
    // Act
    const asAnswer = () => verifyRsvpToken(stopToken, secret, new Date());
    const altered = await answerByLink(
      { method: "POST", token: `${stopToken.slice(0, -2)}xx` },
      linkContext(new InMemoryRsvps()),
    );

    // Assess
    expect(asAnswer).toThrow("not an answer");
    expect(altered).toEqual({ page: "invalid", problem: "tampered" });
  });

  it("shows the answer to confirm on GET, in the member's language, and records nothing", async () => {
    // Prepare
    const rsvps = new InMemoryRsvps();

    // Act
    const outcome = await answerByLink({ method: "GET", token }, linkContext(rsvps));

    // Assess
    expect(outcome).toMatchObject({ page: "confirm", language: "fr", answer: "declined" });
    expect(rsvps.answers).toEqual([]);
  });

  it("records the answer on POST, through the link channel", async () => {
    // Prepare
    const rsvps = new InMemoryRsvps();

    // Act
    const outcome = await answerByLink({ method: "POST", token }, linkContext(rsvps));

    // Assess
    expect(outcome.page).toBe("recorded");
    expect(rsvps.answers).toEqual([
      {
        meetingId: "som-12-rabat",
        contactId: erika.contactId,
        answer: "declined",
        channel: "link",
        answeredAt: expect.any(String),
        recordedAt: expect.any(String),
      },
    ]);
  });

  it("records nothing for a tampered token", async () => {
    // Prepare
    const rsvps = new InMemoryRsvps();

    // Act
    const outcome = await answerByLink(
      { method: "POST", token: `${token.slice(0, -2)}xx` },
      linkContext(rsvps),
    );

    // Assess
    expect(outcome).toEqual({ page: "invalid", problem: "tampered" });
    expect(rsvps.answers).toEqual([]);
  });
});

describe("composeNotice with answer links", () => {
  const sender = {
    name: "Secretariat",
    address: "notices@example.org",
    organizer: "rsvp@example.org",
  };
  const links = { baseUrl: "https://answers.example.org/rsvp/", secret: "s" };
  const definition = (kind: NoticeDefinition["kind"]): NoticeDefinition => {
    const {
      status: _s,
      sequence,
      scheduledDetail: _d,
      updatedAt: _u,
      audience: _a,
      ...rest
    } = meeting();
    return {
      subjectKey: "MEETING#som-12-rabat",
      noticeId: "invitation-v0",
      kind,
      definedAt: new Date().toISOString(),
      recipientCount: 1,
      meeting: { ...rest, sequence },
    };
  };

  it("offers the three answers as signed links, and names the receiving address as ORGANIZER", () => {
    // Act
    const email = composeNotice(definition("invitation"), erika, sender, links);

    // Assess
    const hrefs = [
      ...email.html.matchAll(/href="https:\/\/answers\.example\.org\/rsvp\/([^"]+)"/g),
    ];
    expect(hrefs.map((href) => verifyRsvpToken(href[1] ?? "", "s", new Date()).answer)).toEqual([
      "accepted",
      "tentative",
      "declined",
    ]);
    expect(email.text).toContain("I will not attend: https://answers.example.org/rsvp/");
    expect(email.calendar?.content).toMatch(
      /ORGANIZER;CN="?Secretariat"?:mailto:rsvp@example\.org/i,
    );
  });

  it("offers no answer links in a cancellation", () => {
    // Act
    const email = composeNotice(definition("cancellation"), erika, sender, links);

    // Assess
    expect(email.html).not.toContain("/rsvp/");
  });
});

describe("inviteLateJoiner", () => {
  function lateContext(meetings: Meeting[], defined: string[]) {
    const published: NoticesDue[] = [];
    return {
      published,
      context: {
        upcoming: { startingAfter: async () => meetings },
        notices: {
          getDefinition: async (subjectKey: string, noticeId: string) =>
            defined.includes(`${subjectKey}/${noticeId}`)
              ? ({ subjectKey, noticeId } as NoticeDefinition)
              : undefined,
        },
        publisher: { publish: async (batches: NoticesDue[]) => void published.push(...batches) },
        now: new Date(),
      },
    };
  }

  it("hands the latest REQUEST of each upcoming meeting whose audience takes the contact in to the sender, for this contact only", async () => {
    // Prepare
    const updated = meeting({ meetingId: "som-13", sequence: 2 });
    const elsewhere = meeting({ meetingId: "ke-only", audience: { countries: ["KE"] } });
    const { published, context } = lateContext(
      [meeting(), updated, elsewhere],
      [
        "MEETING#som-12-rabat/invitation-v0",
        "MEETING#som-13/update-v2",
        "MEETING#ke-only/invitation-v0",
      ],
    );

    // Act
    await inviteLateJoiner(erika, context);

    // Assess
    expect(published).toEqual([
      {
        subjectKey: "MEETING#som-12-rabat",
        noticeId: "invitation-v0",
        contactIds: [erika.contactId],
      },
      { subjectKey: "MEETING#som-13", noticeId: "update-v2", contactIds: [erika.contactId] },
    ]);
  });

  it("hands on nothing of a meeting already begun, cancelled, or recorded without notices", async () => {
    // Prepare
    const begun = meeting({ meetingId: "begun", startsAt: localDate(future(-1)) });
    const cancelled = meeting({ meetingId: "cancelled", status: "cancelled", sequence: 1 });
    const silent = meeting({ meetingId: "silent" });
    const { published, context } = lateContext(
      [begun, cancelled, silent],
      ["MEETING#begun/invitation-v0", "MEETING#cancelled/update-v1"],
    );

    // Act
    await inviteLateJoiner(erika, context);

    // Assess
    expect(published).toEqual([]);
  });

  it("takes partners into an 'all' audience only", () => {
    // Prepare
    const partner = contact("iom-observer-1", "o@example.org", {
      memberState: undefined,
      organisation: "IOM",
    });

    // Assess
    expect(audienceIncludes({ audience: "all" }, partner)).toBe(true);
    expect(audienceIncludes({ audience: "steering-committee" }, partner)).toBe(false);
  });
});
