import { App } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks } from "cdk-nag";
import { beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../infra/app.js";
import { CONTRACT_EVENTS } from "../../shared/contract/index.js";

/** The console's stack without bundling (the template is what is checked here). */
describe("KpConsole: the user pool, the API and its authorizer, the site behind CloudFront", () => {
  let app: App;
  let template: Template;

  beforeAll(() => {
    app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
    template = Template.fromStack(buildApp(app).console);
  });

  it("keeps a user pool of secretariat staff: no self sign-up, MFA available, officers and viewers", () => {
    template.hasResourceProperties("AWS::Cognito::UserPool", {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: "OPTIONAL",
      EnabledMfas: ["SOFTWARE_TOKEN_MFA"],
    });
    const groups = Object.values(template.findResources("AWS::Cognito::UserPoolGroup")).map(
      (group) => group.Properties.GroupName,
    );
    expect(groups.sort()).toEqual(["officers", "viewers"]);
    template.hasResourceProperties("AWS::Cognito::UserPoolClient", {
      GenerateSecret: false,
      AllowedOAuthFlows: ["code"],
    });
  });

  it("admits to every API route only a token of the pool's console client (JWT authorizer)", () => {
    template.hasResourceProperties("AWS::ApiGatewayV2::Authorizer", {
      AuthorizerType: "JWT",
      IdentitySource: ["$request.header.Authorization"],
      JwtConfiguration: {
        Audience: [{ Ref: Match.stringLikeRegexp("^StaffConsole") }],
        Issuer: Match.objectLike({ "Fn::Join": Match.anyValue() }),
      },
    });
    const routes = Object.values(template.findResources("AWS::ApiGatewayV2::Route"));
    expect(routes.map((route) => route.Properties.RouteKey).sort()).toEqual([
      "GET /api/{proxy+}",
      "POST /api/{proxy+}",
    ]);
    for (const route of routes) expect(route.Properties.AuthorizationType).toBe("JWT");
  });

  it("lets the API's function put the contract's events on the bus and only read the table", () => {
    const statements = Object.values(template.findResources("AWS::IAM::Policy")).flatMap(
      (policy) =>
        policy.Properties.PolicyDocument.Statement as {
          Action: string | string[];
          Condition?: Record<string, Record<string, string[]>>;
        }[],
    );
    const actions = statements.flatMap((statement) => [statement.Action].flat());
    const tableActions = actions.filter((action) => action.startsWith("dynamodb:"));
    expect(new Set(tableActions)).toEqual(new Set(["dynamodb:GetItem", "dynamodb:Query"]));
    const put = statements.find((statement) => statement.Action === "events:PutEvents");
    expect(put?.Condition?.["ForAllValues:StringEquals"]?.["events:detail-type"]?.sort()).toEqual(
      CONTRACT_EVENTS.map((event) => event.detailType).sort(),
    );
  });

  it("lets the API's function read the two dead-letter queues' counts and SES's account, and nothing more of either", () => {
    // Prepare
    const [fn] = Object.values(
      template.findResources("AWS::Lambda::Function", {
        Properties: {
          Environment: { Variables: { UNDELIVERED_EVENTS_QUEUE_URL: Match.anyValue() } },
        },
      }),
    );
    const statements = Object.values(template.findResources("AWS::IAM::Policy")).flatMap(
      (policy) =>
        policy.Properties.PolicyDocument.Statement as {
          Action: string | string[];
          Resource: unknown;
        }[],
    );
    // Assess: the URLs come from the stateful stack's queues (imported), each queue is granted
    // GetQueueAttributes only, and GetAccount (which takes no resource) is the only SES action.
    const variables = fn?.Properties.Environment.Variables;
    expect(JSON.stringify(variables.UNDELIVERED_EVENTS_QUEUE_URL)).toMatch(/UndeliveredEvents/);
    expect(JSON.stringify(variables.FAILED_EVENTS_QUEUE_URL)).toMatch(/FailedEvents/);
    expect(JSON.stringify(variables.SES_EVENTS_DEAD_LETTERS_QUEUE_URL)).toMatch(
      /SesEventsDeadLetters/,
    );
    const sqs = statements.filter((statement) =>
      [statement.Action].flat().some((action) => action.startsWith("sqs:")),
    );
    const queueReads = sqs.filter((statement) => statement.Action === "sqs:GetQueueAttributes");
    expect(JSON.stringify(queueReads.map((statement) => statement.Resource))).toMatch(
      /UndeliveredEvents[\s\S]*FailedEvents|FailedEvents[\s\S]*UndeliveredEvents/,
    );
    expect(JSON.stringify(queueReads.map((statement) => statement.Resource))).toMatch(
      /SesEventsDeadLetters/,
    );
    const sqsActions = new Set(sqs.flatMap((statement) => [statement.Action].flat()));
    expect(sqsActions).toEqual(new Set(["sqs:GetQueueAttributes", "sqs:SendMessage"]));
    const ses = statements.filter((statement) =>
      [statement.Action].flat().some((action) => action.startsWith("ses:")),
    );
    expect(ses).toEqual([expect.objectContaining({ Action: "ses:GetAccount", Resource: "*" })]);
  });

  it("serves the console from a private bucket through CloudFront's origin access control, with security headers", () => {
    template.hasResourceProperties("AWS::S3::Bucket", {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    template.resourceCountIs("AWS::CloudFront::OriginAccessControl", 1);
    template.hasResourceProperties("AWS::CloudFront::Distribution", {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: "index.html",
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: "redirect-to-https" }),
      }),
    });
    template.hasResourceProperties("AWS::CloudFront::ResponseHeadersPolicy", {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: Match.objectLike({
          ContentSecurityPolicy: Match.objectLike({ Override: true }),
          StrictTransportSecurity: Match.objectLike({
            AccessControlMaxAgeSec: 31_536_000,
            IncludeSubdomains: true,
          }),
          FrameOptions: { FrameOption: "DENY", Override: true },
        }),
      }),
    });
  });

  it("lets the console load nothing from elsewhere but its API and the sign-in, and be framed by no page", () => {
    const policy = JSON.stringify(template.findResources("AWS::CloudFront::ResponseHeadersPolicy"));
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).toContain("connect-src 'self' https://*.execute-api.");
    expect(policy).toContain(".auth.");
  });

  it("deploys the built console and its sign-in configuration with the same cdk deploy", () => {
    template.resourceCountIs("Custom::CDKBucketDeployment", 1);
  });

  it("passes cdk-nag's AwsSolutions checks, every acknowledgement with its reason", () => {
    const report = new AwsSolutionsChecks(app).validateScope(app);
    expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
    expect(report.success).toBe(true);
  });
});
