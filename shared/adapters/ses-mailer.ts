import { type SESClient, SendRawEmailCommand } from "@aws-sdk/client-ses";
import MailComposer from "nodemailer/lib/mail-composer";
import {
  type Mailer,
  MailRejected,
  MailThrottled,
  type OutgoingEmail,
} from "../domain/deliver-notices.js";
import type { Sender } from "../notices/render.js";

const THROTTLING = new Set(["Throttling", "ThrottlingException", "TooManyRequestsException"]);
const REJECTED = new Set(["MessageRejected", "InvalidParameterValue"]);

/** The MIME message: text and HTML alternatives, and the calendar as iTIP part and attachment. */
export async function mimeMessage(email: OutgoingEmail, sender: Sender): Promise<Buffer> {
  const composer = new MailComposer({
    from: { name: sender.name, address: sender.address },
    to: { name: email.to.name, address: email.to.address },
    subject: email.subject,
    text: email.text,
    html: email.html,
    headers: {
      "Content-Language": email.language,
      "X-KP-Notice": email.tags.notice ?? "",
    },
    ...(email.calendar === undefined
      ? {}
      : {
          icalEvent: {
            method: email.calendar.method,
            filename: "invite.ics",
            content: email.calendar.content,
          },
        }),
  });
  return composer.compile().build();
}

/** SES (API v1 SendRawEmail): the raw message carries the calendar attachment. */
export class SesMailer implements Mailer {
  constructor(
    private readonly client: SESClient,
    private readonly sender: Sender,
    private readonly configurationSetName?: string,
  ) {}

  async send(email: OutgoingEmail): Promise<string> {
    const raw = await mimeMessage(email, this.sender);
    try {
      const { MessageId } = await this.client.send(
        new SendRawEmailCommand({
          RawMessage: { Data: raw },
          ...(this.configurationSetName === undefined
            ? {}
            : { ConfigurationSetName: this.configurationSetName }),
        }),
      );
      if (MessageId === undefined) throw new Error("SES answered without a MessageId");
      return MessageId;
    } catch (error) {
      if (error instanceof Error && THROTTLING.has(error.name)) {
        throw new MailThrottled(error.message);
      }
      if (error instanceof Error && REJECTED.has(error.name)) {
        throw new MailRejected(`${error.name}: ${error.message}`);
      }
      throw error;
    }
  }
}
