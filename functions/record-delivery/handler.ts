import { DynamoNoticeRepository } from "../../shared/adapters/notice-repository.js";
import { SesEmailEvent } from "../../shared/contract/ses-events.js";
import { recordDeliveryEvent } from "../../shared/domain/delivery-status.js";
import { NOTICES_SUPPRESSED_METRIC, publishCounts } from "../../shared/platform/metrics.js";
import { sqsBatchHandler } from "../../shared/platform/sqs-batch.js";
import { workflowHandler } from "../../shared/platform/workflow-handler.js";
import { createWorkflowRuntime } from "../../shared/platform/workflow-runtime.js";

const runtime = createWorkflowRuntime();
const notices = new DynamoNoticeRepository(runtime.documentClient, runtime.tableName);

/** One of SES's events about our messages (through the configuration set): delivery, suppression. */
const recordEvent = workflowHandler(
  SesEmailEvent,
  async (detail, event) => {
    const outcome = await recordDeliveryEvent(detail, {
      deliveries: notices,
      suppressions: runtime.contacts,
      eventTime: event.time,
    });
    if (outcome.suppressed) {
      publishCounts(runtime.metrics, { [NOTICES_SUPPRESSED_METRIC]: 1 });
      runtime.logger.warn("Contact suppressed", {
        messageId: detail.mail.messageId,
        eventType: detail.eventType,
      });
    }
  },
  runtime,
);

/**
 * SES's events arrive through an SQS queue in batches (up to 100): one invocation records many
 * deliveries, and a record that fails is retried alone (partial batch failure). An event the
 * contract refuses is recorded as rejected and its record succeeds, as on every workflow.
 */
export const handler = sqsBatchHandler(recordEvent, runtime.logger);
