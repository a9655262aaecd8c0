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
