import MailComposer from "nodemailer/lib/mail-composer";
import { describe, expect, it } from "vitest";
import {
  rawRecipients,
  type SentMessage,
  type SesEventDestination,
  sesEvents,
  simulatedEvents,
} from "../../local/ses-simulator.js";
import { sesEventSchema } from "../../shared/contract/ses-events.js";

const NOW = new Date("2023-02-01T10:00:05.000Z");

/** The event types of what SES would report, in order. */
function eventTypesFor(recipient: string): string[] {
  return simulatedEvents(recipient, NOW).map((event) => event.type);
}

/** The bounce subtype SES would report, if any. */
function bounceSubTypeFor(recipient: string): unknown {
  const bounce = simulatedEvents(recipient, NOW).find((event) => event.type === "bounce");
  const detail = bounce?.detail.bounce;
  return typeof detail === "object" && detail !== null && "bounceSubType" in detail
    ? detail.bounceSubType
    : undefined;
}

describe("simulatedEvents", () => {
  it("delivers to success@", () => {
    // Act
    const events = simulatedEvents("success@simulator.amazonses.com", NOW);

    // Assess
    expect(events.map((event) => event.detailType)).toEqual(["Email Sent", "Email Delivered"]);
    expect(events[1]?.detail).toMatchObject({
      eventType: "Delivery",
      delivery: { timestamp: NOW.toISOString(), recipients: ["success@simulator.amazonses.com"] },
    });
  });

  it("sends, then hard-bounces bounce@ with the subtype General", () => {
    // Act
    const events = simulatedEvents("bounce@simulator.amazonses.com", NOW);

    // Assess
    expect(events.map((event) => event.type)).toEqual(["send", "bounce"]);
    expect(events[1]).toMatchObject({
      detailType: "Email Bounced",
      detail: {
        eventType: "Bounce",
        bounce: { bounceType: "Permanent", bounceSubType: "General", timestamp: NOW.toISOString() },
      },
    });
  });

  it("sends, then hard-bounces suppressionlist@ as on the account's suppression list", () => {
    // Act
    const types = eventTypesFor("suppressionlist@simulator.amazonses.com");
    const subType = bounceSubTypeFor("suppressionlist@simulator.amazonses.com");

    // Assess
    expect(types).toEqual(["send", "bounce"]);
    expect(subType).toBe("OnAccountSuppressionList");
  });

  it("delivers to complaint@ first, then reports an abuse complaint", () => {
    // Act
    const events = simulatedEvents("complaint@simulator.amazonses.com", NOW);

    // Assess
    expect(events.map((event) => event.type)).toEqual(["send", "delivery", "complaint"]);
    expect(events[2]).toMatchObject({
      detailType: "Email Complaint Received",
      detail: {
        eventType: "Complaint",
        complaint: { complaintFeedbackType: "abuse", timestamp: NOW.toISOString() },
      },
    });
  });

  it.each(["ooto@simulator.amazonses.com", "erika.mustermann@example.de", "bounce@example.org"])(
    "delivers to %s",
    (recipient) => {
      // Act
      const types = eventTypesFor(recipient);

      // Assess
      expect(types).toEqual(["send", "delivery"]);
    },
  );

  it("recognises the simulator addresses whatever their case", () => {
    // Act
    const bounce = eventTypesFor("Bounce@Simulator.AmazonSES.com");
    const complaint = eventTypesFor("COMPLAINT@SIMULATOR.AMAZONSES.COM");

    // Assess
    expect(bounce).toEqual(["send", "bounce"]);
    expect(complaint).toEqual(["send", "delivery", "complaint"]);
  });

  it("treats bounce+label@ as bounce@, as SES's simulator does", () => {
    // Act
    const types = eventTypesFor("bounce+de-focal-point-1@simulator.amazonses.com");
    const subType = bounceSubTypeFor("bounce+de-focal-point-1@simulator.amazonses.com");

    // Assess
    expect(types).toEqual(["send", "bounce"]);
    expect(subType).toBe("General");
  });
});

describe("sesEvents", () => {
  const destination: SesEventDestination = {
    configurationSetName: "kp-notices",
    eventBusName: "default",
    eventTypes: ["send", "bounce", "complaint", "reject", "deliveryDelay"],
  };
  const envelope = { account: "000000000000", region: "eu-central-1", now: NOW };

  it("reports only the event types the destination asks for", () => {
    // Prepare
    const message: SentMessage = {
      messageId: "message-1",
      configurationSetName: "kp-notices",
      source: "secretariat@khartoumprocess.net",
      recipients: ["complaint@simulator.amazonses.com"],
    };

    // Act
    const events = sesEvents(message, destination, envelope);

    // Assess
    expect(events.map((event) => event.detailType)).toEqual([
      "Email Sent",
      "Email Complaint Received",
    ]);
  });

  it("reports nothing when the destination asks for none of what happened", () => {
    // Prepare
    const message: SentMessage = {
      messageId: "message-1",
      source: "secretariat@khartoumprocess.net",
      recipients: ["success@simulator.amazonses.com"],
    };

    // Act
    const events = sesEvents(message, { ...destination, eventTypes: ["bounce"] }, envelope);

    // Assess
    expect(events).toEqual([]);
  });

  it("fills the mail of each event with the message id, source, recipient and configuration set", () => {
    // Prepare
    const message: SentMessage = {
      messageId: "0100018a-message-2",
      configurationSetName: "kp-notices",
      source: "secretariat@khartoumprocess.net",
      recipients: ["bounce@simulator.amazonses.com", "erika.mustermann@example.de"],
    };

    // Act
    const events = sesEvents(message, destination, envelope);

    // Assess
    expect(events.map((event) => event.detail.mail.destination)).toEqual([
      ["bounce@simulator.amazonses.com"],
      ["bounce@simulator.amazonses.com"],
      ["erika.mustermann@example.de"],
    ]);
    for (const event of events) {
      expect(event.detail.mail).toEqual({
        timestamp: NOW.toISOString(),
        source: "secretariat@khartoumprocess.net",
        sendingAccountId: "000000000000",
        messageId: "0100018a-message-2",
        destination: event.detail.mail.destination,
        tags: { "ses:configuration-set": ["kp-notices"] },
      });
    }
  });

  it("reports events that the SES event contract accepts", () => {
    // Prepare
    const message: SentMessage = {
      messageId: "message-3",
      source: "secretariat@khartoumprocess.net",
      recipients: [
        "success@simulator.amazonses.com",
        "bounce@simulator.amazonses.com",
        "complaint@simulator.amazonses.com",
      ],
    };
    const everything = { ...destination, eventTypes: ["send", "delivery", "bounce", "complaint"] };

    // Act
    const parsed = sesEvents(message, everything, envelope).map((event) =>
      sesEventSchema.safeParse(event.detail),
    );

    // Assess
    expect(parsed).toHaveLength(7);
    expect(parsed.map((result) => result.error?.message)).toEqual(Array(7).fill(undefined));
    expect(parsed.map((result) => result.data?.mail.messageId)).toEqual(Array(7).fill("message-3"));
  });
});

describe("rawRecipients", () => {
  it("reads To and Cc of a real MIME message, lower-cased and de-duplicated, and From", async () => {
    // Prepare
    const raw = await new MailComposer({
      from: { name: "Khartoum Process Secretariat", address: "Secretariat@KhartoumProcess.net" },
      to: [
        { name: 'Mustermann, Erika "Eri"', address: "Erika.Mustermann@Example.de" },
        {
          name: "Silva, Ana (Ministry of Internal Administration, Directorate of Migration)",
          address: "ana.silva@example.pt",
        },
      ],
      cc: [
        { name: "Erika Mustermann", address: "erika.mustermann@example.de" },
        "desk@example.org",
      ],
      subject: "Invitation: 9th Senior Officials' Meeting",
      text: "Dear colleagues, to: nobody@example.com is not a recipient.",
    })
      .compile()
      .build();

    // Act
    const { from, recipients } = rawRecipients(raw.toString("utf8"));

    // Assess
    expect(from).toBe("secretariat@khartoumprocess.net");
    expect(recipients).toEqual([
      "erika.mustermann@example.de",
      "ana.silva@example.pt",
      "desk@example.org",
    ]);
  });

  it("reads the Bcc header of a message that keeps it", async () => {
    // Prepare
    const node = new MailComposer({
      from: "secretariat@khartoumprocess.net",
      to: "erika.mustermann@example.de",
      bcc: ["Archive@KhartoumProcess.net", "erika.mustermann@example.de"],
      text: "Minutes attached.",
    }).compile();
    node.keepBcc = true;
    const raw = await node.build();

    // Act
    const { recipients } = rawRecipients(raw.toString("utf8"));

    // Assess
    expect(recipients).toEqual(["erika.mustermann@example.de", "archive@khartoumprocess.net"]);
  });

  it("unfolds headers continued on the next line", () => {
    // Prepare
    const raw = [
      "From: secretariat@khartoumprocess.net",
      "To: Erika Mustermann <erika.mustermann@example.de>,",
      '\t"Silva, Ana"',
      " <ana.silva@example.pt>",
      "Subject: Invitation",
      "",
      "To: nobody@example.com",
    ].join("\r\n");

    // Act
    const { recipients } = rawRecipients(raw);

    // Assess
    expect(recipients).toEqual(["erika.mustermann@example.de", "ana.silva@example.pt"]);
  });
});

describe("rawRecipients and addresses inside display names", () => {
  it("takes the address, not an address-like display name", () => {
    // Act
    const { recipients } = rawRecipients(
      'From: "Secretariat" <notices@example.org>\r\nTo: "erika@old.example" <erika@new.example>\r\n\r\nbody',
    );

    // Assess
    expect(recipients).toEqual(["erika@new.example"]);
  });
});
