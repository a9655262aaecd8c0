import { CfnOutput, Duration, Stack, type StackProps, Validations } from "aws-cdk-lib";
import { Alarm, ComparisonOperator, TreatMissingData } from "aws-cdk-lib/aws-cloudwatch";
import {
  CfnEventBusPolicy,
  EventBus,
  type EventPattern,
  Match,
  Rule,
  Schedule,
} from "aws-cdk-lib/aws-events";
import { SqsQueue } from "aws-cdk-lib/aws-events-targets";
import { Effect, PolicyStatement, StarPrincipal } from "aws-cdk-lib/aws-iam";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import {
  ConfigurationSet,
  EmailSendingEvent,
  EventDestination,
  SuppressionReasons,
} from "aws-cdk-lib/aws-ses";
import { type IQueue, Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { LISTS_INDEX } from "../shared/adapters/table-keys.js";
import {
  ChairDesignated,
  ChairHandover,
  ContactRemoved,
  ContactUpserted,
  type ContractEvent,
  DETAIL_TYPES,
  MeetingCancelled,
  MeetingRescheduled,
  MeetingScheduled,
  SOURCE,
} from "../shared/contract/index.js";
import { NoticesDueEvent, WORKFLOWS_SOURCE } from "../shared/contract/internal.js";
import { SES_DETAIL_TYPES, SES_SOURCE } from "../shared/contract/ses-events.js";
import { STACK_OUTPUTS } from "../shared/platform/stages.js";
import { Monitoring, type RoutedRule } from "./constructs/monitoring.js";
import {
  DEFAULT_FUNCTION_TIMEOUT,
  targetOf,
  WORKFLOW_FUNCTION_ACKNOWLEDGEMENTS,
  WorkflowFunction,
  type WorkflowFunctionProps,
} from "./constructs/workflow-function.js";
import { accessOf, accessStatements } from "./function-access.js";
import { type Settings, senderDomain } from "./settings.js";
import type { StatefulStack } from "./stateful-stack.js";

/** How long record-delivery's event source gathers SES events before it invokes with fewer than 100. */
export const SES_EVENTS_BATCHING_WINDOW = Duration.seconds(5);
/** Receives of an SES event before it moves to SesEventsDeadLetters. */
export const SES_EVENTS_MAX_RECEIVE_COUNT = 5;

export interface StatelessStackProps extends StackProps {
  stateful: StatefulStack;
  settings: Settings;
}

/** The functions and the rules that route the secretariat's events to them. */
export class StatelessStack extends Stack {
  readonly functions: WorkflowFunction[] = [];
  /** Every rule with the function it invokes, for the dashboard. */
  readonly rules: RoutedRule[] = [];
  readonly monitoring: Monitoring;
  /** SES's events record-delivery failed on five times (the console's overview counts them). */
  readonly sesEventsDeadLetters: IQueue;
  private readonly stateful: StatefulStack;
  /** Imported, so the rules do not write the queue's policy into the stateful stack (a cycle). */
  private readonly undeliveredEvents: IQueue;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    this.stateful = props.stateful;
    this.undeliveredEvents = Queue.fromQueueArn(
      this,
      "UndeliveredEvents",
      props.stateful.undeliveredEvents.queueArn,
    );

    const { settings } = props;
    // A contact added before a meeting starts is handed its invitation (late joiners).
    this.route(ContactUpserted, "contact-upserted", {
      EVENT_BUS_NAME: this.stateful.eventBus.eventBusName,
    });
    this.route(ContactRemoved, "contact-removed");

    // Meetings: each workflow decides who is notified and hands them to the sender in chunks.
    const notifying = {
      EVENT_BUS_NAME: this.stateful.eventBus.eventBusName,
      SES_MAX_SEND_RATE: String(settings.sesMaxSendRate),
      REMINDER_OFFSETS: settings.reminderOffsets.join(","),
    };
    this.route(MeetingScheduled, "meeting-scheduled", notifying);
    this.route(MeetingRescheduled, "meeting-rescheduled", notifying);
    this.route(MeetingCancelled, "meeting-cancelled", notifying);
    this.route(ChairDesignated, "chair-designated", notifying);
    this.route(ChairHandover, "chair-handover", notifying);
    const sweep = this.addFunction("send-due-reminders", notifying);
    this.target(
      new Rule(this, "send-due-reminders-schedule", {
        description: "Sends the meeting reminders whose time has come",
        schedule: Schedule.expression(settings.reminderSweep),
      }),
      sweep,
      "reminder sweep (schedule)",
      false,
    );
    // The reconciler: hands the recipients a lost chunk never reached to the sender again.
    const reconciler = this.addFunction("reconcile-notices", {
      EVENT_BUS_NAME: this.stateful.eventBus.eventBusName,
      RECONCILE_AFTER: settings.reconcileAfter,
      RECONCILE_GIVE_UP_AFTER: settings.reconcileGiveUpAfter,
    });
    this.target(
      new Rule(this, "reconcile-notices-schedule", {
        description: "Sends again what no sender delivered; gives up after a bounded time",
        schedule: Schedule.expression(settings.reconcileSweep),
      }),
      reconciler,
      "reconciler (schedule)",
      false,
    );

    // The sender: one execution environment at a time, so its pace is the account's rate.
    const sendTimeout = Duration.minutes(5);
    const senderReserved = settings.sesMaxSendRate > 0 && settings.senderReservedConcurrency > 0;
    const sender = this.addWorkflow(
      "send-notices",
      NoticesDueEvent.detailType,
      { source: [NoticesDueEvent.source], detailType: [NoticesDueEvent.detailType] },
      {
        SENDER_ADDRESS: settings.senderAddress,
        SENDER_NAME: settings.senderName,
        REPLY_TO_ADDRESS: settings.replyToAddress,
        SES_MAX_SEND_RATE: String(settings.sesMaxSendRate),
        // Several environments may send at once unless exactly one is reserved.
        SENDER_PARALLEL: String(!(senderReserved && settings.senderReservedConcurrency === 1)),
      },
      {
        timeout: sendTimeout,
        ...(senderReserved
          ? { reservedConcurrentExecutions: settings.senderReservedConcurrency }
          : {}),
      },
    );
    // SES tells the system what became of each message: delivery, bounce, complaint, reject,
    // delay (not the send: the sender records it when SES takes the message), through the configuration set's EventBridge destination (the default bus).
    // Reputation metrics per set, and SES's account-level suppression list for the addresses
    // that bounced hard or complained (the system also suppresses the contact itself).
    const configurationSet = new ConfigurationSet(this, "Notices", {
      reputationMetrics: true,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    configurationSet.addEventDestination("ToEventBridge", {
      destination: EventDestination.eventBus(
        EventBus.fromEventBusName(this, "DefaultBus", "default"),
      ),
      events: [
        EmailSendingEvent.DELIVERY,
        EmailSendingEvent.BOUNCE,
        EmailSendingEvent.COMPLAINT,
        EmailSendingEvent.REJECT,
        EmailSendingEvent.DELIVERY_DELAY,
      ],
    });
    sender.addEnvironment("SES_CONFIGURATION_SET", configurationSet.configurationSetName);
    const recorder = this.addFunction("record-delivery");
    const sesEvents = this.sesEventsQueue(recorder);
    this.sesEventsDeadLetters = sesEvents.deadLetters.queue;
    const sesEventsRule = new Rule(this, "record-delivery-rule", {
      description: "SES's events about the notices, to record-delivery's queue",
      // SES reports every stage's messages on the account's default bus: this stage's only.
      eventPattern: {
        source: [SES_SOURCE],
        detailType: [...SES_DETAIL_TYPES],
        detail: {
          mail: { tags: { "ses:configuration-set": [configurationSet.configurationSetName] } },
        },
      },
    });
    // The queue's policy lets only this rule send (aws:SourceArn); EventBridge's retries for a
    // day, then the undelivered-events DLQ, as for the rules that invoke a function.
    sesEventsRule.addTarget(
      new SqsQueue(sesEvents.queue, {
        retryAttempts: 185,
        maxEventAge: Duration.hours(24),
        deadLetterQueue: this.undeliveredEvents,
      }),
    );
    this.rules.push({ label: "SES events (default bus)", rule: sesEventsRule });
    // The sender's statement; the other functions get none (see FUNCTION_ACCESS.sendsEmail).
    const sendsEmail = new PolicyStatement({
      actions: ["ses:SendRawEmail"],
      resources: [
        this.formatArn({
          service: "ses",
          resource: "identity",
          resourceName: settings.senderAddress,
        }),
        this.formatArn({
          service: "ses",
          resource: "identity",
          resourceName: senderDomain(settings),
        }),
        this.formatArn({
          service: "ses",
          resource: "configuration-set",
          resourceName: configurationSet.configurationSetName,
        }),
      ],
      // Authorised on the domain identity, it could send as any address of the domain: only
      // the configured From address is allowed.
      conditions: { StringEquals: { "ses:FromAddress": settings.senderAddress } },
    });
    // A detail-type outside the contract would match no rule and vanish: keep it as rejected.
    this.addWorkflow("reject-unknown-event", "detail-types outside the contract", {
      source: [SOURCE],
      detailType: Match.anythingBut(...DETAIL_TYPES),
    });

    // Each function's role allows exactly its entry of FUNCTION_ACCESS: the partitions it
    // touches, with the operations it uses, and the events it may put.
    const resources = {
      tableArn: this.stateful.table.tableArn,
      listsIndexArn: `${this.stateful.table.tableArn}/index/${LISTS_INDEX}`,
      eventBusArn: this.stateful.eventBus.eventBusArn,
    };
    for (const fn of this.functions) {
      const access = accessOf(fn.node.id);
      for (const statement of accessStatements(access, resources)) fn.addToRolePolicy(statement);
      if (access.sendsEmail === true) fn.addToRolePolicy(sendsEmail);
    }
    this.onlyTheSystemPutsItsOwnEvents();

    this.monitoring = new Monitoring(this, "Monitoring", {
      onCall: this.stateful.onCall,
      functions: this.functions,
      sender,
      sweep,
      rules: this.rules,
      deadLetterQueues: [
        sesEvents.deadLetters,
        {
          label: "UndeliveredEvents",
          queue: this.stateful.undeliveredEvents,
          alarm: this.stateful.deadLetterAlarms.undeliveredEvents,
        },
        {
          label: "FailedEvents",
          queue: this.stateful.failedEvents,
          alarm: this.stateful.deadLetterAlarms.failedEvents,
        },
      ],
    });
    new CfnOutput(this, STACK_OUTPUTS.dashboardName, {
      value: this.monitoring.dashboard.dashboardName,
    });
    new CfnOutput(this, STACK_OUTPUTS.sesEventsQueueUrl, { value: sesEvents.queue.queueUrl });
    new CfnOutput(this, STACK_OUTPUTS.sesEventsDeadLettersQueueUrl, {
      value: sesEvents.deadLetters.queue.queueUrl,
    });

    Validations.of(this).acknowledge(...WORKFLOW_FUNCTION_ACKNOWLEDGEMENTS);
  }

  /**
   * record-delivery reads SES's events from a queue in batches (up to 100, or what came in 5 s):
   * one invocation records many deliveries. A record the handler reports failed
   * (`ReportBatchItemFailures`) alone becomes visible again; after 5 receives it moves to the
   * queue's own dead-letter queue, whose depth alarms. The visibility timeout is 6 × the
   * function's timeout plus the batching window, as Lambda's event source mapping advises.
   */
  private sesEventsQueue(recorder: WorkflowFunction): {
    queue: Queue;
    deadLetters: { label: string; queue: IQueue; alarm: Alarm };
  } {
    const deadLetterQueue = new Queue(this, "SesEventsDeadLetters", {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    Validations.of(deadLetterQueue).acknowledge({
      id: "AwsSolutions-SQS3",
      reason: "This queue is itself a dead-letter queue.",
    });
    const queue = new Queue(this, "SesEvents", {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(
        (recorder.timeout ?? DEFAULT_FUNCTION_TIMEOUT).toSeconds() * 6 +
          SES_EVENTS_BATCHING_WINDOW.toSeconds(),
      ),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: SES_EVENTS_MAX_RECEIVE_COUNT },
    });
    recorder.addEventSource(
      new SqsEventSource(queue, {
        batchSize: 100,
        maxBatchingWindow: SES_EVENTS_BATCHING_WINDOW,
        reportBatchItemFailures: true,
      }),
    );
    const alarm = this.stateful.onCall.notify(
      new Alarm(this, "SesEventsDeadLettersAlarm", {
        alarmDescription: `An SES event is waiting in SesEventsDeadLetters: record-delivery failed on it ${SES_EVENTS_MAX_RECEIVE_COUNT} times (DynamoDB unavailable or throttling for that long, a bug, or a message on the queue that is not an SES event), so a notice's delivery, bounce or complaint is not recorded and a bounced contact may not be suppressed. Do: read record-delivery's log group for "Record failed" (it names the SQS messageId and the error), fix the cause, then kp dead-letters --aws lists them and kp redrive --aws moves them back to the SesEvents queue (or aws sqs start-message-move-task --source-arn <SesEventsDeadLetters ARN>); recording an event twice changes nothing. Runbook: README, Operations > Runbook.`,
        metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(5),
        }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    return { queue, deadLetters: { label: "SesEventsDeadLetters", queue: deadLetterQueue, alarm } };
  }

  /**
   * The bus refuses the system's own events (`kp.workflows`) from anyone but the roles of the
   * functions whose FUNCTION_ACCESS entry publishes them: an explicit Deny in the bus's resource policy, which applies to principals of the
   * same account too (an explicit deny in any applicable policy overrides every allow).
   * Declared here, beside the roles it names, so the stateful stack does not depend on this one.
   */
  private onlyTheSystemPutsItsOwnEvents(): void {
    const statementId = "OnlyTheSystemPutsItsOwnEvents";
    const publishers = this.functions.filter((fn) =>
      accessOf(fn.node.id).publishes?.some((event) => event.source === WORKFLOWS_SOURCE),
    );
    new CfnEventBusPolicy(this, statementId, {
      eventBusName: this.stateful.eventBus.eventBusName,
      statementId,
      statement: new PolicyStatement({
        sid: statementId,
        effect: Effect.DENY,
        principals: [new StarPrincipal()],
        actions: ["events:PutEvents"],
        resources: [this.stateful.eventBus.eventBusArn],
        conditions: {
          // A PutEvents call carries every entry's source: one of ours denies the whole call.
          "ForAnyValue:StringEquals": { "events:source": [WORKFLOWS_SOURCE] },
          ArnNotEquals: { "aws:PrincipalArn": publishers.map((fn) => fn.role?.roleArn ?? "") },
        },
      }).toStatementJson(),
    });
  }

  private route(
    contractEvent: ContractEvent,
    functionId: string,
    environment: Record<string, string> = {},
  ): WorkflowFunction {
    return this.addWorkflow(
      functionId,
      contractEvent.detailType,
      { source: [contractEvent.source], detailType: [contractEvent.detailType] },
      environment,
    );
  }

  private addFunction(
    functionId: string,
    environment: Record<string, string> = {},
    options: Partial<WorkflowFunctionProps> = {},
  ): WorkflowFunction {
    const fn = new WorkflowFunction(this, functionId, {
      deadLetterQueue: this.stateful.failedEvents,
      ...options,
      environment: { TABLE_NAME: this.stateful.table.tableName, ...environment },
    });
    this.functions.push(fn);
    return fn;
  }

  /** The function as the rule's target: EventBridge's retries, then the undelivered-events DLQ. */
  private target(rule: Rule, fn: WorkflowFunction, label: string, onSystemBus: boolean): void {
    targetOf(rule, fn, this.undeliveredEvents);
    this.rules.push({
      label,
      rule,
      ...(onSystemBus ? { eventBusName: this.stateful.eventBus.eventBusName } : {}),
    });
  }

  private addWorkflow(
    functionId: string,
    label: string,
    eventPattern: EventPattern,
    environment: Record<string, string> = {},
    options: Partial<WorkflowFunctionProps> = {},
  ): WorkflowFunction {
    const fn = this.addFunction(functionId, environment, options);
    this.target(
      new Rule(this, `${functionId}-rule`, { eventBus: this.stateful.eventBus, eventPattern }),
      fn,
      label,
      true,
    );
    return fn;
  }
}
