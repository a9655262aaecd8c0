import { MeetingScheduled } from "../../shared/contract/index.js";
import { scheduleMeeting } from "../../shared/domain/meetings.js";
import { createNotifyingRuntime } from "../../shared/platform/notice-runtime.js";
import { workflowHandler } from "../../shared/platform/workflow-handler.js";

const runtime = createNotifyingRuntime();

export const handler = workflowHandler(
  MeetingScheduled,
  (detail, event) => scheduleMeeting(detail, { ...runtime, now: new Date(event.time) }),
  runtime,
);
