import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { DynamoChairRepository } from "../adapters/chair-repository.js";
import { DynamoMeetingRepository } from "../adapters/meeting-repository.js";
import { EventBridgeNoticePublisher } from "../adapters/notice-publisher.js";
import { DynamoNoticeRepository } from "../adapters/notice-repository.js";
import { DynamoRsvpRepository } from "../adapters/rsvp-repository.js";
import { durationMs } from "../domain/time.js";
import { MissingConfiguration, requireEnv } from "./config.js";
import { createWorkflowRuntime } from "./workflow-runtime.js";

/** A number ≥ 0 from the environment. */
export function numberEnv(name: string, env: NodeJS.ProcessEnv): number {
  const value = Number(requireEnv(name, env));
  if (!Number.isFinite(value) || value < 0) {
    throw new MissingConfiguration(`${name} must be a number ≥ 0, not ${env[name]}`);
  }
  return value;
}

/**
 * How many recipients one "Notices Due" carries: what the sender sends in about two minutes at
 * the account's rate (its timeout is five), at most 500 (the event stays far below 256 KB).
 */
export function chunkSizeFor(maxSendRate: number): number {
  return maxSendRate <= 0 ? 500 : Math.max(10, Math.min(500, Math.floor(maxSendRate * 120)));
}

/** The functions that decide who is notified: meetings, reminders, the Chair. */
export function createNotifyingRuntime(env: NodeJS.ProcessEnv = process.env) {
  const base = createWorkflowRuntime(env);
  const reminderOffsets = requireEnv("REMINDER_OFFSETS", env).split(",").filter(Boolean);
  for (const offset of reminderOffsets) durationMs(offset);
  return {
    ...base,
    meetings: new DynamoMeetingRepository(base.documentClient, base.tableName),
    chair: new DynamoChairRepository(base.documentClient, base.tableName),
    notices: new DynamoNoticeRepository(base.documentClient, base.tableName),
    directory: base.contacts,
    publisher: new EventBridgeNoticePublisher(
      new EventBridgeClient({}),
      requireEnv("EVENT_BUS_NAME", env),
    ),
    chunkSize: chunkSizeFor(numberEnv("SES_MAX_SEND_RATE", env)),
    reminderOffsets,
    rsvps: new DynamoRsvpRepository(base.documentClient, base.tableName),
  };
}

/** The reconciler: the open notices, the publisher, and how long it waits and keeps trying. */
export function createReconcilerRuntime(env: NodeJS.ProcessEnv = process.env) {
  const base = createWorkflowRuntime(env);
  return {
    ...base,
    notices: new DynamoNoticeRepository(base.documentClient, base.tableName),
    publisher: new EventBridgeNoticePublisher(
      new EventBridgeClient({}),
      requireEnv("EVENT_BUS_NAME", env),
    ),
    reconcileAfterMs: durationMs(requireEnv("RECONCILE_AFTER", env)),
    giveUpAfterMs: durationMs(requireEnv("RECONCILE_GIVE_UP_AFTER", env)),
  };
}
