import type { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import type { Metrics } from "@aws-lambda-powertools/metrics";
import { EventBridgeSchema } from "@aws-lambda-powertools/parser/schemas/eventbridge";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import type { z } from "zod";
import { type ContractEvent, secretariatId } from "../contract/common.js";
import { PERSONAL_FIELDS } from "../contract/contact-upserted.js";
import { detailShapeProblem } from "../contract/limits.js";
import { eventTimeProblem } from "../domain/event-time.js";
import { erasePersonalData } from "../domain/personal-data.js";
import {
  boundedReason,
  EventRejected,
  type RejectionRepository,
  rejectedEventText,
} from "../domain/rejections.js";
import { EVENTS_REJECTED_METRIC, publishCounts } from "./metrics.js";

export type EventBridgeEnvelope = z.infer<typeof EventBridgeSchema>;

/** The event did not come the way the rules route it: a deployment fault, not bad input. */
export class UnroutableEvent extends Error {
  override name = "UnroutableEvent";
}

export type WorkflowOutcome = { status: "done" } | { status: "rejected"; reason: string };

/** How many of zod's issues a reason names, and how long each may be. */
const ISSUES_SHOWN = 5;
const ISSUE_LENGTH = 180;

function shortened(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * "detail.email: must be an email address; detail.roles.0: ...": the first few issues, each cut
 * to a line's length (a message may quote a 256 KB input), then how many more there are.
 */
export function describeIssues(error: z.ZodError, prefix = "detail"): string {
  const shown = error.issues.slice(0, ISSUES_SHOWN).map((issue) => {
    const missing = issue.code === "invalid_type" && issue.message.endsWith("received undefined");
    const path = shortened([prefix, ...issue.path.map(String)].join("."), 80);
    return `${path}: ${shortened(missing ? "is required" : issue.message, ISSUE_LENGTH)}`;
  });
  const more = error.issues.length - shown.length;
  return [...shown, ...(more > 0 ? [`and ${more} more`] : [])].join("; ");
}

/** The contact an event is about, when it names one by a valid id. */
function contactIdOf(detail: unknown): string | undefined {
  if (typeof detail !== "object" || detail === null) return undefined;
  const { contactId } = detail as Record<string, unknown>;
  return secretariatId.safeParse(contactId).success ? (contactId as string) : undefined;
}

function carriesPersonalData(detail: unknown): boolean {
  return (
    typeof detail === "object" &&
    detail !== null &&
    PERSONAL_FIELDS.some((field) => Object.hasOwn(detail, field))
  );
}

export interface WorkflowDependencies {
  rejections: RejectionRepository;
  logger: Logger;
  /** Counts the rejected events (`EventsRejected`) when given. */
  metrics?: Metrics;
  now?: () => Date;
  /** Tells whether a contact has been removed, so its rejected events keep no personal data. */
  contacts?: { isRemoved(contactId: string): Promise<boolean> };
}

/**
 * Records an event the contract does not accept, with a reason an officer can read.
 * Retrying would not change the verdict, so the invocation then succeeds.
 */
export async function rejectEvent(
  envelope: EventBridgeEnvelope,
  reason: string,
  dependencies: WorkflowDependencies,
  options: { erasePersonalData?: boolean } = {},
): Promise<WorkflowOutcome> {
  const contactId = contactIdOf(envelope.detail);
  const personal = carriesPersonalData(envelope.detail);
  // Without a usable contactId no Contact Removed could ever find it again: keep it erased.
  const erase = options.erasePersonalData === true || (personal && contactId === undefined);
  const boundedText = boundedReason(reason);
  await dependencies.rejections.record({
    eventId: envelope.id,
    eventTime: envelope.time,
    rejectedAt: (dependencies.now?.() ?? new Date()).toISOString(),
    source: envelope.source,
    detailType: envelope["detail-type"],
    reason: boundedText,
    event: rejectedEventText(erase ? erasePersonalData(envelope) : envelope),
    ...(contactId === undefined ? {} : { contactId }),
  });
  // The contact may have been removed while this was being recorded: erase it after the fact.
  if (
    personal &&
    contactId !== undefined &&
    !erase &&
    (await dependencies.contacts?.isRemoved(contactId)) === true
  ) {
    await dependencies.rejections.eraseContact(contactId);
  }
  if (dependencies.metrics !== undefined) {
    publishCounts(dependencies.metrics, { [EVENTS_REJECTED_METRIC]: 1 });
  }
  dependencies.logger.warn("Event rejected", {
    eventId: envelope.id,
    detailType: envelope["detail-type"],
    reason: boundedText,
  });
  return { status: "rejected", reason: boundedText };
}

/**
 * The Lambda handler of one workflow: an EventBridge target for one detail-type.
 * 1. check the envelope is EventBridge's and carries this workflow's detail-type;
 * 2. refuse an event stamped in the future (beyond a clock skew): it would beat later changes;
 * 3. check the detail's shape is within the contract's bounds (depth, size, numbers), then
 *    validate it against the contract: invalid → recorded as rejected, nothing changes;
 * 4. run the use case: a rule of the contract that refuses the event → recorded as rejected;
 * 5. any other error is thrown, so Lambda's retries and the dead-letter queue apply.
 */
export function workflowHandler<Schema extends z.ZodType>(
  contractEvent: ContractEvent<Schema>,
  run: (
    detail: z.output<Schema>,
    envelope: EventBridgeEnvelope,
    context: Context,
  ) => Promise<unknown>,
  dependencies: WorkflowDependencies,
) {
  const { logger } = dependencies;
  return middy<unknown, WorkflowOutcome, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event, lambdaContext) => {
      const envelope = EventBridgeSchema.safeParse(event);
      if (!envelope.success) {
        throw new UnroutableEvent(
          `Not an EventBridge event: ${describeIssues(envelope.error, "event")}`,
        );
      }
      const received = envelope.data;
      if (
        received.source !== contractEvent.source ||
        !(contractEvent.detailTypes ?? [contractEvent.detailType]).includes(received["detail-type"])
      ) {
        throw new UnroutableEvent(
          `This function handles ${contractEvent.source} "${contractEvent.detailType}", not ${received.source} "${received["detail-type"]}"`,
        );
      }
      logger.appendKeys({ eventId: received.id, detailType: received["detail-type"] });
      const untimely = eventTimeProblem(received.time, dependencies.now?.() ?? new Date());
      if (untimely !== undefined) return rejectEvent(received, untimely, dependencies);
      const outOfBounds = detailShapeProblem(received.detail);
      if (outOfBounds !== undefined) return rejectEvent(received, outOfBounds, dependencies);
      const detail = contractEvent.schema.safeParse(received.detail);
      if (!detail.success) {
        return rejectEvent(received, describeIssues(detail.error), dependencies);
      }
      try {
        await run(detail.data, received, lambdaContext);
      } catch (error) {
        if (error instanceof EventRejected) {
          return rejectEvent(received, error.message, dependencies, {
            erasePersonalData: error.erasePersonalData,
          });
        }
        logger.error("Workflow failed; Lambda will retry, then send the event to the DLQ", {
          error,
        });
        throw error;
      }
      logger.info("Event processed");
      return { status: "done" };
    });
}
