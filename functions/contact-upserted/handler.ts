import { ContactUpserted } from "../../shared/contract/index.js";
import { upsertContact } from "../../shared/domain/contacts.js";
import { workflowHandler } from "../../shared/platform/workflow-handler.js";
import { createWorkflowRuntime } from "../../shared/platform/workflow-runtime.js";

const runtime = createWorkflowRuntime();

export const handler = workflowHandler(
  ContactUpserted,
  (detail, event) => upsertContact(detail, { contacts: runtime.contacts, eventTime: event.time }),
  runtime,
);
