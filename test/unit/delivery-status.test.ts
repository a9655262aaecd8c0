import { describe, expect, it } from "vitest";
import {
  noticeMessageTags,
  type SesEvent,
  sesEventSchema,
  taggedNotice,
} from "../../shared/contract/ses-events.js";
import {
  DELIVERY_RANK,
  type Delivery,
  type DeliveryRepository,
  type DeliveryUpdate,
  deliveryOf,
  recordDeliveryEvent,
  type Suppressions,
  UnknownMessage,
} from "../../shared/domain/delivery-status.js";
import type { RecipientKey } from "../../shared/domain/notices.js";

/** The outbox's message index: which notice record a message id belongs to. */
class InMemoryDeliveries implements DeliveryRepository {
  readonly byMessage = new Map<string, RecipientKey>();
  readonly recorded: { key: RecipientKey; update: DeliveryUpdate }[] = [];

  async findByMessage(messageId: string): Promise<RecipientKey | undefined> {
    return this.byMessage.get(messageId);
  }

  async recordDelivery(key: RecipientKey, update: DeliveryUpdate): Promise<void> {
    this.recorded.push({ key, update });
  }
}

/** Contacts that can be suppressed; a removed contact cannot. */
class InMemorySuppressions implements Suppressions {
  readonly existing = new Set<string>();
  readonly addresses = new Map<string, string>();
  readonly suppressed = new Map<string, { reason: string; at: string }>();

  async suppress(
    contactId: string,
    reason: string,
    at: string,
    address?: string,
  ): Promise<boolean> {
    if (!this.existing.has(contactId)) return false;
    if (address !== undefined && (await this.currentAddress(contactId)) !== address) return false;
    this.suppressed.set(contactId, { reason, at });
    return true;
  }

  async currentAddress(contactId: string): Promise<string | undefined> {
    if (!this.existing.has(contactId)) return undefined;
    return this.addresses.get(contactId) ?? "erika.mustermann@example.de";
  }
}

const MESSAGE_ID = "0100018a1b2c3d4e-5f6a7b8c-9d0e-4f1a-8b2c-3d4e5f6a7b8c-000000";
const SENT_AT = "2023-02-01T10:00:05.000Z";
const EVENT_TIME = "2023-02-01T10:00:09Z";

const invitationToErika: RecipientKey = {
  subjectKey: "MEETING#som-9-berlin-2023",
  noticeId: "invitation-v0",
  contactId: "de-focal-point-1",
};

const mail = { messageId: MESSAGE_ID, timestamp: SENT_AT };

const events = {
  send: { eventType: "Send", mail },
  delivery: {
    eventType: "Delivery",
    mail,
    delivery: { timestamp: "2023-02-01T10:00:07.000Z" },
  },
  hardBounce: {
    eventType: "Bounce",
    mail,
    bounce: {
      bounceType: "Permanent",
      bounceSubType: "General",
      timestamp: "2023-02-01T10:00:08.000Z",
    },
  },
  softBounce: {
    eventType: "Bounce",
    mail,
    bounce: {
      bounceType: "Transient",
      bounceSubType: "MailboxFull",
      timestamp: "2023-02-01T10:00:08.000Z",
    },
  },
  complaint: {
    eventType: "Complaint",
    mail,
    complaint: { complaintFeedbackType: "abuse", timestamp: "2023-02-02T07:30:00.000Z" },
  },
  reject: { eventType: "Reject", mail, reject: { reason: "Bad content" } },
  delay: { eventType: "DeliveryDelay", mail, deliveryDelay: { delayType: "MailboxFull" } },
} satisfies Record<string, SesEvent>;

function context() {
  const deliveries = new InMemoryDeliveries();
  deliveries.byMessage.set(MESSAGE_ID, invitationToErika);
  const suppressions = new InMemorySuppressions();
  suppressions.existing.add(invitationToErika.contactId);
  return { deliveries, suppressions, eventTime: EVENT_TIME };
}

describe("deliveryOf", () => {
  it("maps Send to sent, at the time SES accepted the message", () => {
    // Act
    const update = deliveryOf(events.send, EVENT_TIME);

    // Assess
    expect(update).toEqual({ delivery: "sent", at: SENT_AT });
  });

  it("maps Delivery to delivered, at the delivery's time", () => {
    // Act
    const update = deliveryOf(events.delivery, EVENT_TIME);

    // Assess
    expect(update).toEqual({ delivery: "delivered", at: "2023-02-01T10:00:07.000Z" });
  });

  it("maps a permanent Bounce to bounced with the detail Permanent/General", () => {
    // Act
    const update = deliveryOf(events.hardBounce, EVENT_TIME);

    // Assess
    expect(update).toEqual({
      delivery: "bounced",
      at: "2023-02-01T10:00:08.000Z",
      detail: "Permanent/General",
    });
  });

  it("maps a transient Bounce to soft-bounced", () => {
    // Act
    const update = deliveryOf(events.softBounce, EVENT_TIME);

    // Assess
    expect(update).toEqual({
      delivery: "soft-bounced",
      at: "2023-02-01T10:00:08.000Z",
      detail: "Transient/MailboxFull",
    });
  });

  it("maps a Complaint to complained with the feedback type as detail", () => {
    // Act
    const update = deliveryOf(events.complaint, EVENT_TIME);

    // Assess
    expect(update).toEqual({
      delivery: "complained",
      at: "2023-02-02T07:30:00.000Z",
      detail: "abuse",
    });
  });

  it("maps a Reject to rejected with SES's reason, at the event's time", () => {
    // Act
    const update = deliveryOf(events.reject, EVENT_TIME);

    // Assess
    expect(update).toEqual({ delivery: "rejected", at: EVENT_TIME, detail: "Bad content" });
  });

  it("maps a DeliveryDelay to delayed with the delay type, at the event's time", () => {
    // Act
    const update = deliveryOf(events.delay, EVENT_TIME);

    // Assess
    expect(update).toEqual({ delivery: "delayed", at: EVENT_TIME, detail: "MailboxFull" });
  });

  it("falls back to the event's time when SES gives no timestamp", () => {
    // Prepare
    const untimed: SesEvent = { eventType: "Delivery", mail: { messageId: MESSAGE_ID } };

    // Act
    const update = deliveryOf(untimed, EVENT_TIME);

    // Assess
    expect(update.at).toBe(EVENT_TIME);
  });

  it("names a complaint without a feedback type simply a complaint", () => {
    // Prepare
    const bare: SesEvent = { eventType: "Complaint", mail, complaint: {} };

    // Act
    const update = deliveryOf(bare, EVENT_TIME);

    // Assess
    expect(update).toMatchObject({ delivery: "complained", detail: "complaint" });
  });
});

describe("recordDeliveryEvent", () => {
  it("records the delivery on the notice record the message belongs to", async () => {
    // Prepare
    const ctx = context();

    // Act
    const outcome = await recordDeliveryEvent(events.delivery, ctx);

    // Assess
    expect(outcome).toEqual({ recorded: true, suppressed: false });
    expect(ctx.deliveries.recorded).toEqual([
      {
        key: invitationToErika,
        update: { delivery: "delivered", at: "2023-02-01T10:00:07.000Z" },
      },
    ]);
  });

  it("suppresses the contact on a hard bounce, naming the notice in the reason", async () => {
    // Prepare
    const ctx = context();

    // Act
    const outcome = await recordDeliveryEvent(events.hardBounce, ctx);

    // Assess
    expect(outcome).toEqual({ recorded: true, suppressed: true });
    expect(ctx.suppressions.suppressed.get("de-focal-point-1")).toEqual({
      reason: "hard bounce (Permanent/General) of invitation-v0 of MEETING#som-9-berlin-2023",
      at: "2023-02-01T10:00:08.000Z",
    });
  });

  it("suppresses the contact on a complaint, naming the notice and the feedback type", async () => {
    // Prepare
    const ctx = context();

    // Act
    const outcome = await recordDeliveryEvent(events.complaint, ctx);

    // Assess
    expect(outcome).toEqual({ recorded: true, suppressed: true });
    expect(ctx.suppressions.suppressed.get("de-focal-point-1")).toEqual({
      reason: "complaint (abuse) about invitation-v0 of MEETING#som-9-berlin-2023",
      at: "2023-02-02T07:30:00.000Z",
    });
  });

  it.each([
    ["a soft bounce", events.softBounce, "soft-bounced"],
    ["a delivery delay", events.delay, "delayed"],
    ["a delivery", events.delivery, "delivered"],
    ["a reject", events.reject, "rejected"],
  ] as const)("records %s without suppressing the contact", async (_, event, delivery) => {
    // Prepare
    const ctx = context();

    // Act
    const outcome = await recordDeliveryEvent(event, ctx);

    // Assess
    expect(outcome).toEqual({ recorded: true, suppressed: false });
    expect(ctx.deliveries.recorded.map((entry) => entry.update.delivery)).toEqual([delivery]);
    expect(ctx.suppressions.suppressed.size).toBe(0);
  });

  it("writes nothing for a Send event: the sender recorded the send when SES took the message", async () => {
    // Prepare
    const ctx = context();

    // Act
    const outcome = await recordDeliveryEvent(events.send, ctx);

    // Assess
    expect(outcome).toEqual({ recorded: false, suppressed: false });
    expect(ctx.deliveries.recorded).toEqual([]);
  });

  it("finds the notice record by the message's tags, without the message-id pointer", async () => {
    // Prepare
    const ctx = context();
    ctx.deliveries.byMessage.clear();
    const tags = Object.fromEntries(
      noticeMessageTags(invitationToErika).map((tag) => [tag.Name, [tag.Value]]),
    );
    const delivered: SesEvent = { ...events.delivery, mail: { ...mail, tags } };

    // Act
    const outcome = await recordDeliveryEvent(sesEventSchema.parse(delivered), ctx);

    // Assess
    expect(outcome).toEqual({ recorded: true, suppressed: false });
    expect(ctx.deliveries.recorded.map((entry) => entry.key)).toEqual([invitationToErika]);
  });

  it("round-trips any record key through SES's tag alphabet (letters, digits, _ and -)", () => {
    // Prepare
    const key = { subjectKey: "MEETING#ü/é 2030", noticeId: "reminder-P14D#1", contactId: "a+b@c" };

    // Act
    const tags = noticeMessageTags(key);

    // Assess
    for (const tag of tags) expect(tag.Value).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(taggedNotice(Object.fromEntries(tags.map((tag) => [tag.Name, [tag.Value]])))).toEqual(
      key,
    );
    expect(taggedNotice({ "ses:configuration-set": ["Notices"] })).toBeUndefined();
  });

  it("fails on an event about a message not recorded yet, so Lambda retries it, and changes nothing", async () => {
    // Prepare
    const ctx = context();
    const early: SesEvent = { ...events.hardBounce, mail: { messageId: "not-recorded-yet" } };

    // Act
    const failure = await recordDeliveryEvent(early, ctx).then(
      () => undefined,
      (error: unknown) => error,
    );

    // Assess
    expect(failure).toBeInstanceOf(UnknownMessage);
    expect(ctx.deliveries.recorded).toEqual([]);
    expect(ctx.suppressions.suppressed.size).toBe(0);
  });

  it("records a hard bounce to a removed contact but reports it not suppressed", async () => {
    // Prepare
    const ctx = context();
    ctx.suppressions.existing.clear();

    // Act
    const outcome = await recordDeliveryEvent(events.hardBounce, ctx);

    // Assess
    expect(outcome).toEqual({ recorded: true, suppressed: false });
    expect(ctx.deliveries.recorded).toHaveLength(1);
    expect(ctx.suppressions.suppressed.size).toBe(0);
  });
});

describe("recordDeliveryEvent and the contact's current address", () => {
  const bounceOf = (address: string): SesEvent => ({
    eventType: "Bounce",
    mail: { ...mail, destination: [address] },
    bounce: {
      bounceType: "Permanent",
      bounceSubType: "General",
      bouncedRecipients: [{ emailAddress: address }],
      timestamp: "2023-02-01T10:00:08.000Z",
    },
  });

  it("suppresses on a hard bounce of the current address, whatever its case", async () => {
    // Prepare
    const ctx = context();
    ctx.suppressions.addresses.set("de-focal-point-1", "Erika.Mustermann@Example.de");

    // Act
    const outcome = await recordDeliveryEvent(bounceOf("erika.mustermann@example.DE"), ctx);

    // Assess
    expect(outcome).toEqual({ recorded: true, suppressed: true });
    expect(ctx.suppressions.suppressed.has("de-focal-point-1")).toBe(true);
  });

  it("records a hard bounce of an address the contact no longer has, and suppresses nothing", async () => {
    // Prepare
    const ctx = context();
    ctx.suppressions.addresses.set("de-focal-point-1", "erika@new.example.de");

    // Act
    const outcome = await recordDeliveryEvent(bounceOf("erika.mustermann@example.de"), ctx);

    // Assess
    expect(outcome).toEqual({ recorded: true, suppressed: false });
    expect(ctx.suppressions.suppressed.size).toBe(0);
    expect(ctx.deliveries.recorded.map((entry) => entry.update)).toEqual([
      {
        delivery: "bounced",
        at: "2023-02-01T10:00:08.000Z",
        detail: "Permanent/General; an earlier address of the contact: not suppressed",
      },
    ]);
  });

  it("suppresses nothing on a complaint from an address the contact no longer has", async () => {
    // Prepare
    const ctx = context();
    ctx.suppressions.addresses.set("de-focal-point-1", "erika@new.example.de");
    const complaint: SesEvent = {
      eventType: "Complaint",
      mail,
      complaint: {
        complaintFeedbackType: "abuse",
        complainedRecipients: [{ emailAddress: "erika.mustermann@example.de" }],
      },
    };

    // Act
    const outcome = await recordDeliveryEvent(complaint, ctx);

    // Assess
    expect(outcome.suppressed).toBe(false);
    expect(ctx.suppressions.suppressed.size).toBe(0);
  });
});

describe("sesEventSchema", () => {
  /** An "Email Bounced" detail as SES puts it on the bus, with all the fields we do not read. */
  const bouncedDetail = {
    eventType: "Bounce",
    bounce: {
      feedbackId: "0100018a1b2c3d4e-aaaa-bbbb-cccc-dddd-000000",
      bounceType: "Permanent",
      bounceSubType: "General",
      bouncedRecipients: [
        {
          emailAddress: "erika.mustermann@example.de",
          action: "failed",
          status: "5.1.1",
          diagnosticCode: "smtp; 550 5.1.1 user unknown",
        },
      ],
      timestamp: "2023-02-01T10:00:08.669Z",
      remoteMtaIp: "203.0.113.25",
      reportingMTA: "dsn; a8-19.smtp-out.amazonses.com",
    },
    mail: {
      timestamp: "2023-02-01T10:00:05.012Z",
      source: "Khartoum Process Secretariat <secretariat@khartoumprocess.net>",
      sourceArn: "arn:aws:ses:eu-central-1:123456789012:identity/khartoumprocess.net",
      sendingAccountId: "123456789012",
      messageId: MESSAGE_ID,
      destination: ["erika.mustermann@example.de"],
      headersTruncated: false,
      headers: [
        {
          name: "From",
          value: "Khartoum Process Secretariat <secretariat@khartoumprocess.net>",
        },
        { name: "To", value: "Erika Mustermann <erika.mustermann@example.de>" },
        { name: "Subject", value: "Invitation: 9th Senior Officials' Meeting" },
      ],
      commonHeaders: {
        from: ["Khartoum Process Secretariat <secretariat@khartoumprocess.net>"],
        to: ["Erika Mustermann <erika.mustermann@example.de>"],
        messageId: MESSAGE_ID,
        subject: "Invitation: 9th Senior Officials' Meeting",
      },
      tags: {
        "ses:configuration-set": ["kp-notices"],
        "ses:source-ip": ["198.51.100.7"],
        notice: ["invitation-v0"],
      },
    },
  };

  it("parses a realistic SES bounce detail into what the domain reads", () => {
    // Act
    const parsed = sesEventSchema.safeParse(bouncedDetail);

    // Assess
    expect(parsed.success).toBe(true);
    expect(parsed.data?.mail.messageId).toBe(MESSAGE_ID);
    expect(parsed.data === undefined ? undefined : deliveryOf(parsed.data, EVENT_TIME)).toEqual({
      delivery: "bounced",
      at: "2023-02-01T10:00:08.669Z",
      detail: "Permanent/General",
    });
  });

  it("rejects an event without mail.messageId", () => {
    // Prepare
    const { messageId: _, ...mailWithoutId } = bouncedDetail.mail;

    // Act
    const parsed = sesEventSchema.safeParse({ ...bouncedDetail, mail: mailWithoutId });

    // Assess
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => issue.path.join("."))).toContain("mail.messageId");
  });
});

describe("DELIVERY_RANK", () => {
  it("orders complained > bounced > rejected > soft-bounced > delivered > delayed > sent", () => {
    // Prepare
    const gravestFirst: Delivery[] = [
      "complained",
      "bounced",
      "rejected",
      "soft-bounced",
      "delivered",
      "delayed",
      "sent",
    ];

    // Act
    const byRank = (Object.keys(DELIVERY_RANK) as Delivery[]).sort(
      (a, b) => DELIVERY_RANK[b] - DELIVERY_RANK[a],
    );

    // Assess
    expect(byRank).toEqual(gravestFirst);
  });
});
