import { SESClient, SESServiceException, SendRawEmailCommand } from "@aws-sdk/client-ses";
import { mockClient } from "aws-sdk-client-mock";
import { simpleParser } from "mailparser";
import { beforeEach, describe, expect, it } from "vitest";
import {
  classifySendError,
  createSesClient,
  mimeMessage,
  SES_REQUEST_TIMEOUT_MS,
  SesMailer,
} from "../../shared/adapters/ses-mailer.js";
import { taggedNotice } from "../../shared/contract/ses-events.js";
import {
  MailOutcomeUnknown,
  MailRejected,
  MailThrottled,
  type OutgoingEmail,
} from "../../shared/domain/deliver-notices.js";

const ses = mockClient(SESClient);
const sender = { name: "Khartoum Process Secretariat", address: "notices@khartoumprocess.net" };
const email: OutgoingEmail = {
  to: { name: "Erika Mustermann", address: "erika.mustermann@example.de" },
  subject: "Invitation",
  text: "text",
  html: "<p>html</p>",
  language: "en",
  tags: { notice: "invitation-v0" },
};

function serviceError(name: string, status: number, fault: "client" | "server" = "client") {
  return new SESServiceException({
    name,
    $fault: fault,
    message: `${name} happened`,
    $metadata: { httpStatusCode: status },
  });
}

function networkError(code: string, message: string, name = "Error"): Error {
  return Object.assign(new Error(message), { code, name });
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the send to fail");
}

beforeEach(() => {
  ses.reset();
});

describe("SesMailer's outcomes", () => {
  it("answers SES's message id", async () => {
    // Prepare
    ses.on(SendRawEmailCommand).resolves({ MessageId: "0100-abc" });

    // Act
    const messageId = await new SesMailer(new SESClient({}), sender).send(email);

    // Assess
    expect(messageId).toBe("0100-abc");
  });

  it("tags the message with its notice record, which SES repeats in every event of it", async () => {
    // Prepare
    ses.on(SendRawEmailCommand).resolves({ MessageId: "0100-abc" });
    const record = {
      subjectKey: "MEETING#som-9-berlin-2030",
      noticeId: "invitation-v0",
      contactId: "de-focal-point-1",
    };
    const tagged = {
      ...email,
      tags: { notice: record.noticeId, subject: record.subjectKey, contact: record.contactId },
    };

    // Act
    await new SesMailer(new SESClient({}), sender).send(tagged);

    // Assess
    const tags = ses.commandCalls(SendRawEmailCommand)[0]?.args[0].input.Tags ?? [];
    expect(taggedNotice(Object.fromEntries(tags.map((tag) => [tag.Name, [tag.Value]])))).toEqual(
      record,
    );
  });

  it.each([
    ["Throttling", serviceError("Throttling", 400)],
    ["MaxSendingRateExceeded", serviceError("MaxSendingRateExceeded", 400)],
    ["an HTTP 429", serviceError("TooManyRequests", 429)],
  ])("calls %s throttled: certainly not sent", async (_, error) => {
    // Prepare
    ses.on(SendRawEmailCommand).rejects(error);

    // Act
    const failure = await failureOf(new SesMailer(new SESClient({}), sender).send(email));

    // Assess
    expect(failure).toBeInstanceOf(MailThrottled);
  });

  it.each(["MessageRejected", "MailFromDomainNotVerifiedException"])(
    "calls %s a refusal for good",
    async (name) => {
      // Prepare
      ses.on(SendRawEmailCommand).rejects(serviceError(name, 400));

      // Act
      const failure = await failureOf(new SesMailer(new SESClient({}), sender).send(email));

      // Assess
      expect(failure).toBeInstanceOf(MailRejected);
      expect(failure.message).toBe(`${name}: ${name} happened`);
    },
  );

  it.each([
    [
      "a request timeout",
      networkError(
        "ETIMEDOUT",
        "a request has exceeded the configured 10000 ms requestTimeout.",
        "TimeoutError",
      ),
    ],
    ["an HTTP 500", serviceError("InternalFailure", 500, "server")],
    ["a connection reset", networkError("ECONNRESET", "socket hang up")],
    ["an answer without a message id", undefined],
  ])("calls %s ambiguous: the message may have gone out", async (_, error) => {
    // Prepare
    if (error === undefined) ses.on(SendRawEmailCommand).resolves({});
    else ses.on(SendRawEmailCommand).rejects(error);

    // Act
    const failure = await failureOf(new SesMailer(new SESClient({}), sender).send(email));

    // Assess
    expect(failure).toBeInstanceOf(MailOutcomeUnknown);
  });

  it("lets an error from before the connection through as not sent", async () => {
    // Prepare
    const refused = networkError("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:443");
    ses.on(SendRawEmailCommand).rejects(refused);

    // Act
    const failure = await failureOf(new SesMailer(new SESClient({}), sender).send(email));

    // Assess
    expect(failure).not.toBeInstanceOf(MailOutcomeUnknown);
    expect(classifySendError(refused)).toBe("not-sent");
    expect(
      classifySendError(
        Object.assign(
          new Error(
            "the request socket did not establish a connection with the server within the configured timeout of 3000 ms.",
          ),
          { name: "TimeoutError" },
        ),
      ),
    ).toBe("not-sent");
  });
});

describe("createSesClient", () => {
  it("makes one attempt per send, with an explicit request timeout", async () => {
    // Prepare
    ses.restore();
    const client = createSesClient();

    // Act
    const maxAttempts = await client.config.maxAttempts();
    const handler = client.config.requestHandler as unknown as {
      configProvider: Promise<{ requestTimeout?: number; connectionTimeout?: number }>;
    };
    const handlerConfig = await handler.configProvider;

    // Assess
    expect(maxAttempts).toBe(1);
    expect(handlerConfig.requestTimeout).toBe(SES_REQUEST_TIMEOUT_MS);
    expect(handlerConfig.connectionTimeout).toBe(3_000);
  });
});

describe("the MIME message", () => {
  it("asks for replies at the secretariat's mailbox and says a program sent it", async () => {
    // Act
    const parsed = await simpleParser(
      await mimeMessage(email, { ...sender, replyTo: "secretariat@khartoumprocess.net" }),
    );

    // Assess
    expect(parsed.replyTo?.text).toBe("secretariat@khartoumprocess.net");
    expect(parsed.headers.get("auto-submitted")).toBe("auto-generated");
    expect(parsed.headers.has("list")).toBe(false);
  });

  it("keeps a title that looks like an encoded word as it is written", async () => {
    // Prepare
    const subject = "Invitation: =?utf-8?q?x?= (Berlin, 16 March 2023)";

    // Act
    const parsed = await simpleParser(await mimeMessage({ ...email, subject }, sender));

    // Assess
    expect(parsed.subject).toBe(subject);
  });

  it("offers a reminder's stop link as List-Unsubscribe", async () => {
    // Prepare
    const reminder = { ...email, unsubscribe: "https://rsvp.example.org/rsvp/stop.token" };

    // Act
    const parsed = await simpleParser(await mimeMessage(reminder, sender));

    // Assess
    // mailparser gathers the List-* headers under "list".
    expect(parsed.headers.get("list")).toMatchObject({
      unsubscribe: { url: "https://rsvp.example.org/rsvp/stop.token" },
    });
  });
});
