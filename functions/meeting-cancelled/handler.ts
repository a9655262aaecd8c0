import { MeetingCancelled } from "../../shared/contract/index.js";
import { cancelMeeting } from "../../shared/domain/meetings.js";
import { createNotifyingRuntime } from "../../shared/platform/notice-runtime.js";
import { workflowHandler } from "../../shared/platform/workflow-handler.js";

const runtime = createNotifyingRuntime();

export const handler = workflowHandler(
  MeetingCancelled,
  (detail, event) => cancelMeeting(detail, { ...runtime, now: new Date(event.time) }),
  runtime,
);
