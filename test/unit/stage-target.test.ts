import {
  CloudFormationClient,
  CloudFormationServiceException,
  DescribeStacksCommand,
} from "@aws-sdk/client-cloudformation";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resolveStageTarget, type Target, UsageError } from "../../cli/target.js";

const cloudFormation = mockClient(CloudFormationClient);

const QUEUE = "https://sqs.eu-central-1.amazonaws.com/123456789012";

function stackOf(name: string, outputs: Record<string, string>) {
  return {
    Stacks: [
      {
        StackName: name,
        StackStatus: "UPDATE_COMPLETE" as const,
        CreationTime: new Date("2026-11-01T00:00:00Z"),
        Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({
          OutputKey,
          OutputValue,
        })),
      },
    ],
  };
}

function notFound(name: string) {
  return new CloudFormationServiceException({
    name: "ValidationError",
    $fault: "client",
    $metadata: {},
    message: `Stack with id ${name} does not exist`,
  });
}

describe("kp --aws --stage: the stage's names from its stacks' outputs", () => {
  let resolved: Target | undefined;

  beforeEach(() => {
    cloudFormation.reset();
    cloudFormation.on(DescribeStacksCommand, { StackName: "KpStateful-staging" }).resolves(
      stackOf("KpStateful-staging", {
        TableName: "KpStateful-staging-TableCD117FA1-STAGING",
        EventBusName: "khartoum-process-staging",
        EventBusArn: "arn:aws:events:eu-central-1:123456789012:event-bus/khartoum-process-staging",
        Stage: "staging",
        UndeliveredEventsQueueUrl: `${QUEUE}/KpStateful-staging-UndeliveredEvents`,
        FailedEventsQueueUrl: `${QUEUE}/KpStateful-staging-FailedEvents`,
        ArchiveName: "BusArchive-staging",
        ArchiveArn: "arn:aws:events:eu-central-1:123456789012:archive/BusArchive-staging",
        AlarmTopicArn: "arn:aws:sns:eu-central-1:123456789012:KpStateful-staging-OnCallAlarms",
      }),
    );
    cloudFormation
      .on(DescribeStacksCommand, { StackName: "KpStateless-staging" })
      .resolves(stackOf("KpStateless-staging", { DashboardName: "MonitoringDashboard-staging" }));
    cloudFormation.on(DescribeStacksCommand, { StackName: "KpStateful" }).resolves(
      stackOf("KpStateful", {
        TableName: "KpStateful-TableCD117FA1-PROD",
        EventBusName: "khartoum-process",
      }),
    );
    cloudFormation
      .on(DescribeStacksCommand, { StackName: "KpStateless" })
      .resolves(stackOf("KpStateless", {}));
  });

  afterEach(() => {
    resolved?.eventBridge.destroy();
    resolved?.dynamodb.destroy();
    resolved = undefined;
  });

  it("reads staging's bus, table, queues, archive, topic and dashboard from KpStateful-staging and KpStateless-staging", async () => {
    // Act
    resolved = await resolveStageTarget(
      { aws: true, stage: "staging", region: "eu-central-1" },
      new CloudFormationClient({ region: "eu-central-1" }),
    );

    // Assess
    expect(resolved.kind).toBe("aws");
    expect(resolved.stage).toBe("staging");
    expect(resolved.eventBusName).toBe("khartoum-process-staging");
    expect(resolved.tableName()).toBe("KpStateful-staging-TableCD117FA1-STAGING");
    expect(resolved.outputs).toEqual({
      stage: "staging",
      tableName: "KpStateful-staging-TableCD117FA1-STAGING",
      eventBusName: "khartoum-process-staging",
      eventBusArn: "arn:aws:events:eu-central-1:123456789012:event-bus/khartoum-process-staging",
      undeliveredEventsQueueUrl: `${QUEUE}/KpStateful-staging-UndeliveredEvents`,
      failedEventsQueueUrl: `${QUEUE}/KpStateful-staging-FailedEvents`,
      archiveName: "BusArchive-staging",
      archiveArn: "arn:aws:events:eu-central-1:123456789012:archive/BusArchive-staging",
      alarmTopicArn: "arn:aws:sns:eu-central-1:123456789012:KpStateful-staging-OnCallAlarms",
      dashboardName: "MonitoringDashboard-staging",
    });
    expect(
      cloudFormation.commandCalls(DescribeStacksCommand).map((call) => call.args[0].input),
    ).toEqual([{ StackName: "KpStateful-staging" }, { StackName: "KpStateless-staging" }]);
  });

  it("lets an explicit --table and --bus win over the outputs", async () => {
    // Act
    resolved = await resolveStageTarget(
      { aws: true, stage: "staging", table: "my-table", bus: "my-bus" },
      new CloudFormationClient({ region: "eu-central-1" }),
    );

    // Assess
    expect(resolved.tableName()).toBe("my-table");
    expect(resolved.eventBusName).toBe("my-bus");
    expect(resolved.outputs.failedEventsQueueUrl).toBe(`${QUEUE}/KpStateful-staging-FailedEvents`);
  });

  it("reads prod's names from KpStateful when no stage is named", async () => {
    // Act
    resolved = await resolveStageTarget(
      { aws: true },
      new CloudFormationClient({ region: "eu-central-1" }),
    );

    // Assess
    expect(resolved.stage).toBe("prod");
    expect(resolved.tableName()).toBe("KpStateful-TableCD117FA1-PROD");
    expect(resolved.eventBusName).toBe("khartoum-process");
  });

  it("refuses a named stage that is not deployed, saying which stacks it looked for", async () => {
    // Prepare
    cloudFormation
      .on(DescribeStacksCommand, { StackName: "KpStateful-test" })
      .rejects(notFound("KpStateful-test"));

    // Act
    const attempt = resolveStageTarget(
      { aws: true, stage: "test" },
      new CloudFormationClient({ region: "eu-central-1" }),
    );

    // Assess
    await expect(attempt).rejects.toThrow(UsageError);
    await expect(attempt).rejects.toThrow(
      /KpStateful-test, KpStateless-test.*does not exist.*--table and --bus/,
    );
  });

  it("falls back, for prod, to the default bus and KP_TABLE_NAME when the stacks cannot be read (no DescribeStacks permission)", async () => {
    // Prepare
    cloudFormation
      .on(DescribeStacksCommand, { StackName: "KpStateful" })
      .rejects(notFound("KpStateful"));
    process.env.KP_TABLE_NAME = "from-the-environment";

    try {
      // Act
      resolved = await resolveStageTarget(
        { aws: true },
        new CloudFormationClient({ region: "eu-central-1" }),
      );

      // Assess
      expect(resolved.eventBusName).toBe("khartoum-process");
      expect(resolved.tableName()).toBe("from-the-environment");
      expect(resolved.outputs).toEqual({});
    } finally {
      delete process.env.KP_TABLE_NAME;
    }
    // Without KP_TABLE_NAME, asking for the table says why the outputs were not read.
    const bare = await resolveStageTarget(
      { aws: true },
      new CloudFormationClient({ region: "eu-central-1" }),
    );
    expect(() => bare.tableName()).toThrow(
      /could not be read \(Stack with id KpStateful does not exist\)/,
    );
    bare.eventBridge.destroy();
    bare.dynamodb.destroy();
  });

  it("refuses a stage name that cannot be a stack's, and --stage without --aws", async () => {
    await expect(resolveStageTarget({ aws: true, stage: "Staging!" })).rejects.toThrow(UsageError);
    await expect(resolveStageTarget({ stage: "staging" })).rejects.toThrow(/use it with --aws/);
    expect(cloudFormation.commandCalls(DescribeStacksCommand)).toHaveLength(0);
  });
});
