import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { EventBridgeNoticePublisher } from "../../shared/adapters/notice-publisher.js";
import { DynamoNoticeRepository } from "../../shared/adapters/notice-repository.js";
import { DynamoUpcomingMeetings } from "../../shared/adapters/upcoming-meetings.js";
import { ContactUpserted } from "../../shared/contract/index.js";
import { upsertContact } from "../../shared/domain/contacts.js";
import { inviteLateJoiner } from "../../shared/domain/late-joiners.js";
import { requireEnv } from "../../shared/platform/config.js";
import { workflowHandler } from "../../shared/platform/workflow-handler.js";
import { createWorkflowRuntime } from "../../shared/platform/workflow-runtime.js";

const runtime = createWorkflowRuntime();
const lateJoiners = {
  upcoming: new DynamoUpcomingMeetings(runtime.documentClient, runtime.tableName),
  notices: new DynamoNoticeRepository(runtime.documentClient, runtime.tableName),
  publisher: new EventBridgeNoticePublisher(
    new EventBridgeClient({}),
    requireEnv("EVENT_BUS_NAME"),
  ),
};

export const handler = workflowHandler(
  ContactUpserted,
  async (detail, event) => {
    const contact = await upsertContact(detail, {
      contacts: runtime.contacts,
      eventTime: event.time,
    });
    // Stored first, so the sender finds the contact when the invitation reaches it.
    const invited = await inviteLateJoiner(contact, { ...lateJoiners, now: new Date(event.time) });
    if (invited.length > 0) runtime.logger.info("Late joiner invited", { meetings: invited });
  },
  runtime,
);
