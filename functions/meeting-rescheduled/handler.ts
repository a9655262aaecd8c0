import { MeetingRescheduled } from "../../shared/contract/index.js";
import { rescheduleMeeting } from "../../shared/domain/meetings.js";
import { createNotifyingRuntime } from "../../shared/platform/notice-runtime.js";
import { workflowHandler } from "../../shared/platform/workflow-handler.js";

const runtime = createNotifyingRuntime();

export const handler = workflowHandler(
  MeetingRescheduled,
  (detail, event) => rescheduleMeeting(detail, { ...runtime, now: new Date(event.time) }),
  runtime,
);
