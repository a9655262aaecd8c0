import { App, type Stack } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks } from "cdk-nag";
import { beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../infra/app.js";
import { InvalidSetting } from "../../infra/settings.js";
import { STACK_OUTPUTS } from "../../shared/platform/stages.js";

/** No function is bundled: these apps are built to read names, outputs and cdk-nag's verdict. */
const NO_BUNDLING = { "aws:cdk:bundling-stacks": [] };

type Built = ReturnType<typeof buildApp>;

function stacksOf(built: Built): Stack[] {
  return [built.stateful, built.stateless, built.rsvp, built.receiving];
}

/** Every explicit physical name in a stack's resources (Name, ...Name), as synthesized. */
function physicalNames(stack: Stack): string[] {
  const names: string[] = [];
  for (const resource of Object.values(Template.fromStack(stack).toJSON().Resources ?? {})) {
    const { Type, Properties = {} } = resource as { Type: string; Properties?: object };
    for (const [key, value] of Object.entries(Properties)) {
      const own =
        key === "Name" ||
        /^(EventBus|Table|Queue|Topic|Archive|Alarm|Dashboard|Secret|LogGroup|ConfigurationSet)Name$/.test(
          key,
        );
      if (own && typeof value === "string") names.push(`${Type} ${value}`);
    }
  }
  return names;
}

function nagViolations(app: App): string[] {
  const report = new AwsSolutionsChecks(app).validateScope(app);
  return report.violations.map((violation) => violation.ruleName);
}

describe("stages: a second copy of the system in the same account", () => {
  let prod: Built;
  let staging: Built;

  beforeAll(() => {
    prod = buildApp(new App({ context: { ...NO_BUNDLING } }));
    staging = buildApp(new App({ context: { ...NO_BUNDLING, stage: "staging" } }));
  });

  it("keeps prod's stack names, bus name and the logical ids of everything that holds data", () => {
    // Prepare
    const stateful = Template.fromStack(prod.stateful).toJSON().Resources;

    // Assess: a renamed stack or logical id would make CloudFormation replace the resource.
    expect(stacksOf(prod).map((stack) => stack.stackName)).toEqual([
      "KpStateful",
      "KpStateless",
      "KpRsvp",
      "KpReceiving",
    ]);
    const kept = {
      TableCD117FA1: "AWS::DynamoDB::Table",
      BusEA82B648: "AWS::Events::EventBus",
      BusArchiveD76499E2: "AWS::Events::Archive",
      UndeliveredEvents0A4241A7: "AWS::SQS::Queue",
      FailedEventsA83487DA: "AWS::SQS::Queue",
      OnCallAlarms8F593D60: "AWS::SNS::Topic",
      OnCallKey6DF8E67A: "AWS::KMS::Key",
      SendingIdentityDomain8ECA246A: "AWS::SES::EmailIdentity",
      UndeliveredEventsAlarm8C880207: "AWS::CloudWatch::Alarm",
      FailedEventsAlarmC02783F4: "AWS::CloudWatch::Alarm",
    };
    for (const [logicalId, type] of Object.entries(kept)) {
      expect(stateful[logicalId]?.Type, logicalId).toBe(type);
    }
    expect(physicalNames(prod.stateful)).toEqual(["AWS::Events::EventBus khartoum-process"]);
  });

  it("gives staging its own stacks, bus and reply address, and no second SES identity", () => {
    // Assess
    expect(stacksOf(staging).map((stack) => stack.stackName)).toEqual([
      "KpStateful-staging",
      "KpStateless-staging",
      "KpRsvp-staging",
      "KpReceiving-staging",
    ]);
    const stateful = Template.fromStack(staging.stateful);
    stateful.hasResourceProperties("AWS::Events::EventBus", { Name: "khartoum-process-staging" });
    stateful.resourceCountIs("AWS::DynamoDB::Table", 1);
    stateful.resourceCountIs("AWS::SQS::Queue", 2);
    stateful.resourceCountIs("AWS::SES::EmailIdentity", 0);
    Template.fromStack(staging.receiving).hasResourceProperties("AWS::SES::ReceiptRule", {
      Rule: Match.objectLike({ Recipients: ["rsvp-staging@khartoumprocess.net"] }),
    });
    Template.fromStack(staging.stateless).hasResourceProperties("AWS::Lambda::Function", {
      Environment: {
        Variables: Match.objectLike({ REPLY_ADDRESS: "rsvp-staging@khartoumprocess.net" }),
      },
    });
    // receive-reply puts the answers on staging's bus, not prod's.
    expect(JSON.stringify(Template.fromStack(staging.receiving).toJSON())).toContain(
      ":event-bus/khartoum-process-staging",
    );
  });

  it("shares no explicit physical name between prod and staging", () => {
    // Prepare
    const prodNames = stacksOf(prod).flatMap(physicalNames);
    const stagingNames = stacksOf(staging).flatMap(physicalNames);

    // Assess: the rest (table, queues, topic, alarms, dashboard, secret, log groups,
    // configuration set, archive) is named by CloudFormation from the stack's name.
    const unique = (names: string[]) =>
      names.filter((name) => !/ApiGatewayV2::Api |\$default/.test(name));
    expect(unique(stagingNames).filter((name) => unique(prodNames).includes(name))).toEqual([]);
    expect(unique(stagingNames)).toContain("AWS::Events::EventBus khartoum-process-staging");
  });

  it("records only its own stage's SES events: the rule on the default bus names the configuration set", () => {
    for (const built of [prod, staging]) {
      Template.fromStack(built.stateless).hasResourceProperties("AWS::Events::Rule", {
        EventPattern: Match.objectLike({
          source: ["aws.ses"],
          detail: {
            mail: {
              tags: { "ses:configuration-set": [{ Ref: Match.stringLikeRegexp("^Notices") }] },
            },
          },
        }),
      });
    }
  });

  it("outputs what kp reads: table, bus, dead-letter queues, archive, alarm topic and dashboard", () => {
    for (const built of [prod, staging]) {
      const stateful = Template.fromStack(built.stateful).toJSON().Outputs ?? {};
      const stateless = Template.fromStack(built.stateless).toJSON().Outputs ?? {};
      const { dashboardName, sesEventsQueueUrl, sesEventsDeadLettersQueueUrl, ...fromStateful } =
        STACK_OUTPUTS;
      expect(Object.keys(stateful)).toEqual(expect.arrayContaining(Object.values(fromStateful)));
      expect(Object.keys(stateless)).toEqual(
        expect.arrayContaining([dashboardName, sesEventsQueueUrl, sesEventsDeadLettersQueueUrl]),
      );
      expect(stateful[STACK_OUTPUTS.stage].Value).toBe(
        built.stateful.node.tryGetContext("stage") ?? "prod",
      );
      expect(stateful[STACK_OUTPUTS.failedEventsQueueUrl].Value).toEqual({
        Ref: "FailedEventsA83487DA",
      });
      expect(stateful[STACK_OUTPUTS.archiveArn].Value).toEqual({
        "Fn::GetAtt": ["BusArchiveD76499E2", "Arn"],
      });
    }
  });

  it("passes cdk-nag's AwsSolutions checks in both stages", () => {
    expect(nagViolations(prod.app)).toEqual([]);
    expect(nagViolations(staging.app)).toEqual([]);
  });

  it("creates the SES identity in another stage when told to (an account of its own)", () => {
    const alone = buildApp(
      new App({ context: { ...NO_BUNDLING, stage: "test", createSendingIdentity: "true" } }),
    );
    Template.fromStack(alone.stateful).resourceCountIs("AWS::SES::EmailIdentity", 1);
    expect(alone.stateful.stackName).toBe("KpStateful-test");
  });

  it("refuses a stage name CloudFormation or a bus could not carry", () => {
    for (const stage of ["Staging", "st_1", "1st", "", "a-very-long-stage-name"]) {
      expect(() => buildApp(new App({ context: { ...NO_BUNDLING, stage } })), stage).toThrow(
        InvalidSetting,
      );
    }
  });
});
