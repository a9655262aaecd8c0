import { DynamoMeetingRepository } from "../../shared/adapters/meeting-repository.js";
import { DynamoRsvpRepository } from "../../shared/adapters/rsvp-repository.js";
import { ReplyReceivedEvent } from "../../shared/contract/replies.js";
import { boundedReason, rejectedEventText } from "../../shared/domain/rejections.js";
import { ReplyRefused, recordCalendarReply } from "../../shared/domain/rsvp.js";
import { workflowHandler } from "../../shared/platform/workflow-handler.js";
import { createWorkflowRuntime } from "../../shared/platform/workflow-runtime.js";

const runtime = createWorkflowRuntime();
const meetings = new DynamoMeetingRepository(runtime.documentClient, runtime.tableName);
const rsvps = new DynamoRsvpRepository(runtime.documentClient, runtime.tableName);

/** A calendar's answer, handed over by the receiving stack: recorded, or kept as rejected. */
export const handler = workflowHandler(
  ReplyReceivedEvent,
  async (detail, envelope) => {
    try {
      const rsvp = await recordCalendarReply(detail, {
        meetings,
        directory: runtime.contacts,
        rsvps,
        now: new Date(),
      });
      runtime.logger.info("Answer recorded", { ...rsvp });
    } catch (error) {
      if (!(error instanceof ReplyRefused)) throw error;
      // Kept without the addresses: only what names no one, and the contact by id.
      const { from: _from, reply, ...kept } = detail;
      await runtime.rejections.record({
        eventId: envelope.id,
        eventTime: envelope.time,
        rejectedAt: new Date().toISOString(),
        source: envelope.source,
        detailType: envelope["detail-type"],
        reason: boundedReason(error.message),
        event: rejectedEventText({
          ...envelope,
          detail: {
            ...kept,
            ...(reply === undefined ? {} : { uid: reply.uid, partstat: reply.partstat }),
            erased: ["from", "attendee"],
          },
        }),
        ...(error.contactId === undefined ? {} : { contactId: error.contactId }),
      });
      runtime.logger.warn("Reply rejected", { messageId: detail.messageId, reason: error.message });
    }
  },
  runtime,
);
