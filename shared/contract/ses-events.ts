import { z } from "zod";

/** What SES puts on the default bus for a configuration set's EventBridge destination. */
export const SES_SOURCE = "aws.ses";
export const SES_DETAIL_TYPES = [
  "Email Sent",
  "Email Delivered",
  "Email Bounced",
  "Email Complaint Received",
  "Email Rejected",
  "Email Delivery Delayed",
] as const;

const mail = z.object({
  messageId: z.string().min(1),
  timestamp: z.string().optional(),
  destination: z.array(z.string()).optional(),
  /** The message's tags (each name with its values), the sender's among them. */
  tags: z.record(z.string(), z.array(z.string())).optional(),
});
const recipients = z.array(z.object({ emailAddress: z.string() })).optional();

/** The parts of an SES event the system reads (SES sends more; the rest is ignored). */
export const sesEventSchema = z.discriminatedUnion("eventType", [
  z.object({ eventType: z.literal("Send"), mail }),
  z.object({
    eventType: z.literal("Delivery"),
    mail,
    delivery: z.object({ timestamp: z.string().optional() }).optional(),
  }),
  z.object({
    eventType: z.literal("Bounce"),
    mail,
    bounce: z.object({
      bounceType: z.string(),
      bounceSubType: z.string().optional(),
      bouncedRecipients: recipients,
      timestamp: z.string().optional(),
    }),
  }),
  z.object({
    eventType: z.literal("Complaint"),
    mail,
    complaint: z.object({
      complaintFeedbackType: z.string().optional(),
      complainedRecipients: recipients,
      timestamp: z.string().optional(),
    }),
  }),
  z.object({
    eventType: z.literal("Reject"),
    mail,
    reject: z.object({ reason: z.string().optional() }),
  }),
  z.object({
    eventType: z.literal("DeliveryDelay"),
    mail,
    deliveryDelay: z.object({ delayType: z.string().optional() }).optional(),
  }),
]);
export type SesEvent = z.infer<typeof sesEventSchema>;

export const SesEmailEvent = {
  source: SES_SOURCE,
  detailType: "Email Sent",
  detailTypes: SES_DETAIL_TYPES,
  version: 1,
  schema: sesEventSchema,
} as const;

/** The notice record a message was sent for, as its message tags name it. */
export interface TaggedNotice {
  subjectKey: string;
  noticeId: string;
  contactId: string;
}

const TAG_NAMES = { subjectKey: "kp-subject", noticeId: "kp-notice", contactId: "kp-contact" };

/**
 * The sender's message tags: SES repeats them in every event of the message, so an event names
 * its notice record itself. A tag value may hold only letters, digits, "_" and "-": each is
 * base64url (no padding), which uses nothing else.
 */
export function noticeMessageTags(notice: TaggedNotice): { Name: string; Value: string }[] {
  return (Object.keys(TAG_NAMES) as (keyof TaggedNotice)[]).map((field) => ({
    Name: TAG_NAMES[field],
    Value: Buffer.from(notice[field], "utf8").toString("base64url"),
  }));
}

/** The notice record an event's message tags name; undefined for a message sent without them. */
export function taggedNotice(tags: Record<string, string[]> | undefined): TaggedNotice | undefined {
  const value = (field: keyof TaggedNotice) => {
    const encoded = tags?.[TAG_NAMES[field]]?.[0];
    return encoded === undefined ? undefined : Buffer.from(encoded, "base64url").toString("utf8");
  };
  const subjectKey = value("subjectKey");
  const noticeId = value("noticeId");
  const contactId = value("contactId");
  if (!subjectKey || !noticeId || !contactId) return undefined;
  return { subjectKey, noticeId, contactId };
}
