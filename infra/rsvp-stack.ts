import { Duration, RemovalPolicy, Stack, type StackProps, Validations } from "aws-cdk-lib";
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import {
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
} from "aws-cdk-lib/aws-apigatewayv2";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import { Rule } from "aws-cdk-lib/aws-events";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import { Queue } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { LISTS_INDEX } from "../shared/adapters/table-keys.js";
import { ReplyReceivedEvent } from "../shared/contract/replies.js";
import {
  targetOf,
  WORKFLOW_FUNCTION_ACKNOWLEDGEMENTS,
  WorkflowFunction,
} from "./constructs/workflow-function.js";
import { accessOf, accessStatements } from "./function-access.js";
import type { RsvpSettings } from "./rsvp-settings.js";
import type { StatefulStack } from "./stateful-stack.js";
import type { StatelessStack } from "./stateless-stack.js";

export interface RsvpStackProps extends StackProps {
  stateful: StatefulStack;
  settings: RsvpSettings;
}

/**
 * Members' answers, in the main region: the secret that signs the answer links, the HTTP API
 * whose page records a link's answer, and the function that records the calendar replies the
 * receiving stack hands to the bus.
 */
export class RsvpStack extends Stack {
  readonly linkSecret: Secret;
  readonly api: HttpApi;
  /** Where the answer links point: `<base>/rsvp/<token>`. */
  readonly rsvpBaseUrl: string;

  constructor(scope: Construct, id: string, props: RsvpStackProps) {
    super(scope, id, props);
    const { stateful, settings } = props;
    // Each function gets its FUNCTION_ACCESS entry, as those of KpStateless do.
    const resources = {
      tableArn: stateful.table.tableArn,
      listsIndexArn: `${stateful.table.tableArn}/index/${LISTS_INDEX}`,
      eventBusArn: stateful.eventBus.eventBusArn,
    };
    const grantTable = (fn: WorkflowFunction) => {
      for (const statement of accessStatements(accessOf(fn.node.id), resources)) {
        fn.addToRolePolicy(statement);
      }
    };

    this.linkSecret = new Secret(this, "LinkSecret", {
      description: "Signs the answer links of the notices (HMAC-SHA256)",
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const page = new WorkflowFunction(this, "rsvp-page", {
      deadLetterQueue: stateful.failedEvents,
      timeout: Duration.seconds(10),
      environment: {
        TABLE_NAME: stateful.table.tableName,
        RSVP_SECRET_ARN: this.linkSecret.secretArn,
      },
    });
    grantTable(page);
    this.linkSecret.grantRead(page);

    const accessLogs = new LogGroup(this, "ApiAccessLogs", {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api = new HttpApi(this, "Api", {
      description: "The page behind the answer links of the notices",
      createDefaultStage: false,
    });
    new HttpStage(this, "DefaultStage", {
      httpApi: this.api,
      stageName: "$default",
      autoDeploy: true,
      throttle: { rateLimit: 20, burstLimit: 50 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // The path holds the token, a one-click answer: it is not logged.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: "$context.requestId",
            requestTime: "$context.requestTime",
            method: "$context.httpMethod",
            routeKey: "$context.routeKey",
            status: "$context.status",
          }),
        ),
      },
    });
    this.api.addRoutes({
      path: "/rsvp/{token}",
      methods: [HttpMethod.GET, HttpMethod.POST],
      integration: new HttpLambdaIntegration("RsvpPage", page),
    });
    // The default stage's URL, from the API's id (what apiEndpoint holds, without a GetAtt).
    this.rsvpBaseUrl =
      settings.rsvpBaseUrl ??
      `https://${this.api.apiId}.execute-api.${this.region}.${this.urlSuffix}/rsvp/`;

    const recorder = new WorkflowFunction(this, "record-reply", {
      deadLetterQueue: stateful.failedEvents,
      environment: { TABLE_NAME: stateful.table.tableName },
    });
    grantTable(recorder);
    const replies = new Rule(this, "record-reply-rule", {
      eventBus: stateful.eventBus,
      description: "Calendar replies the receiving stack hands over",
      eventPattern: {
        source: [ReplyReceivedEvent.source],
        detailType: [ReplyReceivedEvent.detailType],
      },
    });
    targetOf(
      replies,
      recorder,
      Queue.fromQueueArn(this, "UndeliveredEvents", stateful.undeliveredEvents.queueArn),
    );

    Validations.of(this).acknowledge(
      ...WORKFLOW_FUNCTION_ACKNOWLEDGEMENTS,
      {
        id: "AwsSolutions-SMG4",
        reason:
          "Rotating the link secret would void the answer links of every email already sent; it is rotated by hand between meetings (see the README).",
      },
      {
        id: "AwsSolutions-APIG4",
        reason:
          "The answer links carry their own authorization: a signed, expiring token; members have no login.",
      },
    );
  }

  /**
   * What the main stacks' functions need for answers: the sender signs the links and names the
   * receiving address as ORGANIZER; the contact workflow hands late joiners their invitation.
   */
  wire(stateless: StatelessStack, settings: RsvpSettings): void {
    const find = (id: string) => {
      const fn = stateless.functions.find((candidate) => candidate.node.id === id);
      if (fn === undefined) throw new Error(`KpStateless has no function ${id}`);
      return fn;
    };
    const sender = find("send-notices");
    sender.addEnvironment("REPLY_ADDRESS", settings.replyAddress);
    sender.addEnvironment("RSVP_BASE_URL", this.rsvpBaseUrl);
    sender.addEnvironment("RSVP_SECRET_ARN", this.linkSecret.secretArn);
    this.linkSecret.grantRead(sender);
  }
}
