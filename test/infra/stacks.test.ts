import { App } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks } from "cdk-nag";
import { beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../infra/app.js";
import { accessOf, MissingFunctionAccess } from "../../infra/function-access.js";
import { matchesEventPattern } from "../../local/event-pattern.js";
import { PERSONAL_FIELDS } from "../../shared/contract/contact-upserted.js";
import { CONTRACT_EVENTS, DETAIL_TYPES, SOURCE } from "../../shared/contract/index.js";
import { NoticesDueEvent, WORKFLOWS_SOURCE } from "../../shared/contract/internal.js";
import { ERIKA_DETAIL, SOM9_DETAIL } from "../support/examples.js";

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** The table's ARN as the stateless stack imports it from the stateful one. */
const TABLE_ARN = { "Fn::ImportValue": "KpStateful:ExportsOutputFnGetAttTableCD117FA1ArnE2C8C204" };

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

  /** The logical id of a function's role, found by the function's service name. */
  function roleOf(functionId: string): string {
    const fn = Object.values(stateless.findResources("AWS::Lambda::Function")).find(
      (resource) =>
        resource.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME === functionId,
    );
    if (fn === undefined) throw new Error(`No function ${functionId} in the template`);
    return fn.Properties.Role["Fn::GetAtt"][0];
  }

  function statementsOf(functionId: string): Statement[] {
    const role = roleOf(functionId);
    return Object.values(stateless.findResources("AWS::IAM::Policy"))
      .filter((policy) => policy.Properties.Roles.some((ref: { Ref?: string }) => ref.Ref === role))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
  }

  function dynamoStatementsOf(functionId: string): Statement[] {
    return statementsOf(functionId).filter((statement) =>
      JSON.stringify(statement.Action).includes("dynamodb:"),
    );
  }

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

  it("names the bus khartoum-process and archives the secretariat's events for a year", () => {
    stateful.hasResourceProperties("AWS::Events::EventBus", { Name: "khartoum-process" });
    stateful.hasResourceProperties("AWS::Events::Archive", {
      EventPattern: Match.objectLike({ source: [SOURCE] }),
      RetentionDays: 365,
    });
  });

  it("never archives an event whose detail has a name or an email, whatever its detail-type", () => {
    // Prepare
    const [archive] = Object.values(stateful.findResources("AWS::Events::Archive"));
    const pattern = archive?.Properties.EventPattern;
    const event = (detailType: string, detail: unknown) => ({
      version: "0",
      id: "7c0f4a2e-8e1b-4a55-9f3b-2b9b1c1f0a11",
      "detail-type": detailType,
      source: SOURCE,
      account: "123456789012",
      time: "2027-03-01T09:00:00Z",
      region: "eu-west-1",
      resources: [],
      detail,
    });

    // Act
    const archived = {
      contactUpserted: matchesEventPattern(pattern, event("Contact Upserted", ERIKA_DETAIL)),
      misspelledWithEmail: matchesEventPattern(
        pattern,
        event("Contact upserted", { contactId: "de-focal-point-1", email: ERIKA_DETAIL.email }),
      ),
      unknownWithName: matchesEventPattern(
        pattern,
        event("Delegate Registered", { name: ERIKA_DETAIL.name }),
      ),
      meetingScheduled: matchesEventPattern(pattern, event("Meeting Scheduled", SOM9_DETAIL)),
      contactRemoved: matchesEventPattern(
        pattern,
        event("Contact Removed", { contactId: "de-focal-point-1" }),
      ),
    };

    // Assess
    expect(PERSONAL_FIELDS).toEqual(["name", "email"]);
    expect(SOM9_DETAIL.venue.name).toBeDefined(); // a venue's name is not a person's
    expect(archived).toEqual({
      contactUpserted: false,
      misspelledWithEmail: false,
      unknownWithName: false,
      meetingScheduled: true,
      contactRemoved: true,
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

  it("lets only the sender send email, and only as the configured From address", () => {
    const policies = Object.values(stateless.findResources("AWS::IAM::Policy"));
    const sesStatements = policies.flatMap((policy) =>
      policy.Properties.PolicyDocument.Statement.filter((statement: { Action: unknown }) =>
        JSON.stringify(statement.Action).includes("ses:"),
      ),
    );
    expect(sesStatements).toHaveLength(1);
    expect(sesStatements[0].Action).toBe("ses:SendRawEmail");
    expect(sesStatements[0].Condition).toEqual({
      StringEquals: { "ses:FromAddress": "notices@khartoumprocess.net" },
    });
    expect(JSON.stringify(sesStatements[0].Resource)).toContain(
      "identity/notices@khartoumprocess.net",
    );
    expect(JSON.stringify(sesStatements[0].Resource)).toContain("identity/khartoumprocess.net");
    expect(statementsOf("send-notices")).toContainEqual(sesStatements[0]);
  });

  it("lets no one but the functions that hand notices over put the system's own events on the bus", () => {
    const policies = Object.values(stateless.findResources("AWS::Events::EventBusPolicy"));
    expect(policies).toHaveLength(1);
    const statement = policies[0]?.Properties.Statement;
    expect(statement).toMatchObject({
      Sid: "OnlyTheSystemPutsItsOwnEvents",
      Effect: "Deny",
      Principal: "*",
      Action: "events:PutEvents",
      Condition: { "ForAnyValue:StringEquals": { "events:source": [WORKFLOWS_SOURCE] } },
    });
    expect(policies[0]?.Properties.StatementId).toBe("OnlyTheSystemPutsItsOwnEvents");
    const allowed = statement.Condition.ArnNotEquals["aws:PrincipalArn"];
    expect(allowed).toEqual(
      [
        "meeting-scheduled",
        "meeting-rescheduled",
        "meeting-cancelled",
        "chair-designated",
        "chair-handover",
        "send-due-reminders",
      ].map((functionId) => ({ "Fn::GetAtt": [roleOf(functionId), "Arn"] })),
    );
  });

  it("lets a function put only Notices Due of kp.workflows, and only the functions that hand notices over", () => {
    const putEvents = (functionId: string) =>
      statementsOf(functionId).filter((statement) => statement.Action === "events:PutEvents");

    expect(putEvents("meeting-scheduled")).toEqual([
      {
        Effect: "Allow",
        Action: "events:PutEvents",
        Resource: expect.anything(),
        Condition: {
          "ForAllValues:StringEquals": {
            "events:source": [WORKFLOWS_SOURCE],
            "events:detail-type": [NoticesDueEvent.detailType],
          },
        },
      },
    ]);
    for (const functionId of ["contact-upserted", "send-notices", "record-delivery"]) {
      expect(putEvents(functionId)).toEqual([]);
    }
  });

  it("gives each function's role only the table operations it uses, on the partitions it touches", () => {
    const table = (actions: string[], partitions: string[]) => ({
      Effect: "Allow",
      Action: actions.length === 1 ? actions[0] : actions,
      Resource: TABLE_ARN,
      Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": partitions } },
    });
    const lists = (partitions: string[]) => ({
      Effect: "Allow",
      Action: "dynamodb:Query",
      Resource: { "Fn::Join": ["", [TABLE_ARN, "/index/lists"]] },
      Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": partitions } },
    });
    const rejections = table(
      ["dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"],
      ["REJECTED"],
    );

    expect(dynamoStatementsOf("contact-upserted")).toEqual([
      rejections,
      table(["dynamodb:GetItem", "dynamodb:PutItem"], ["CONTACT#*"]),
    ]);
    expect(dynamoStatementsOf("send-notices")).toEqual([
      rejections,
      table(["dynamodb:GetItem", "dynamodb:BatchGetItem"], ["CONTACT#*"]),
      table(
        ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
        ["MEETING#*", "CHAIR"],
      ),
      table(["dynamodb:PutItem"], ["MESSAGE#*"]),
    ]);
    expect(dynamoStatementsOf("send-due-reminders")).toEqual([
      table(["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"], ["MEETING#*"]),
      lists(["REMINDERS", "AUDIENCE#*"]),
    ]);
    expect(dynamoStatementsOf("record-delivery")).toEqual([
      rejections,
      table(["dynamodb:GetItem", "dynamodb:UpdateItem"], ["CONTACT#*"]),
      table(["dynamodb:GetItem"], ["MESSAGE#*"]),
      table(["dynamodb:UpdateItem"], ["MEETING#*", "CHAIR"]),
    ]);
  });

  it("grants no function a table operation without a partition condition, nor Scan or batch writes", () => {
    const statements = Object.values(stateless.findResources("AWS::IAM::Policy")).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as Statement[],
    );
    const dynamo = statements.filter((statement) =>
      JSON.stringify(statement.Action).includes("dynamodb:"),
    );

    expect(dynamo.length).toBeGreaterThanOrEqual(11);
    for (const statement of dynamo) {
      expect(statement.Condition?.["ForAllValues:StringLike"]?.["dynamodb:LeadingKeys"]).toEqual(
        expect.arrayContaining([expect.any(String)]),
      );
      expect(JSON.stringify(statement.Action)).not.toMatch(/Scan|BatchWriteItem|\*/);
    }
  });

  it("refuses a function that has no entry in FUNCTION_ACCESS, and has one for reconcile-notices", () => {
    expect(() => accessOf("export-everything")).toThrow(MissingFunctionAccess);
    expect(accessOf("reconcile-notices")).toMatchObject({
      lists: ["OPEN_NOTICES"],
      publishes: [{ source: WORKFLOWS_SOURCE, detailType: NoticesDueEvent.detailType }],
    });
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
});
