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
import { EventBus } from "aws-cdk-lib/aws-events";
import { PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { LISTS_INDEX } from "../shared/adapters/table-keys.js";
import { PERSONAL_FIELDS } from "../shared/contract/contact-upserted.js";
import { SOURCE } from "../shared/contract/index.js";

/** An event pattern's `detail`: none of the contract's personal fields (name, email) is there. */
function withoutPersonalFields(): Record<string, unknown> {
  return Object.fromEntries(PERSONAL_FIELDS.map((field) => [field, [{ exists: false }]]));
}

export interface StatefulStackProps extends StackProps {
  eventBusName: string;
}

/** What holds data and must outlive any deployment of the functions. */
export class StatefulStack extends Stack {
  readonly table: Table;
  readonly eventBus: EventBus;
  /** Events EventBridge could not deliver to a target. */
  readonly undeliveredEvents: Queue;
  /** Events a function failed on after Lambda's retries. */
  readonly failedEvents: Queue;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);

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

    this.eventBus = new EventBus(this, "Bus", { eventBusName: props.eventBusName });
    // An archive cannot be edited, so no event that carries a person's name or email is kept,
    // whatever its detail-type is spelled: Contact Removed must be able to erase them everywhere.
    this.eventBus.archive("Archive", {
      description: "The secretariat's events (but those with a name or email), for replay",
      eventPattern: { source: [SOURCE], detail: withoutPersonalFields() },
      retention: Duration.days(365),
    });

    this.undeliveredEvents = this.deadLetterQueue("UndeliveredEvents");
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
    this.failedEvents = this.deadLetterQueue("FailedEvents");

    new CfnOutput(this, "TableName", { value: this.table.tableName });
    new CfnOutput(this, "EventBusName", { value: this.eventBus.eventBusName });
  }

  private deadLetterQueue(id: string): Queue {
    const queue = new Queue(this, id, {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    new Alarm(this, `${id}Alarm`, {
      alarmDescription: `An event is waiting in ${id}: it changed nothing and needs a look`,
      metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    Validations.of(queue).acknowledge({
      id: "AwsSolutions-SQS3",
      reason: "This queue is itself a dead-letter queue.",
    });
    return queue;
  }
}
