import { cpSync } from "node:fs";
import {
  AssetHashType,
  CfnOutput,
  DockerImage,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from "aws-cdk-lib";
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
} from "aws-cdk-lib/aws-apigatewayv2";
import { HttpJwtAuthorizer } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import {
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from "aws-cdk-lib/aws-cloudfront";
import { S3BucketOrigin } from "aws-cdk-lib/aws-cloudfront-origins";
import {
  AccountRecovery,
  CfnUserPoolGroup,
  Mfa,
  OAuthScope,
  UserPool,
  type UserPoolClient,
} from "aws-cdk-lib/aws-cognito";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { BlockPublicAccess, Bucket, BucketEncryption } from "aws-cdk-lib/aws-s3";
import { BucketDeployment, Source } from "aws-cdk-lib/aws-s3-deployment";
import type { Construct } from "constructs";
import { LISTS_INDEX } from "../shared/adapters/table-keys.js";
import { consoleSecurityHeaders } from "../shared/platform/console-headers.js";
import { stageName } from "../shared/platform/stages.js";
import { consoleBuild } from "./console-build.js";
import {
  WORKFLOW_FUNCTION_ACKNOWLEDGEMENTS,
  WorkflowFunction,
} from "./constructs/workflow-function.js";
import { accessOf, accessStatements } from "./function-access.js";
import type { Settings } from "./settings.js";
import type { StatefulStack } from "./stateful-stack.js";
import type { StatelessStack } from "./stateless-stack.js";

export interface ConsoleStackProps extends StackProps {
  stateful: StatefulStack;
  /** Its SES events' dead-letter queue, counted on the overview. */
  stateless: StatelessStack;
  settings: Settings;
}

/** The console's groups in the user pool, one per role. */
export const CONSOLE_GROUPS = ["officers", "viewers"] as const;

/**
 * The built console, made while the app is synthesized, as the functions are bundled: the same
 * `cdk deploy` ships it. Locally `npm start` serves this output.
 */
function consoleAssets() {
  return Source.asset("console", {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: DockerImage.fromRegistry("node:22"),
      local: {
        tryBundle(outputDir: string) {
          cpSync(consoleBuild(), outputDir, { recursive: true });
          return true;
        },
      },
    },
  });
}

/**
 * The secretariat's console: a user pool of secretariat staff (officers put events, viewers
 * read), the HTTP API whose JWT authorizer admits them to the console-api function, and the
 * static console on S3 behind CloudFront with security headers.
 */
export class ConsoleStack extends Stack {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  readonly api: HttpApi;
  readonly distribution: Distribution;

  constructor(scope: Construct, id: string, props: ConsoleStackProps) {
    super(scope, id, props);
    const { stateful, stateless, settings } = props;
    // The sign-in domain and the pool's name are one per region: each stage has its own.
    const domainPrefix = String(
      this.node.tryGetContext("consoleDomainPrefix") ??
        stageName("khartoum-process-console", settings.stage),
    );

    const site = new Bucket(this, "Site", {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const apiHost = `*.execute-api.${this.region}.${this.urlSuffix}`;
    const cognitoHost = `${domainPrefix}.auth.${this.region}.amazoncognito.com`;
    const headers = new ResponseHeadersPolicy(this, "SecurityHeaders", {
      comment: "The console's security headers: CSP, HSTS, no framing",
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: consoleSecurityHeaders([
            `https://${apiHost}`,
            `https://${cognitoHost}`,
            `https://cognito-idp.${this.region}.amazonaws.com`,
          ])["content-security-policy"],
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          preload: true,
          override: true,
        },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        contentTypeOptions: { override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });
    this.distribution = new Distribution(this, "Distribution", {
      comment: "The secretariat's console",
      defaultRootObject: "index.html",
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(site),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: headers,
      },
      // The console routes in the browser: a page's address is the console's index.
      errorResponses: [403, 404].map((httpStatus) => ({
        httpStatus,
        responseHttpStatus: 200,
        responsePagePath: "/index.html",
        ttl: Duration.minutes(1),
      })),
    });
    const consoleUrl = `https://${this.distribution.distributionDomainName}`;

    this.userPool = new UserPool(this, "Staff", {
      userPoolName: stageName("kp-console-staff", settings.stage),
      selfSignUpEnabled: false,
      signInAliases: { email: true, username: true },
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireDigits: true,
        requireLowercase: true,
        requireUppercase: true,
        requireSymbols: true,
      },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const group of CONSOLE_GROUPS) {
      new CfnUserPoolGroup(this, `Group-${group}`, {
        userPoolId: this.userPool.userPoolId,
        groupName: group,
        description: group === "officers" ? "Secretariat officers: may put events" : "Read only",
      });
    }
    const domain = this.userPool.addDomain("SignIn", { cognitoDomain: { domainPrefix } });
    this.client = this.userPool.addClient("Console", {
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [`${consoleUrl}/`],
        logoutUrls: [`${consoleUrl}/`],
      },
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      preventUserExistenceErrors: true,
    });

    const fn = new WorkflowFunction(this, "console-api", {
      deadLetterQueue: stateful.failedEvents,
      timeout: Duration.seconds(15),
      environment: {
        TABLE_NAME: stateful.table.tableName,
        EVENT_BUS_NAME: stateful.eventBus.eventBusName,
        SENDER_NAME: settings.senderName,
        SENDER_ADDRESS: settings.senderAddress,
        // The overview counts the dead letters waiting, as `kp status` does.
        UNDELIVERED_EVENTS_QUEUE_URL: stateful.undeliveredEvents.queueUrl,
        FAILED_EVENTS_QUEUE_URL: stateful.failedEvents.queueUrl,
        SES_EVENTS_DEAD_LETTERS_QUEUE_URL: stateless.sesEventsDeadLetters.queueUrl,
      },
    });
    for (const queue of [
      stateful.undeliveredEvents,
      stateful.failedEvents,
      stateless.sesEventsDeadLetters,
    ]) {
      queue.grant(fn, "sqs:GetQueueAttributes");
    }
    // The overview's SES sandbox state and quota; GetAccount takes no resource.
    fn.addToRolePolicy(new PolicyStatement({ actions: ["ses:GetAccount"], resources: ["*"] }));
    for (const statement of accessStatements(accessOf(fn.node.id), {
      tableArn: stateful.table.tableArn,
      listsIndexArn: `${stateful.table.tableArn}/index/${LISTS_INDEX}`,
      eventBusArn: stateful.eventBus.eventBusArn,
    })) {
      fn.addToRolePolicy(statement);
    }

    const accessLogs = new LogGroup(this, "ApiAccessLogs", {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api = new HttpApi(this, "Api", {
      description: "The secretariat console's API",
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: [consoleUrl],
        allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST],
        allowHeaders: ["authorization", "content-type"],
        maxAge: Duration.hours(1),
      },
    });
    new HttpStage(this, "DefaultStage", {
      httpApi: this.api,
      stageName: "$default",
      autoDeploy: true,
      throttle: { rateLimit: 20, burstLimit: 50 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: "$context.requestId",
            requestTime: "$context.requestTime",
            method: "$context.httpMethod",
            path: "$context.path",
            status: "$context.status",
            user: "$context.authorizer.claims.cognito:username",
          }),
        ),
      },
    });
    const authorizer = new HttpJwtAuthorizer(
      "StaffAuthorizer",
      `https://cognito-idp.${this.region}.amazonaws.com/${this.userPool.userPoolId}`,
      {
        jwtAudience: [this.client.userPoolClientId],
        identitySource: ["$request.header.Authorization"],
      },
    );
    this.api.addRoutes({
      path: "/api/{proxy+}",
      methods: [HttpMethod.GET, HttpMethod.POST],
      integration: new HttpLambdaIntegration("ConsoleApi", fn),
      authorizer,
    });
    const apiUrl = `https://${this.api.apiId}.execute-api.${this.region}.${this.urlSuffix}`;

    new BucketDeployment(this, "Deploy", {
      destinationBucket: site,
      distribution: this.distribution,
      sources: [
        consoleAssets(),
        Source.jsonData("config.json", {
          auth: "cognito",
          apiUrl,
          clientId: this.client.userPoolClientId,
          signInUrl: domain.baseUrl(),
          redirectUrl: `${consoleUrl}/`,
        }),
      ],
      memoryLimit: 512,
    });
    new CfnOutput(this, "ConsoleUrl", { value: consoleUrl });
    new CfnOutput(this, "UserPoolId", { value: this.userPool.userPoolId });

    Validations.of(this).acknowledge(
      ...WORKFLOW_FUNCTION_ACKNOWLEDGEMENTS.filter(
        (acknowledgement) => acknowledgement.id !== "AwsSolutions-IAM5[Resource::*]",
      ),
      {
        id: "AwsSolutions-IAM5[Resource::*]",
        reason:
          "X-Ray's PutTraceSegments and PutTelemetryRecords take no resource, nor does SES's GetAccount (the overview's sandbox state and quota).",
      },
      {
        id: "AwsSolutions-COG2",
        reason:
          "MFA is offered to every officer (TOTP) and optional, as the issue asks; ops may make it required in the pool.",
      },
      {
        id: "AwsSolutions-COG3",
        reason:
          "Threat protection (the Plus plan) is a paid feature; the pool has a handful of staff, no self sign-up.",
      },
      {
        id: "AwsSolutions-S1",
        reason: "The bucket holds the console's public build output only; CloudFront serves it.",
      },
      {
        id: "AwsSolutions-CFR1",
        reason: "Secretariat staff sign in from the member states of two continents.",
      },
      {
        id: "AwsSolutions-CFR2",
        reason: "Static files only; every API call needs a Cognito token checked by the HTTP API.",
      },
      {
        id: "AwsSolutions-CFR3",
        reason: "Static files only: the API's access log records who did what.",
      },
      {
        id: "AwsSolutions-CFR4",
        reason:
          "The default CloudFront certificate (no custom domain) does not allow choosing the TLS policy.",
      },
      {
        id: "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
        reason: "BucketDeployment's function writes its own logs only.",
      },
      {
        id: "AwsSolutions-COG8",
        reason:
          "The Plus plan (threat protection) is a paid feature; the pool has a handful of staff, no self sign-up.",
      },
      ...[
        "Action::s3:Abort*",
        "Action::s3:DeleteObject*",
        "Action::s3:GetBucket*",
        "Action::s3:GetObject*",
        "Action::s3:List*",
        "Resource::<SiteE53D7754.Arn>/*",
        "Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*",
      ].map((finding) => ({
        id: `AwsSolutions-IAM5[${finding}]`,
        reason:
          "BucketDeployment (CDK's own construct) copies the built console from the asset bucket into the site bucket, object by object.",
      })),
    );
  }
}
