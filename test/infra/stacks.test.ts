import { App } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks } from "cdk-nag";
import { beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../infra/app.js";
import { accessOf, MissingFunctionAccess } from "../../infra/function-access.js";
import { InvalidSetting, readSettings } from "../../infra/settings.js";
import { StatefulStack } from "../../infra/stateful-stack.js";
import { matchesEventPattern } from "../../local/event-pattern.js";
import { PERSONAL_FIELDS } from "../../shared/contract/contact-upserted.js";
import { CONTRACT_EVENTS, DETAIL_TYPES, SOURCE } from "../../shared/contract/index.js";
import { NoticesDueEvent, WORKFLOWS_SOURCE } from "../../shared/contract/internal.js";
import { METRICS_NAMESPACE, NOTICES_GIVEN_UP_METRIC } from "../../shared/platform/metrics.js";
import { ERIKA_DETAIL, SOM9_DETAIL } from "../support/examples.js";

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

const ALARM_EMAILS = ["duty-officer@example.org", "ops@example.org"];

/**
 * CDK context that bundles no function (NodejsFunction leaves its asset empty): for the apps
 * built only to read a setting's effect on the template. The main app bundles every function.
 */
const NO_BUNDLING = { "aws:cdk:bundling-stacks": [] };

/** The stateful stack alone (no functions to bundle), for the settings that only it reads. */
function statefulWith(context: Record<string, unknown>): Template {
  const app = new App({ context });
  return Template.fromStack(
    new StatefulStack(app, "KpStateful", { settings: readSettings(app.node) }),
  );
}

/** The table's ARN as the stateless stack imports it from the stateful one. */
const TABLE_ARN = { "Fn::ImportValue": "KpStateful:ExportsOutputFnGetAttTableCD117FA1ArnE2C8C204" };

describe("the CDK app", () => {
  let app: App;
  let stateful: Template;
  let stateless: Template;

  beforeAll(() => {
    app = new App({ context: { eventBusName: "khartoum-process", alarmEmails: ALARM_EMAILS } });
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
        // Only the lists: a notice record (one per email) is in no index, so it costs no index write.
        GlobalSecondaryIndexes: [
          Match.objectLike({ IndexName: "lists", Projection: { ProjectionType: "ALL" } }),
        ],
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

  it("prints the archive's name and both dead-letter queues' URLs, for kp replay and kp redrive", () => {
    const outputs = stateful.findOutputs("*");
    const [archiveId] = Object.keys(stateful.findResources("AWS::Events::Archive"));
    const queueIds = Object.keys(stateful.findResources("AWS::SQS::Queue"));

    expect(outputs.ArchiveName?.Value).toEqual({ Ref: archiveId });
    expect(outputs.FailedEventsQueueUrl?.Value).toEqual({
      Ref: queueIds.find((id) => id.startsWith("FailedEvents")),
    });
    expect(outputs.UndeliveredEventsQueueUrl?.Value).toEqual({
      Ref: queueIds.find((id) => id.startsWith("UndeliveredEvents")),
    });
  });

  it("prints the SES events queue's and its dead-letter queue's URLs, for kp dead-letters, redrive and status", () => {
    const outputs = stateless.findOutputs("*");
    const queueIds = Object.keys(stateless.findResources("AWS::SQS::Queue"));

    expect(outputs.SesEventsDeadLettersQueueUrl?.Value).toEqual({
      Ref: queueIds.find((id) => id.startsWith("SesEventsDeadLetters")),
    });
    expect(outputs.SesEventsQueueUrl?.Value).toEqual({
      Ref: queueIds.find((id) => /^SesEvents(?!DeadLetters)/.test(id)),
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
    const other = buildApp(new App({ context: { ...NO_BUNDLING, eventBusName: "kp-staging" } }));
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
          REPLY_TO_ADDRESS: "secretariat@khartoumprocess.net",
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
        "contact-upserted",
        "meeting-scheduled",
        "meeting-rescheduled",
        "meeting-cancelled",
        "chair-designated",
        "chair-handover",
        "send-due-reminders",
        "reconcile-notices",
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
    // A late joiner's invitation is handed over by contact-upserted.
    expect(putEvents("contact-upserted")).toEqual(putEvents("meeting-scheduled"));
    for (const functionId of ["contact-removed", "send-notices", "record-delivery"]) {
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
      table(["dynamodb:GetItem"], ["MEETING#*"]),
      lists(["MEETINGS"]),
    ]);
    expect(dynamoStatementsOf("send-notices")).toEqual([
      rejections,
      table(["dynamodb:GetItem", "dynamodb:BatchGetItem"], ["CONTACT#*"]),
      table(
        ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
        ["MEETING#*", "CHAIR"],
      ),
    ]);
    expect(dynamoStatementsOf("send-due-reminders")).toEqual([
      table(
        [
          "dynamodb:GetItem",
          "dynamodb:Query",
          "dynamodb:PutItem",
          "dynamodb:DeleteItem",
          "dynamodb:BatchWriteItem",
        ],
        ["MEETING#*"],
      ),
      lists(["REMINDERS", "AUDIENCE#*"]),
    ]);
    expect(dynamoStatementsOf("record-delivery")).toEqual([
      rejections,
      table(["dynamodb:GetItem", "dynamodb:UpdateItem"], ["CONTACT#*"]),
      table(["dynamodb:GetItem"], ["MESSAGE#*"]),
      table(["dynamodb:UpdateItem"], ["MEETING#*", "CHAIR"]),
    ]);
  });

  it("grants no function a table operation without a partition condition, nor Scan, and batch writes only for notice chunks", () => {
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
      expect(JSON.stringify(statement.Action)).not.toMatch(/Scan|\*/);
      if (JSON.stringify(statement.Action).includes("BatchWriteItem")) {
        // Recipient chunks live under their notice's subject: a meeting's partition or the Chair's.
        const partitions = statement.Condition?.["ForAllValues:StringLike"]?.[
          "dynamodb:LeadingKeys"
        ] as string[];
        for (const partition of partitions) expect(["MEETING#*", "CHAIR"]).toContain(partition);
      }
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

  it("refuses a sender or Reply-To address that is not an email address", () => {
    expect(() =>
      buildApp(new App({ context: { ...NO_BUNDLING, senderAddress: "secretariat" } })),
    ).toThrow("senderAddress must be an email address");
    expect(() =>
      buildApp(new App({ context: { ...NO_BUNDLING, replyToAddress: "secretariat" } })),
    ).toThrow("replyToAddress must be an email address");
  });

  it("reports what SES did with each notice through a configuration set to the default bus", () => {
    stateless.hasResourceProperties("AWS::SES::ConfigurationSetEventDestination", {
      EventDestination: Match.objectLike({
        Enabled: true,
        MatchingEventTypes: ["delivery", "bounce", "complaint", "reject", "deliveryDelay"],
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

  it("queues SES's events for record-delivery, which reads them in batches with partial failure", () => {
    const queues = stateless.findResources("AWS::SQS::Queue");
    expect(Object.keys(queues)).toHaveLength(2);
    const [queueId, queue] = Object.entries(queues).find(
      ([, candidate]) => candidate.Properties.RedrivePolicy !== undefined,
    ) ?? ["", undefined];
    const deadLetterId = Object.keys(queues).find((id) => id !== queueId) ?? "";
    for (const each of Object.values(queues)) {
      expect(each.Properties.SqsManagedSseEnabled).toBe(true);
    }
    expect(queue?.Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { "Fn::GetAtt": [deadLetterId, "Arn"] },
      maxReceiveCount: 5,
    });
    // At least 6 × record-delivery's 30 s timeout.
    expect(queue?.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(180);
    stateless.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      EventSourceArn: { "Fn::GetAtt": [queueId, "Arn"] },
      FunctionName: { Ref: Match.stringLikeRegexp("^recorddelivery") },
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 5,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
    });
    // The rule that keeps only this configuration set's events targets the queue, not the function.
    const sesRules = Object.values(stateless.findResources("AWS::Events::Rule")).filter(
      (rule) => rule.Properties.EventPattern?.source?.[0] === "aws.ses",
    );
    expect(sesRules).toHaveLength(1);
    expect(sesRules[0]?.Properties.EventPattern.detail.mail.tags["ses:configuration-set"]).toEqual([
      expect.anything(),
    ]);
    expect(sesRules[0]?.Properties.Targets).toEqual([
      expect.objectContaining({ Arn: { "Fn::GetAtt": [queueId, "Arn"] } }),
    ]);
    // Only that rule may send: TLS-only, and EventBridge on the rule's ARN.
    const sesRuleId = Object.entries(stateless.findResources("AWS::Events::Rule")).find(
      ([, rule]) => rule.Properties.EventPattern?.source?.[0] === "aws.ses",
    )?.[0];
    stateless.hasResourceProperties("AWS::SQS::QueuePolicy", {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: "Deny",
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          }),
          Match.objectLike({
            Effect: "Allow",
            Action: Match.arrayWith(["sqs:SendMessage"]),
            Principal: { Service: "events.amazonaws.com" },
            Condition: { ArnEquals: { "aws:SourceArn": { "Fn::GetAtt": [sesRuleId, "Arn"] } } },
          }),
        ]),
      },
    });
    stateless.hasResourceProperties("AWS::CloudWatch::Alarm", {
      MetricName: "ApproximateNumberOfMessagesVisible",
      Dimensions: [{ Name: "QueueName", Value: { "Fn::GetAtt": [deadLetterId, "QueueName"] } }],
      Threshold: 0,
      AlarmActions: [Match.anyValue()],
      AlarmDescription: Match.stringLikeRegexp("^An SES event is waiting in SesEventsDeadLetters"),
    });
  });

  it("reserves no concurrency for the sender when senderReservedConcurrency is 0 (small accounts)", () => {
    const small = buildApp(new App({ context: { ...NO_BUNDLING, senderReservedConcurrency: 0 } }));

    const functions = Template.fromStack(small.stateless).findResources("AWS::Lambda::Function");
    expect(
      Object.values(functions).filter(
        (fn) => fn.Properties.ReservedConcurrentExecutions !== undefined,
      ),
    ).toEqual([]);
  });
  it("verifies the sender's domain with Easy DKIM and a custom MAIL FROM domain", () => {
    stateful.hasResourceProperties("AWS::SES::EmailIdentity", {
      EmailIdentity: "khartoumprocess.net",
      MailFromAttributes: {
        MailFromDomain: "mail.khartoumprocess.net",
        BehaviorOnMxFailure: "USE_DEFAULT_VALUE",
      },
    });
    const identity = Object.values(stateful.findResources("AWS::SES::EmailIdentity"))[0];
    // Easy DKIM: no key of ours (BYODKIM would name a selector and a private key).
    expect(identity?.Properties.DkimSigningAttributes).toBeUndefined();
    expect(identity?.Properties.DkimAttributes?.SigningEnabled ?? true).toBe(true);
  });

  it("prints the DNS records to create when no hosted zone is given", () => {
    const outputs = stateful.findOutputs("*");
    const values = Object.fromEntries(
      Object.entries(outputs).map(([id, output]) => [id, JSON.stringify(output.Value)]),
    );
    const dkim = Object.keys(values).filter((id) => /Dkim\d/.test(id));
    expect(dkim).toHaveLength(3);
    for (const id of dkim) {
      expect(values[id]).toContain(" CNAME ");
      expect(values[id]).toContain("DkimDNSToken");
    }
    const byId = (part: string) =>
      Object.entries(values).find(([id]) => id.includes(part))?.[1] ?? "";
    expect(byId("MailFromMx")).toContain("mail.khartoumprocess.net MX 10 feedback-smtp.");
    expect(byId("MailFromMx")).toContain(".amazonses.com");
    expect(byId("MailFromSpf")).toContain(
      'mail.khartoumprocess.net TXT \\"v=spf1 include:amazonses.com ~all\\"',
    );
    expect(byId("Dmarc")).toContain('_dmarc.khartoumprocess.net TXT \\"v=DMARC1; p=none;');
    stateful.resourceCountIs("AWS::Route53::RecordSet", 0);
  });

  it("creates the DKIM and MAIL FROM records in the hosted zone given in context", () => {
    const withZone = statefulWith({
      hostedZoneId: "Z0123456789ABCDEFGHIJ",
      hostedZoneName: "khartoumprocess.net",
    });

    const records = Object.values(withZone.findResources("AWS::Route53::RecordSet")).map(
      (record) => record.Properties,
    );
    expect(records.filter((record) => record.Type === "CNAME")).toHaveLength(3);
    expect(records).toContainEqual(
      expect.objectContaining({ Type: "MX", Name: "mail.khartoumprocess.net." }),
    );
    expect(records).toContainEqual(
      expect.objectContaining({
        Type: "TXT",
        Name: "mail.khartoumprocess.net.",
        ResourceRecords: ['"v=spf1 include:amazonses.com ~all"'],
      }),
    );
    for (const record of records) expect(record.HostedZoneId).toBe("Z0123456789ABCDEFGHIJ");
    const outputs = Object.keys(withZone.findOutputs("*"));
    expect(outputs.some((id) => /Dkim\d|MailFrom/.test(id))).toBe(false);
    expect(outputs.some((id) => id.includes("Dmarc"))).toBe(true);
  });

  it("refuses a hosted zone that is not the sender's domain, half a zone, or an alarm address that is not one", () => {
    const settings = (context: Record<string, unknown>) => () =>
      readSettings(new App({ context }).node);

    expect(settings({ hostedZoneId: "Z1", hostedZoneName: "example.org" })).toThrow(InvalidSetting);
    expect(settings({ hostedZoneId: "Z1" })).toThrow("give both or neither");
    expect(settings({ alarmEmails: "ops@example.org,on call" })).toThrow(
      "alarmEmails: on call is not an email address",
    );
    expect(settings({ alarmEmails: "a@example.org, b@example.org" })().alarmEmails).toEqual([
      "a@example.org",
      "b@example.org",
    ]);
  });

  it("keeps SES's reputation metrics and suppresses bounces and complaints in the configuration set", () => {
    stateless.hasResourceProperties("AWS::SES::ConfigurationSet", {
      ReputationOptions: { ReputationMetricsEnabled: true },
      SuppressionOptions: { SuppressedReasons: ["BOUNCE", "COMPLAINT"] },
    });
  });

  it("sends every alarm to an encrypted topic with the on-call addresses subscribed", () => {
    stateful.resourceCountIs("AWS::SNS::Topic", 1);
    stateful.hasResourceProperties("AWS::SNS::Topic", { KmsMasterKeyId: Match.anyValue() });
    stateful.hasResourceProperties("AWS::KMS::Key", { EnableKeyRotation: true });
    for (const email of ALARM_EMAILS) {
      stateful.hasResourceProperties("AWS::SNS::Subscription", {
        Protocol: "email",
        Endpoint: email,
      });
    }
    const [topicId] = Object.keys(stateful.findResources("AWS::SNS::Topic"));
    const alarms = [
      ...Object.values(stateful.findResources("AWS::CloudWatch::Alarm")),
      ...Object.values(stateless.findResources("AWS::CloudWatch::Alarm")),
    ];
    // The three dead-letter queues, one per function, and four more (throttling, give-up, SES).
    expect(alarms.length).toBe(3 + 12 + 4);
    for (const alarm of alarms) {
      const [action] = alarm.Properties.AlarmActions;
      expect(alarm.Properties.AlarmActions).toHaveLength(1);
      expect(alarm.Properties.OKActions).toEqual(alarm.Properties.AlarmActions);
      expect(JSON.stringify(action)).toMatch(
        new RegExp(`"Ref":"${topicId}"|ExportsOutputRef${topicId}`),
      );
      expect(alarm.Properties.AlarmDescription).toMatch(/ Do: .*Runbook/);
      expect(alarm.Properties.AlarmDescription.length).toBeLessThanOrEqual(1024);
    }
  });

  it("alarms on dead letters, errors of any function, lasting sender throttling, the reconciler giving up and SES reputation", () => {
    for (const queueAlarm of Object.values(stateful.findResources("AWS::CloudWatch::Alarm"))) {
      expect(queueAlarm.Properties).toMatchObject({
        MetricName: "ApproximateNumberOfMessagesVisible",
        Threshold: 0,
      });
    }
    for (const functionId of Object.keys(
      Object.fromEntries(
        Object.values(stateless.findResources("AWS::Lambda::Function")).map((fn) => [
          fn.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME,
          true,
        ]),
      ),
    )) {
      stateless.hasResourceProperties("AWS::CloudWatch::Alarm", {
        Namespace: "AWS/Lambda",
        MetricName: "Errors",
        AlarmDescription: Match.stringLikeRegexp(`^${functionId} keeps failing`),
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
      });
    }
    stateless.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: "AWS/Lambda",
      MetricName: "Throttles",
      Dimensions: [
        { Name: "FunctionName", Value: { Ref: Match.stringLikeRegexp("^sendnotices") } },
      ],
      Period: 300,
      EvaluationPeriods: 6,
      DatapointsToAlarm: 6,
    });
    stateless.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: METRICS_NAMESPACE,
      MetricName: NOTICES_GIVEN_UP_METRIC,
      Dimensions: [{ Name: "service", Value: "reconcile-notices" }],
      Threshold: 0,
    });
    stateless.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: "AWS/SES",
      MetricName: "Reputation.BounceRate",
      Threshold: 0.02,
      ComparisonOperator: "GreaterThanThreshold",
    });
    stateless.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: "AWS/SES",
      MetricName: "Reputation.ComplaintRate",
      Threshold: 0.0005,
      ComparisonOperator: "GreaterThanThreshold",
    });
    expect(METRICS_NAMESPACE).toBe("KhartoumProcess");
  });

  it("has one dashboard with the alarms, events by detail-type, notices, SES, dead letters, errors and durations", () => {
    stateless.resourceCountIs("AWS::CloudWatch::Dashboard", 1);
    const [dashboard] = Object.values(stateless.findResources("AWS::CloudWatch::Dashboard"));
    const body = JSON.stringify(dashboard?.Properties.DashboardBody);

    for (const expected of [
      "alarm",
      "MatchedEvents",
      "FailedInvocations",
      "Meeting Scheduled",
      "EventsRejected",
      "NoticesSent",
      "NoticesSkipped",
      "NoticesFailed",
      "NoticesSuppressed",
      "AWS/SES",
      "Delivery",
      "Bounce",
      "Complaint",
      "ApproximateNumberOfMessagesVisible",
      "Errors",
      "Duration",
      "sweep duration",
    ]) {
      expect(body).toContain(expected);
    }
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
          ...NO_BUNDLING,
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
    expect(() =>
      buildApp(new App({ context: { ...NO_BUNDLING, reconcileGiveUpAfter: "a day" } })),
    ).toThrow("reconcileGiveUpAfter: a day is not a duration");
  });

  it("tells the sender whether several of its environments may run at once", () => {
    stateless.hasResourceProperties("AWS::Lambda::Function", {
      Environment: { Variables: Match.objectLike({ SENDER_PARALLEL: "false" }) },
    });
    const small = buildApp(new App({ context: { ...NO_BUNDLING, senderReservedConcurrency: 0 } }));
    Template.fromStack(small.stateless).hasResourceProperties("AWS::Lambda::Function", {
      Environment: { Variables: Match.objectLike({ SENDER_PARALLEL: "true" }) },
    });
  });
});
