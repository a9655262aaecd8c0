import { Duration, RemovalPolicy } from "aws-cdk-lib";
import type { Rule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import { Architecture, Runtime, Tracing } from "aws-cdk-lib/aws-lambda";
import { NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";

/** A function's timeout unless its props give another. */
export const DEFAULT_FUNCTION_TIMEOUT = Duration.seconds(30);

export interface WorkflowFunctionProps {
  /** Where the function's failed invocations go once Lambda's retries are spent. */
  deadLetterQueue: IQueue;
  environment?: Record<string, string>;
  timeout?: Duration;
  memorySize?: number;
  reservedConcurrentExecutions?: number;
}

/**
 * Every Lambda of the system: `functions/<id>/handler.ts`, Node.js 22 on arm64, ESM bundled by
 * esbuild (no Docker), source maps, tracing, a log group with a retention, asynchronous
 * invocations retried twice and then sent to the dead-letter queue.
 */
export class WorkflowFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: WorkflowFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    super(scope, id, {
      entry: `functions/${id}/handler.ts`,
      handler: "handler",
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? DEFAULT_FUNCTION_TIMEOUT,
      ...(props.reservedConcurrentExecutions === undefined
        ? {}
        : { reservedConcurrentExecutions: props.reservedConcurrentExecutions }),
      tracing: Tracing.ACTIVE,
      logGroup,
      deadLetterQueue: props.deadLetterQueue,
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      environment: {
        NODE_OPTIONS: "--enable-source-maps",
        POWERTOOLS_SERVICE_NAME: id,
        POWERTOOLS_LOG_LEVEL: "INFO",
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: "node22",
        minify: true,
        sourceMap: true,
        // The SDK is bundled so the version we test is the version that runs.
        bundleAwsSDK: true,
        mainFields: ["module", "main"],
        banner:
          "import { createRequire as kpCreateRequire } from 'node:module'; const require = kpCreateRequire(import.meta.url);",
      },
    });
  }
}

/**
 * The cdk-nag findings every WorkflowFunction brings, each with its reason: a stack of such
 * functions acknowledges these (and its own) once.
 */
export const WORKFLOW_FUNCTION_ACKNOWLEDGEMENTS = [
  {
    id: "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
    reason:
      "AWSLambdaBasicExecutionRole only lets a function write its own logs; it is AWS's documented minimum.",
  },
  {
    id: "AwsSolutions-IAM5[Resource::*]",
    reason: "X-Ray's PutTraceSegments and PutTelemetryRecords take no resource.",
  },
  {
    id: "AwsSolutions-L1",
    reason:
      "Node.js 22 is the runtime the project targets and tests on (Lambda's supported LTS line).",
  },
] as const;

/** The function as a rule's target: EventBridge's retries for a day, then the dead-letter queue. */
export function targetOf(rule: Rule, fn: WorkflowFunction, undelivered: IQueue): void {
  rule.addTarget(
    new LambdaFunction(fn, {
      retryAttempts: 185,
      maxEventAge: Duration.hours(24),
      deadLetterQueue: undelivered,
    }),
  );
}
