/**
 * A stage is one whole copy of the system in an account: its own stacks, bus, table, queues and
 * alarms. `prod` keeps the names the system had before stages existed, so a deployment made then
 * is updated in place, never replaced; any other stage adds `-<stage>` to each name it chooses.
 * The CDK app (`-c stage=staging`) and `kp --aws --stage staging` derive the names here.
 */
export const DEFAULT_STAGE = "prod";

const STAGE = /^[a-z][a-z0-9]{0,15}$/;

export class InvalidStage extends Error {
  override name = "InvalidStage";
}

/** The stage's name, checked: lower-case letters and digits, a letter first, at most 16. */
export function parseStage(value: unknown): string {
  const stage = value === undefined ? DEFAULT_STAGE : String(value);
  if (!STAGE.test(stage)) {
    throw new InvalidStage(
      `stage must be lower-case letters and digits, a letter first, at most 16 (e.g. staging), not ${stage}`,
    );
  }
  return stage;
}

/** A name of the prod stage as it is, of any other stage with `-<stage>` after it. */
export function stageName(name: string, stage: string): string {
  return stage === DEFAULT_STAGE ? name : `${name}-${stage}`;
}

/** The stacks of a stage, by role. */
export function stackNames(stage: string) {
  return {
    stateful: stageName("KpStateful", stage),
    stateless: stageName("KpStateless", stage),
    rsvp: stageName("KpRsvp", stage),
    receiving: stageName("KpReceiving", stage),
    console: stageName("KpConsole", stage),
  };
}

/** The reply address of a stage: `rsvp@x.org` in prod, `rsvp-staging@x.org` in staging. */
export function stageAddress(address: string, stage: string): string {
  const at = address.lastIndexOf("@");
  if (at < 0) return address;
  return `${stageName(address.slice(0, at), stage)}${address.slice(at)}`;
}

/**
 * The outputs of a stage's stacks that ops tools read (`kp --aws --stage`): the CfnOutput ids of
 * KpStateful and KpStateless, so the stacks and the CLI cannot drift apart.
 */
export const STACK_OUTPUTS = {
  stage: "Stage",
  tableName: "TableName",
  eventBusName: "EventBusName",
  /** A replay's destination (StartReplay names the bus by ARN). */
  eventBusArn: "EventBusArn",
  undeliveredEventsQueueUrl: "UndeliveredEventsQueueUrl",
  failedEventsQueueUrl: "FailedEventsQueueUrl",
  /** SES's events on their way to record-delivery (KpStateless), and their dead-letter queue. */
  sesEventsQueueUrl: "SesEventsQueueUrl",
  sesEventsDeadLettersQueueUrl: "SesEventsDeadLettersQueueUrl",
  archiveName: "ArchiveName",
  archiveArn: "ArchiveArn",
  alarmTopicArn: "AlarmTopicArn",
  dashboardName: "DashboardName",
} as const;

export type StackOutputName = keyof typeof STACK_OUTPUTS;
