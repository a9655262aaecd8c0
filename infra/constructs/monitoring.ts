import { Duration } from "aws-cdk-lib";
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from "aws-cdk-lib/aws-cloudwatch";
import type { Rule } from "aws-cdk-lib/aws-events";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import {
  EVENTS_REJECTED_METRIC,
  METRICS_NAMESPACE,
  NOTICES_FAILED_METRIC,
  NOTICES_GIVEN_UP_METRIC,
  NOTICES_SENT_METRIC,
  NOTICES_SKIPPED_METRIC,
  NOTICES_SUPPRESSED_METRIC,
} from "../../shared/platform/metrics.js";
import type { OnCall } from "./on-call.js";
import type { WorkflowFunction } from "./workflow-function.js";

/** A rule and what it carries, for the dashboard. */
export interface RoutedRule {
  label: string;
  rule: Rule;
  /** The custom bus the rule is on; undefined for the default bus (schedules, SES events). */
  eventBusName?: string;
}

export interface MonitoringProps {
  onCall: OnCall;
  functions: readonly WorkflowFunction[];
  sender: WorkflowFunction;
  sweep: WorkflowFunction;
  rules: readonly RoutedRule[];
  deadLetterQueues: readonly { label: string; queue: IQueue; alarm: Alarm }[];
}

/** The function whose `NoticesGivenUp` says a notice's recipients were never all handed over. */
export const RECONCILER_FUNCTION = "reconcile-notices";
export const SES_BOUNCE_RATE_THRESHOLD = 0.02;
export const SES_COMPLAINT_RATE_THRESHOLD = 0.0005;
const FIVE_MINUTES = Duration.minutes(5);
const RUNBOOK = "Runbook: README, Operations > Runbook.";

/** Every function's custom metric of one name, whatever its dimensions, summed. */
function customTotal(metricName: string, label: string): MathExpression {
  return new MathExpression({
    expression: `SUM(SEARCH('Namespace="${METRICS_NAMESPACE}" MetricName="${metricName}"', 'Sum', 300))`,
    usingMetrics: {},
    label,
    period: FIVE_MINUTES,
  });
}

function ses(metricName: string, label?: string, statistic = "Sum"): Metric {
  return new Metric({
    namespace: "AWS/SES",
    metricName,
    statistic,
    period: FIVE_MINUTES,
    ...(label === undefined ? {} : { label }),
  });
}

/** An SES account reputation rate (0–1), as its alarm reads it: the worst of 15 minutes. */
function sesRate(metricName: string): Metric {
  return ses(metricName, undefined, "Maximum").with({ period: Duration.minutes(15) });
}

/**
 * The alarms that reach a person (each description says what it means and what to do) and the
 * dashboard an on-call engineer reads in ten seconds: alarms first, then the flow from the bus
 * to the inboxes, then what is stuck.
 */
export class Monitoring extends Construct {
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { onCall } = props;
    const alarm = (created: Alarm) => {
      this.alarms.push(onCall.notify(created));
      return created;
    };

    for (const fn of props.functions) {
      const name = fn.node.id;
      alarm(
        new Alarm(this, `${name}-errors`, {
          alarmDescription: `${name} keeps failing: invocations ended in an error in 2 of the last 3 five-minute periods. Lambda retries an event twice, then puts it in the FailedEvents dead-letter queue. Do: read the function's log group for "Workflow failed" and its error; if DynamoDB or SES was throttling or unavailable it clears itself; if it is a bug, fix it, deploy, then put the dead letters back on the bus (the workflows are idempotent). ${RUNBOOK}`,
          metric: fn.metricErrors({ period: FIVE_MINUTES, statistic: "Sum" }),
          threshold: 0,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 3,
          datapointsToAlarm: 2,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }

    alarm(
      new Alarm(this, "SenderThrottled", {
        alarmDescription: `send-notices has been throttled in every five-minute period for 30 minutes: chunks of notices are waiting in Lambda's asynchronous queue (kept up to 6 hours, then sent to FailedEvents) because the sender runs one at a time at sesMaxSendRate. A burst after a large meeting clears by itself; lasting throttling means the backlog grows. Do: compare the sender's Duration with its timeout, check the SES quota (aws sesv2 get-account: SendQuota.MaxSendRate); if SES raised the rate, deploy with -c sesMaxSendRate=<new rate>; redrive FailedEvents if chunks aged out. ${RUNBOOK}`,
        metric: props.sender.metricThrottles({ period: FIVE_MINUTES, statistic: "Sum" }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 6,
        datapointsToAlarm: 6,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );

    alarm(
      new Alarm(this, "NoticesGivenUp", {
        alarmDescription: `The reconciler (${RECONCILER_FUNCTION}) gave up on a notice: some of its recipients were never handed to the sender after its retries, so they will not receive it unless someone acts. Do: find the notice id in the reconciler's log group, see who has no record with kp meetings show <meetingId> --aws --table <table>, fix the cause (errors of the meeting workflows or the sender, a full DLQ), then hand the notice over again as the reconciler's runbook entry says. ${RUNBOOK}`,
        metric: new Metric({
          namespace: METRICS_NAMESPACE,
          metricName: NOTICES_GIVEN_UP_METRIC,
          // Powertools Metrics' default dimension: the function's POWERTOOLS_SERVICE_NAME.
          dimensionsMap: { service: RECONCILER_FUNCTION },
          statistic: "Sum",
          period: FIVE_MINUTES,
        }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );

    const bounceRate = ses("Reputation.BounceRate", "bounce rate", "Maximum");
    const complaintRate = ses("Reputation.ComplaintRate", "complaint rate", "Maximum");
    alarm(
      new Alarm(this, "SesBounceRate", {
        alarmDescription: `The SES account's bounce rate is above 2 % (SES reviews an account at 5 % and may pause its sending at 10 %). Addresses in the contact list are wrong or no longer exist. Do: kp contacts list --aws --table <table> shows the suppressed contacts and why; correct each address with a Contact Upserted or remove contacts who left; check the last CSV import for typos; send nothing large until the rate falls. ${RUNBOOK}`,
        metric: sesRate("Reputation.BounceRate"),
        threshold: SES_BOUNCE_RATE_THRESHOLD,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    alarm(
      new Alarm(this, "SesComplaintRate", {
        alarmDescription: `The SES account's complaint rate is above 0.05 % (SES reviews an account at 0.1 % and may pause its sending at 0.5 %). Recipients mark the notices as spam. Do: find which notices (kp meetings show <meetingId> --aws --table <table>: delivery "complaint"); make sure only the secretariat's contacts receive them and that they recognise the sender name; the complainants are already suppressed: remove those who should no longer receive notices. ${RUNBOOK}`,
        metric: sesRate("Reputation.ComplaintRate"),
        threshold: SES_COMPLAINT_RATE_THRESHOLD,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );

    const ruleMetric = (metricName: string, routed: RoutedRule): IMetric =>
      new Metric({
        namespace: "AWS/Events",
        metricName,
        dimensionsMap:
          routed.eventBusName === undefined
            ? { RuleName: routed.rule.ruleName }
            : { EventBusName: routed.eventBusName, RuleName: routed.rule.ruleName },
        statistic: "Sum",
        period: FIVE_MINUTES,
        label: routed.label,
      });
    const perFunction = (make: (fn: WorkflowFunction) => IMetric) => props.functions.map(make);

    this.dashboard = new Dashboard(this, "Dashboard", {
      defaultInterval: Duration.hours(24),
      widgets: [
        [
          new TextWidget({
            markdown:
              "# Khartoum Process notifications\nRed above: an alarm; its description says what to do (README, Operations > Runbook). Then, left to right: what came in, what was sent, what is stuck.",
            width: 24,
            height: 2,
          }),
        ],
        [
          new AlarmStatusWidget({
            title: "Alarms",
            alarms: [...props.deadLetterQueues.map((dlq) => dlq.alarm), ...this.alarms],
            width: 24,
            height: 4,
          }),
        ],
        [
          new GraphWidget({
            title: "Events put, by detail-type (matched by their rule)",
            left: props.rules.map((routed) => ruleMetric("MatchedEvents", routed)),
            stacked: true,
            width: 8,
          }),
          new GraphWidget({
            title: "Deliveries to the functions (failed: after every retry)",
            left: props.rules.map((routed) => ruleMetric("Invocations", routed)),
            right: props.rules.map((routed) => ruleMetric("FailedInvocations", routed)),
            width: 8,
          }),
          new GraphWidget({
            title: "Rejected events and notices",
            left: [
              customTotal(NOTICES_SENT_METRIC, "notices sent"),
              customTotal(NOTICES_SKIPPED_METRIC, "notices skipped"),
              customTotal(NOTICES_FAILED_METRIC, "notices failed"),
              customTotal(NOTICES_SUPPRESSED_METRIC, "notices suppressed"),
            ],
            right: [customTotal(EVENTS_REJECTED_METRIC, "events rejected")],
            width: 8,
          }),
        ],
        [
          new GraphWidget({
            title: "SES: sent, delivered, bounced, complaints",
            left: [
              ses("Send", "sent"),
              ses("Delivery", "delivered"),
              ses("Bounce", "bounced"),
              ses("Complaint", "complaints"),
            ],
            width: 12,
          }),
          new GraphWidget({
            title: "SES reputation (alarms at 2 % and 0.05 %)",
            left: [bounceRate],
            right: [complaintRate],
            leftAnnotations: [{ value: SES_BOUNCE_RATE_THRESHOLD, label: "bounce alarm" }],
            rightAnnotations: [{ value: SES_COMPLAINT_RATE_THRESHOLD, label: "complaint alarm" }],
            width: 12,
          }),
        ],
        [
          new GraphWidget({
            title: "Dead letters waiting",
            left: props.deadLetterQueues.map((dlq) =>
              dlq.queue.metricApproximateNumberOfMessagesVisible({
                period: FIVE_MINUTES,
                statistic: "Maximum",
                label: dlq.label,
              }),
            ),
            width: 6,
          }),
          new GraphWidget({
            title: "Function errors",
            left: perFunction((fn) =>
              fn.metricErrors({ period: FIVE_MINUTES, statistic: "Sum", label: fn.node.id }),
            ),
            stacked: true,
            width: 6,
          }),
          new GraphWidget({
            title: "Function durations (maximum)",
            left: perFunction((fn) =>
              fn.metricDuration({ period: FIVE_MINUTES, statistic: "Maximum", label: fn.node.id }),
            ),
            width: 6,
          }),
          new GraphWidget({
            title: "Reminder sweep duration, sender throttles",
            left: [
              props.sweep.metricDuration({
                period: FIVE_MINUTES,
                statistic: "Maximum",
                label: "sweep duration (max)",
              }),
            ],
            right: [
              props.sender.metricThrottles({
                period: FIVE_MINUTES,
                statistic: "Sum",
                label: "sender throttles",
              }),
            ],
            width: 6,
          }),
        ],
      ],
    });
  }
}
