import {
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from "aws-cdk-lib";
import { Alarm, ComparisonOperator, TreatMissingData } from "aws-cdk-lib/aws-cloudwatch";
import { AttributeType, BillingMode, ProjectionType, Table } from "aws-cdk-lib/aws-dynamodb";
import { type Archive, EventBus } from "aws-cdk-lib/aws-events";
import { PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { LISTS_INDEX } from "../shared/adapters/table-keys.js";
import { PERSONAL_FIELDS } from "../shared/contract/contact-upserted.js";
import { SOURCE } from "../shared/contract/index.js";
import { STACK_OUTPUTS } from "../shared/platform/stages.js";
import { OnCall } from "./constructs/on-call.js";
import { SendingIdentity } from "./constructs/sending-identity.js";
import { type Settings, senderDomain } from "./settings.js";

/** An event pattern's `detail`: none of the contract's personal fields (name, email) is there. */
function withoutPersonalFields(): Record<string, unknown> {
  return Object.fromEntries(PERSONAL_FIELDS.map((field) => [field, [{ exists: false }]]));
}

export interface StatefulStackProps extends StackProps {
  settings: Settings;
}

/** What holds data and must outlive any deployment of the functions. */
export class StatefulStack extends Stack {
  readonly table: Table;
  readonly eventBus: EventBus;
  /** The secretariat's events, for replay (`kp replay`). */
  readonly archive: Archive;
  /** Events EventBridge could not deliver to a target. */
  readonly undeliveredEvents: Queue;
  /** Events a function failed on after Lambda's retries. */
  readonly failedEvents: Queue;
  /** Where every alarm goes. */
  readonly onCall: OnCall;
  /** One alarm per dead-letter queue: a message is waiting. */
  readonly deadLetterAlarms: { undeliveredEvents: Alarm; failedEvents: Alarm };

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { settings } = props;
    this.onCall = new OnCall(this, "OnCall", { emails: settings.alarmEmails });
    // The identity outlives the functions: recreating it would mean new DKIM records in DNS.
    // One per account and region: a second stage sends as the one prod made.
    if (settings.createSendingIdentity) {
      new SendingIdentity(this, "SendingIdentity", {
        domain: senderDomain(settings),
        mailFromDomain: settings.mailFromDomain,
        ...(settings.hostedZone === undefined ? {} : { hostedZone: settings.hostedZone }),
      });
    }

    this.table = new Table(this, "Table", {
      partitionKey: { name: "pk", type: AttributeType.STRING },
      sortKey: { name: "sk", type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: LISTS_INDEX,
      partitionKey: { name: "gsi1pk", type: AttributeType.STRING },
      sortKey: { name: "gsi1sk", type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });

    this.eventBus = new EventBus(this, "Bus", { eventBusName: settings.eventBusName });
    // An archive cannot be edited, so no event that carries a person's name or email is kept,
    // whatever its detail-type is spelled: Contact Removed must be able to erase them everywhere.
    this.archive = this.eventBus.archive("Archive", {
      description: "The secretariat's events (but those with a name or email), for replay",
      eventPattern: { source: [SOURCE], detail: withoutPersonalFields() },
      retention: Duration.days(365),
    });

    const undelivered = this.deadLetterQueue(
      "UndeliveredEvents",
      "An event is waiting in UndeliveredEvents: EventBridge could not invoke its function for 24 hours (185 attempts), so it changed nothing. Usually a function that was deleted, renamed or throttled for a day. Do: list it (kp dead-letters --aws: the detail-type, the rule and the error), fix the cause, then kp redrive --aws puts the event back on the bus and deletes the message; the workflows are idempotent. Runbook: README, Operations > Runbook.",
    );
    this.undeliveredEvents = undelivered.queue;
    // Granted here, for every rule of the bus, so the rules' stack need not change this one.
    this.undeliveredEvents.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal("events.amazonaws.com")],
        actions: ["sqs:SendMessage"],
        resources: [this.undeliveredEvents.queueArn],
        conditions: {
          ArnLike: {
            "aws:SourceArn": this.formatArn({
              service: "events",
              resource: "rule",
              // The bus's rules, and the schedules (rules of the default bus).
              resourceName: "*",
            }),
          },
        },
      }),
    );
    const failed = this.deadLetterQueue(
      "FailedEvents",
      "An event is waiting in FailedEvents: a function threw on it three times (an unexpected error: DynamoDB or SES unavailable, a bug), so its workflow did not complete and some notices may not have gone out. Do: list it (kp dead-letters --aws: the detail-type and the ErrorMessage), read the function's log group at that time, fix the cause, then kp redrive --aws; the outbox sends no notice twice. Runbook: README, Operations > Runbook.",
    );
    this.failedEvents = failed.queue;
    this.deadLetterAlarms = { undeliveredEvents: undelivered.alarm, failedEvents: failed.alarm };

    // What ops tools read (kp --aws --stage): the names they would otherwise copy by hand.
    const outputs: [keyof typeof STACK_OUTPUTS, string][] = [
      ["tableName", this.table.tableName],
      ["eventBusName", this.eventBus.eventBusName],
      ["eventBusArn", this.eventBus.eventBusArn],
      ["stage", settings.stage],
      ["undeliveredEventsQueueUrl", this.undeliveredEvents.queueUrl],
      ["failedEventsQueueUrl", this.failedEvents.queueUrl],
      ["archiveName", this.archive.archiveName],
      ["archiveArn", this.archive.archiveArn],
      ["alarmTopicArn", this.onCall.topic.topicArn],
    ];
    for (const [name, value] of outputs) new CfnOutput(this, STACK_OUTPUTS[name], { value });
  }

  private deadLetterQueue(id: string, description: string): { queue: Queue; alarm: Alarm } {
    const queue = new Queue(this, id, {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    const alarm = this.onCall.notify(
      new Alarm(this, `${id}Alarm`, {
        alarmDescription: description,
        metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    Validations.of(queue).acknowledge({
      id: "AwsSolutions-SQS3",
      reason: "This queue is itself a dead-letter queue.",
    });
    return { queue, alarm };
  }
}
