import { App } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks } from "cdk-nag";
import { beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../infra/app.js";
import { InvalidSetting } from "../../infra/settings.js";

describe("the answers' stacks", () => {
  let app: App;
  let rsvp: Template;
  let receiving: Template;
  let stateless: Template;
  let receivingRegion: string;

  beforeAll(() => {
    app = new App({
      // No function is bundled here (test/infra/stacks.test.ts bundles them all).
      context: {
        "aws:cdk:bundling-stacks": [],
        replyAddress: "rsvp@khartoumprocess.net",
        receivingRegion: "eu-west-1",
      },
    });
    const stacks = buildApp(app);
    rsvp = Template.fromStack(stacks.rsvp);
    receiving = Template.fromStack(stacks.receiving);
    stateless = Template.fromStack(stacks.stateless);
    receivingRegion = stacks.receiving.region;
  });

  it("deploys SES receiving to the receiving region: the reply address's rule stores the message in S3, then runs receive-reply", () => {
    expect(receivingRegion).toBe("eu-west-1");
    receiving.resourceCountIs("AWS::SES::ReceiptRuleSet", 1);
    receiving.hasResourceProperties("AWS::SES::ReceiptRule", {
      Rule: Match.objectLike({
        Enabled: true,
        Recipients: ["rsvp@khartoumprocess.net"],
        ScanEnabled: true,
        TlsPolicy: "Require",
        Actions: [
          { S3Action: Match.objectLike({ ObjectKeyPrefix: "replies/" }) },
          { LambdaAction: Match.objectLike({ InvocationType: "Event" }) },
        ],
      }),
    });
  });

  it("keeps received mail encrypted, private, over TLS only, and for three days", () => {
    receiving.hasResourceProperties("AWS::S3::Bucket", {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: {
        Rules: [Match.objectLike({ ExpirationInDays: 3, Status: "Enabled" })],
      },
    });
    const policy = JSON.stringify(receiving.findResources("AWS::S3::BucketPolicy"));
    expect(policy).toContain("aws:SecureTransport");
    expect(policy).toContain("ses.amazonaws.com");
  });

  it("lets receive-reply read only the stored replies and put events on the main region's bus", () => {
    receiving.hasResourceProperties("AWS::Lambda::Function", {
      Environment: {
        Variables: Match.objectLike({
          REPLY_KEY_PREFIX: "replies/",
          MAIN_REGION: "eu-central-1",
        }),
      },
    });
    const statements = Object.values(receiving.findResources("AWS::IAM::Policy")).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement,
    );
    const actions = statements.flatMap(
      (statement: { Action: string | string[] }) => statement.Action,
    );
    expect(actions).toContain("s3:GetObject");
    expect(actions).toContain("events:PutEvents");
    expect(actions).not.toContain("s3:List*");
    expect(JSON.stringify(statements)).toContain(":events:eu-central-1:");
  });

  it("serves GET and POST /rsvp/{token} from rsvp-page through an HTTP API, with access logs that leave the token out", () => {
    rsvp.hasResourceProperties("AWS::ApiGatewayV2::Api", { ProtocolType: "HTTP" });
    rsvp.hasResourceProperties("AWS::ApiGatewayV2::Route", { RouteKey: "GET /rsvp/{token}" });
    rsvp.hasResourceProperties("AWS::ApiGatewayV2::Route", { RouteKey: "POST /rsvp/{token}" });
    rsvp.hasResourceProperties("AWS::ApiGatewayV2::Stage", {
      StageName: "$default",
      AutoDeploy: true,
      AccessLogSettings: Match.objectLike({ Format: Match.not(Match.stringLikeRegexp("path")) }),
    });
  });

  it("keeps the link secret in Secrets Manager, readable by the page and the sender only", () => {
    rsvp.hasResource("AWS::SecretsManager::Secret", {
      DeletionPolicy: "Retain",
      Properties: Match.objectLike({
        GenerateSecretString: Match.objectLike({ PasswordLength: 64 }),
      }),
    });
    const readers = [rsvp, stateless].flatMap((template) =>
      Object.entries(template.findResources("AWS::IAM::Policy")).filter(([, policy]) =>
        JSON.stringify(policy).includes("secretsmanager:GetSecretValue"),
      ),
    );
    expect(readers.map(([id]) => id.replace(/ServiceRole.*/, "")).sort()).toEqual([
      "rsvppage",
      "sendnotices",
    ]);
  });

  it("gives the answer functions only their FUNCTION_ACCESS partitions of the table, and no Scan", () => {
    const dynamoStatements = (prefix: string) =>
      Object.entries(rsvp.findResources("AWS::IAM::Policy"))
        .filter(([id]) => id.startsWith(prefix))
        .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement)
        .filter((statement: { Action: unknown }) =>
          JSON.stringify(statement.Action).includes("dynamodb:"),
        );
    const partitions = (statements: { Condition?: Record<string, Record<string, string[]>> }[]) =>
      statements.map(
        (statement) => statement.Condition?.["ForAllValues:StringLike"]?.["dynamodb:LeadingKeys"],
      );

    const page = dynamoStatements("rsvppage");
    const recorder = dynamoStatements("recordreply");

    expect(partitions(page)).toEqual([["CONTACT#*"], ["MEETING#*"]]);
    expect(partitions(recorder)).toEqual([
      ["REJECTED"],
      ["CONTACT#*"],
      ["MEETING#*"],
      ["AUDIENCE#*"],
    ]);
    expect(JSON.stringify([...page, ...recorder])).not.toMatch(/Scan|BatchWrite|dynamodb:\*/);
  });

  it("names the reply address as the sender's ORGANIZER and gives it the links' base and secret", () => {
    stateless.hasResourceProperties("AWS::Lambda::Function", {
      Environment: {
        Variables: Match.objectLike({
          REPLY_ADDRESS: "rsvp@khartoumprocess.net",
          RSVP_BASE_URL: Match.anyValue(),
          RSVP_SECRET_ARN: Match.anyValue(),
        }),
      },
    });
  });

  it("routes Reply Received on the main bus to record-reply", () => {
    rsvp.hasResourceProperties("AWS::Events::Rule", {
      EventPattern: { source: ["kp.workflows"], "detail-type": ["Reply Received"] },
    });
  });

  it("passes cdk-nag's AwsSolutions checks", () => {
    const report = new AwsSolutionsChecks(app).validateScope(app);

    expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
  });

  it("refuses a reply address that is not an address", () => {
    expect(() =>
      buildApp(new App({ context: { "aws:cdk:bundling-stacks": [], replyAddress: "rsvp" } })),
    ).toThrow(InvalidSetting);
  });
});
