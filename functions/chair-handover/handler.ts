import { ChairHandover } from "../../shared/contract/index.js";
import { handOverChair } from "../../shared/domain/chair.js";
import { createNotifyingRuntime } from "../../shared/platform/notice-runtime.js";
import { workflowHandler } from "../../shared/platform/workflow-handler.js";

const runtime = createNotifyingRuntime();

export const handler = workflowHandler(
  ChairHandover,
  (detail, event) => handOverChair(detail, { ...runtime, now: new Date(event.time) }),
  runtime,
);
