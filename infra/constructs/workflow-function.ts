import { cpSync } from "node:fs";
import { join } from "node:path";
import { AssetHashType, DockerImage, Duration, RemovalPolicy } from "aws-cdk-lib";
import type { Rule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import { Architecture, Code, Runtime, Tracing } from "aws-cdk-lib/aws-lambda";
import { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { functionBundles } from "../function-bundles.js";

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
 * A function's code: its bundle from the one esbuild build of every function (see
 * infra/function-bundles.ts, which keeps NodejsFunction's esbuild options), copied into the
 * asset when the stack is bundled and hashed by its bytes, as NodejsFunction's own are.
 */
function bundleOf(id: string): Code {
  return Code.fromAsset(join("functions", id), {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: DockerImage.fromRegistry("node:22"),
      local: {
        tryBundle(outputDir: string) {
          cpSync(join(functionBundles(), id), outputDir, { recursive: true });
          return true;
        },
      },
    },
  });
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
      code: bundleOf(id),
      handler: "index.handler",
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
