import { ChairDesignated } from "../../shared/contract/index.js";
import { designateChair } from "../../shared/domain/chair.js";
import { createNotifyingRuntime } from "../../shared/platform/notice-runtime.js";
import { workflowHandler } from "../../shared/platform/workflow-handler.js";

const runtime = createNotifyingRuntime();

export const handler = workflowHandler(
  ChairDesignated,
  (detail, event) => designateChair(detail, { ...runtime, now: new Date(event.time) }),
  runtime,
);
