import { z } from "zod";
import { WORKFLOWS_SOURCE } from "./internal.js";

/** SES's verdicts on a received message (PASS, FAIL, GRAY, PROCESSING_FAILED, DISABLED). */
const verdict = z.string().min(1).max(40);

/**
 * A message the organizer address received, as the receiving stack read it: who sent it, SES's
 * verdicts, and the iTIP REPLY it carries (or why none could be read). The checks against the
 * contact happen where the table is, in the main region.
 */
export const replyReceivedSchema = z.strictObject({
  /** SES's id of the received message (also the S3 object's name). */
  messageId: z.string().min(1).max(200),
  receivedAt: z.iso.datetime({ offset: true }),
  /** The address of the message's From header. */
  from: z.string().max(320),
  verdicts: z.strictObject({ spf: verdict, dkim: verdict }),
  reply: z
    .strictObject({
      uid: z.string().min(1).max(500),
      /** The ATTENDEE's address, without "mailto:". */
      attendee: z.string().min(1).max(320),
      partstat: z.string().min(1).max(40),
      /** The answer's own time (DTSTAMP), when the reply has one. */
      answeredAt: z.iso.datetime({ offset: true }).optional(),
    })
    .optional(),
  /** Why no REPLY was read from the message. */
  problem: z.string().max(1000).optional(),
});

export type ReplyReceivedDetail = z.infer<typeof replyReceivedSchema>;

/** An answer to an invitation, received by SES in the receiving region, for the main region. */
export const ReplyReceivedEvent = {
  source: WORKFLOWS_SOURCE,
  detailType: "Reply Received",
  version: 1,
  schema: replyReceivedSchema,
} as const;

/**
 * What SES receiving gives the receipt rule's Lambda action (the parts the function reads): the
 * message's id (the S3 action stored it under the rule's prefix and this id), when it came,
 * and SES's verdicts.
 */
export const sesReceiptEventSchema = z.object({
  Records: z
    .array(
      z.object({
        eventSource: z.literal("aws:ses"),
        ses: z.object({
          mail: z.object({ messageId: z.string().min(1), timestamp: z.string().min(1) }),
          receipt: z.object({
            spfVerdict: z.object({ status: z.string() }),
            dkimVerdict: z.object({ status: z.string() }),
          }),
        }),
      }),
    )
    .min(1),
});

export type SesReceiptEvent = z.infer<typeof sesReceiptEventSchema>;
