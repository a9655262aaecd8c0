import { ContactRemoved } from "../../shared/contract/index.js";
import { removeContact } from "../../shared/domain/contacts.js";
import { workflowHandler } from "../../shared/platform/workflow-handler.js";
import { createWorkflowRuntime } from "../../shared/platform/workflow-runtime.js";

const runtime = createWorkflowRuntime();

export const handler = workflowHandler(
  ContactRemoved,
  (detail, event) =>
    removeContact(detail, {
      contacts: runtime.contacts,
      rejections: runtime.rejections,
      eventTime: event.time,
    }),
  runtime,
);
