import { App } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks } from "cdk-nag";
import { beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../infra/app.js";
import { CONTRACT_EVENTS, DETAIL_TYPES, SOURCE } from "../../shared/contract/index.js";

describe("the CDK app", () => {
  let app: App;
  let stateful: Template;
  let stateless: Template;

  beforeAll(() => {
    app = new App({ context: { eventBusName: "khartoum-process" } });
    const stacks = buildApp(app);
    stateful = Template.fromStack(stacks.stateful);
    stateless = Template.fromStack(stacks.stateless);
  });

  it("keeps the table with point-in-time recovery, deletion protection and the audience index", () => {
    stateful.hasResource("AWS::DynamoDB::Table", {
      DeletionPolicy: "Retain",
      Properties: Match.objectLike({
        BillingMode: "PAY_PER_REQUEST",
        DeletionProtectionEnabled: true,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        GlobalSecondaryIndexes: [Match.objectLike({ IndexName: "lists" })],
      }),
    });
  });

  it("names the bus khartoum-process and archives the secretariat's events but contact details", () => {
    stateful.hasResourceProperties("AWS::Events::EventBus", { Name: "khartoum-process" });
    stateful.hasResourceProperties("AWS::Events::Archive", {
      EventPattern: { source: [SOURCE], "detail-type": [{ "anything-but": ["Contact Upserted"] }] },
      RetentionDays: 365,
    });
  });

  it("takes another bus name from the eventBusName context", () => {
    const other = buildApp(new App({ context: { eventBusName: "kp-staging" } }));
    Template.fromStack(other.stateful).hasResourceProperties("AWS::Events::EventBus", {
      Name: "kp-staging",
    });
  });

  it("has two encrypted, TLS-only dead-letter queues, each with an alarm", () => {
    stateful.resourceCountIs("AWS::SQS::Queue", 2);
    stateful.allResourcesProperties("AWS::SQS::Queue", {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1209600,
    });
    stateful.resourceCountIs("AWS::CloudWatch::Alarm", 2);
    stateful.hasResourceProperties("AWS::SQS::QueuePolicy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: "sqs:SendMessage",
            Principal: { Service: "events.amazonaws.com" },
            Condition: { ArnLike: { "aws:SourceArn": Match.anyValue() } },
          }),
        ]),
      },
    });
  });

  it("routes each of the contract's seven detail-types to its function by source and detail-type", () => {
    for (const detailType of DETAIL_TYPES) {
      stateless.hasResourceProperties("AWS::Events::Rule", {
        EventPattern: { source: [SOURCE], "detail-type": [detailType] },
      });
    }
  });

  it("routes a detail-type outside the contract to the rejection recorder", () => {
    stateless.hasResourceProperties("AWS::Events::Rule", {
      EventPattern: { source: [SOURCE], "detail-type": [{ "anything-but": DETAIL_TYPES }] },
    });
    expect(DETAIL_TYPES).toHaveLength(CONTRACT_EVENTS.length);
  });

  it("gives every rule target an explicit retry policy and a dead-letter queue", () => {
    const rules = stateless.findResources("AWS::Events::Rule");
    expect(Object.keys(rules).length).toBeGreaterThanOrEqual(3);
    for (const rule of Object.values(rules)) {
      for (const target of rule.Properties.Targets) {
        expect(target.RetryPolicy).toEqual({
          MaximumRetryAttempts: 185,
          MaximumEventAgeInSeconds: 86400,
        });
        expect(target.DeadLetterConfig.Arn).toBeDefined();
      }
    }
  });

  it("runs every function on Node.js 22, arm64, with tracing, a DLQ and two async retries", () => {
    const functions = stateless.findResources("AWS::Lambda::Function");
    expect(Object.keys(functions).length).toBeGreaterThanOrEqual(3);
    for (const fn of Object.values(functions)) {
      expect(fn.Properties).toMatchObject({
        Runtime: "nodejs22.x",
        Architectures: ["arm64"],
        TracingConfig: { Mode: "Active" },
        DeadLetterConfig: { TargetArn: expect.anything() },
      });
      expect(fn.Properties.Environment.Variables).toMatchObject({
        TABLE_NAME: expect.anything(),
        POWERTOOLS_SERVICE_NAME: expect.any(String),
        NODE_OPTIONS: "--enable-source-maps",
      });
    }
    stateless.allResourcesProperties("AWS::Lambda::EventInvokeConfig", {
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 21600,
    });
  });

  it("grants the functions the table's items and only the audience index, without wildcards", () => {
    const policies = JSON.stringify(stateless.findResources("AWS::IAM::Policy"));
    expect(policies).toContain("/index/lists");
    expect(policies).not.toContain("/index/*");
  });

  it("passes cdk-nag's AwsSolutions checks, every acknowledgement with its reason", () => {
    const report = new AwsSolutionsChecks(app).validateScope(app);

    expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
    expect(report.success).toBe(true);
  });

  it("routes the system's own Notices Due events to the sender, which runs one at a time at the SES rate", () => {
    stateless.hasResourceProperties("AWS::Events::Rule", {
      EventPattern: { source: ["kp.workflows"], "detail-type": ["Notices Due"] },
    });
    stateless.hasResourceProperties("AWS::Lambda::Function", {
      ReservedConcurrentExecutions: 1,
      Timeout: 300,
      Environment: {
        Variables: Match.objectLike({
          SES_MAX_SEND_RATE: "14",
          SENDER_ADDRESS: "notices@khartoumprocess.net",
        }),
      },
    });
  });

  it("lets only the sender send email, and only as the configured identity", () => {
    const policies = Object.values(stateless.findResources("AWS::IAM::Policy"));
    const sesStatements = policies.flatMap((policy) =>
      policy.Properties.PolicyDocument.Statement.filter((statement: { Action: unknown }) =>
        JSON.stringify(statement.Action).includes("ses:"),
      ),
    );
    expect(sesStatements).toHaveLength(1);
    expect(sesStatements[0].Action).toBe("ses:SendRawEmail");
    expect(JSON.stringify(sesStatements[0].Resource)).toContain(
      "identity/notices@khartoumprocess.net",
    );
    expect(JSON.stringify(sesStatements[0].Resource)).toContain("identity/khartoumprocess.net");
  });

  it("sweeps due reminders on a schedule, with the reminder offsets from context", () => {
    stateless.hasResourceProperties("AWS::Events::Rule", { ScheduleExpression: "rate(5 minutes)" });
    stateless.hasResourceProperties("AWS::Lambda::Function", {
      Environment: { Variables: Match.objectLike({ REMINDER_OFFSETS: "P14D,P2D" }) },
    });
  });

  it("lets the meeting and Chair workflows put events on the bus", () => {
    const putEvents =
      JSON.stringify(stateless.findResources("AWS::IAM::Policy")).match(/events:PutEvents/g) ?? [];
    expect(putEvents.length).toBeGreaterThanOrEqual(6);
  });

  it("refuses a sender address that is not an email address", () => {
    expect(() => buildApp(new App({ context: { senderAddress: "secretariat" } }))).toThrow(
      "senderAddress must be an email address",
    );
  });

  it("reports what SES did with each notice through a configuration set to the default bus", () => {
    stateless.hasResourceProperties("AWS::SES::ConfigurationSetEventDestination", {
      EventDestination: Match.objectLike({
        Enabled: true,
        MatchingEventTypes: ["send", "delivery", "bounce", "complaint", "reject", "deliveryDelay"],
        EventBridgeDestination: { EventBusArn: Match.anyValue() },
      }),
    });
    stateless.hasResourceProperties("AWS::Events::Rule", {
      EventPattern: {
        source: ["aws.ses"],
        "detail-type": Match.arrayWith(["Email Bounced", "Email Complaint Received"]),
      },
    });
    stateless.hasResourceProperties("AWS::Lambda::Function", {
      Environment: { Variables: Match.objectLike({ SES_CONFIGURATION_SET: Match.anyValue() }) },
    });
  });

  it("reserves no concurrency for the sender when senderReservedConcurrency is 0 (small accounts)", () => {
    const small = buildApp(new App({ context: { senderReservedConcurrency: 0 } }));

    const functions = Template.fromStack(small.stateless).findResources("AWS::Lambda::Function");
    expect(
      Object.values(functions).filter(
        (fn) => fn.Properties.ReservedConcurrentExecutions !== undefined,
      ),
    ).toEqual([]);
  });

  it("reconciles notices on a schedule from context, and lets the reconciler put Notices Due on the bus", () => {
    const reconcilers = stateless.findResources("AWS::Lambda::Function", {
      Properties: {
        Environment: {
          Variables: Match.objectLike({ RECONCILE_AFTER: "PT10M", RECONCILE_GIVE_UP_AFTER: "P1D" }),
        },
      },
    });
    const [logicalId] = Object.keys(reconcilers);
    expect(Object.keys(reconcilers)).toHaveLength(1);
    const rules = stateless.findResources("AWS::Events::Rule", {
      Properties: {
        ScheduleExpression: "rate(5 minutes)",
        Targets: Match.arrayWith([Match.objectLike({ Arn: { "Fn::GetAtt": [logicalId, "Arn"] } })]),
      },
    });
    expect(Object.keys(rules)).toHaveLength(1);
    const policies = Object.values(stateless.findResources("AWS::IAM::Policy")).filter((policy) =>
      JSON.stringify(policy.Properties.Roles).includes(String(logicalId).slice(0, 16)),
    );
    expect(JSON.stringify(policies)).toContain("events:PutEvents");
  });

  it("takes the reconciler's rate and times from context", () => {
    const custom = buildApp(
      new App({
        context: {
          reconcileSweep: "rate(15 minutes)",
          reconcileAfter: "PT30M",
          reconcileGiveUpAfter: "P2D",
        },
      }),
    );
    const template = Template.fromStack(custom.stateless);
    template.hasResourceProperties("AWS::Events::Rule", { ScheduleExpression: "rate(15 minutes)" });
    template.hasResourceProperties("AWS::Lambda::Function", {
      Environment: {
        Variables: Match.objectLike({ RECONCILE_AFTER: "PT30M", RECONCILE_GIVE_UP_AFTER: "P2D" }),
      },
    });
    expect(() => buildApp(new App({ context: { reconcileGiveUpAfter: "a day" } }))).toThrow(
      "reconcileGiveUpAfter: a day is not a duration",
    );
  });

  it("tells the sender whether several of its environments may run at once", () => {
    stateless.hasResourceProperties("AWS::Lambda::Function", {
      Environment: { Variables: Match.objectLike({ SENDER_PARALLEL: "false" }) },
    });
    const small = buildApp(new App({ context: { senderReservedConcurrency: 0 } }));
    Template.fromStack(small.stateless).hasResourceProperties("AWS::Lambda::Function", {
      Environment: { Variables: Match.objectLike({ SENDER_PARALLEL: "true" }) },
    });
  });
});
