import { Duration, RemovalPolicy } from "aws-cdk-lib";
import { Architecture, Runtime, Tracing } from "aws-cdk-lib/aws-lambda";
import { NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";

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
      timeout: props.timeout ?? Duration.seconds(30),
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
