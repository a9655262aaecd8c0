import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { DEFAULT_EVENT_BUS_NAME } from "../shared/contract/index.js";
import {
  DEFAULT_STAGE,
  InvalidStage,
  parseStage,
  STACK_OUTPUTS,
  type StackOutputName,
  stackNames,
} from "../shared/platform/stages.js";

export class UsageError extends Error {
  override name = "UsageError";
}

export interface TargetOptions {
  aws?: boolean;
  profile?: string;
  region?: string;
  endpoint?: string;
  table?: string;
  bus?: string;
  /** A deployed stage (`-c stage=staging`): its bus, table and queues are read from its stacks. */
  stage?: string;
  "local-dir"?: string;
}

/** What a stage's stacks output (STACK_OUTPUTS): DLQ URLs, archive, alarm topic, dashboard... */
export type StageOutputs = Partial<Record<StackOutputName, string>>;

/** How to build another SDK client for the same target (SESv2, SQS, CloudWatch...). */
export interface ClientConfig {
  region?: string;
  profile?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** Where the CLI sends events and reads state: the local runtime by default, or AWS. */
export interface Target {
  kind: "local" | "aws";
  eventBusName: string;
  eventBridge: EventBridgeClient;
  dynamodb: DynamoDBClient;
  tableName: () => string;
  describe: string;
  /** The local runtime's EventBridge endpoint (its clock lives there too). */
  eventBridgeEndpointUrl?: string;
  /** The stage (`--stage`, prod by default); locally, the one the runtime runs. */
  stage: string;
  /** The stage's stack outputs, by name (empty when they could not be read). */
  outputs: StageOutputs;
  /** The region, profile and (locally) credentials the target's clients use. */
  clientConfig: ClientConfig;
  /** The local runtime's SES endpoint (aws-ses-v2-local behind its front). */
  sesEndpointUrl?: string;
  /** The local runtime's state folder (dead letters, mail). */
  localDir?: string;
}

interface RuntimeFile {
  eventBridgeEndpoint: string;
  sesEndpoint?: string;
  dynamodbEndpoint: string;
  region: string;
  tables: Record<string, string>;
  /** `<stack>.<output id>`, resolved to local names. */
  outputs?: Record<string, string>;
}

const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

export function projectDir(): string {
  return resolve(import.meta.dirname, "..");
}

function readRuntimeFile(localDir: string): RuntimeFile | undefined {
  const file = join(localDir, "runtime.json");
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as RuntimeFile) : undefined;
}

/** A stage's outputs from `<stack>.<output id>` pairs (the local runtime's, or DescribeStacks'). */
function stageOutputs(stage: string, byStack: Record<string, string>): StageOutputs {
  const names = stackNames(stage);
  const outputs: StageOutputs = {};
  for (const [name, id] of Object.entries(STACK_OUTPUTS) as [StackOutputName, string][]) {
    const value = byStack[`${names.stateful}.${id}`] ?? byStack[`${names.stateless}.${id}`];
    if (value !== undefined) outputs[name] = value;
  }
  return outputs;
}

function checkedStage(options: TargetOptions): string {
  try {
    return parseStage(options.stage);
  } catch (error) {
    if (error instanceof InvalidStage) throw new UsageError(`--stage: ${error.message}`);
    throw error;
  }
}

/**
 * The target as the options name it, without asking AWS anything: the local runtime, or AWS with
 * the explicit `--table`/`--bus` (or KP_TABLE_NAME and the default bus). `resolveStageTarget`
 * completes an AWS target from its stage's stack outputs.
 */
export function resolveTarget(
  options: TargetOptions,
  outputs: StageOutputs = {},
  unreadBecause = "not asked for",
): Target {
  if (options.aws) {
    const stage = checkedStage(options);
    const eventBusName = options.bus ?? outputs.eventBusName ?? DEFAULT_EVENT_BUS_NAME;
    // The SDK's own settings: AWS_PROFILE / AWS_REGION, ~/.aws/config, SSO, roles...
    const clientConfig = {
      ...(options.region === undefined ? {} : { region: options.region }),
      ...(options.profile === undefined ? {} : { profile: options.profile }),
    };
    const tableName = options.table ?? outputs.tableName ?? process.env.KP_TABLE_NAME;
    return {
      kind: "aws",
      eventBusName,
      eventBridge: new EventBridgeClient(clientConfig),
      dynamodb: new DynamoDBClient(clientConfig),
      tableName: () => {
        if (tableName === undefined) {
          throw new UsageError(
            `Name the table with --table or KP_TABLE_NAME: the outputs of ${stackNames(stage).stateful} could not be read (${unreadBecause}); cdk deploy prints it as ${stackNames(stage).stateful}.TableName.`,
          );
        }
        return tableName;
      },
      describe: `AWS, stage ${stage} (bus ${eventBusName})`,
      stage,
      outputs,
      clientConfig,
    };
  }
  if (options.stage !== undefined) {
    throw new UsageError(
      "--stage names a deployed stage: use it with --aws (the local runtime runs one copy)",
    );
  }
  const localDir = resolve(
    projectDir(),
    options["local-dir"] ?? process.env.KP_LOCAL_DIR ?? ".kp-local",
  );
  const runtime = readRuntimeFile(localDir);
  const region = runtime?.region ?? "eu-central-1";
  const localOutputs = stageOutputs(DEFAULT_STAGE, runtime?.outputs ?? {});
  const eventBusName = options.bus ?? localOutputs.eventBusName ?? DEFAULT_EVENT_BUS_NAME;
  const eventBridgeEndpoint =
    options.endpoint ?? runtime?.eventBridgeEndpoint ?? "http://127.0.0.1:4010";
  const clientConfig = { region, credentials: LOCAL_CREDENTIALS };
  return {
    kind: "local",
    eventBusName,
    eventBridge: new EventBridgeClient({ ...clientConfig, endpoint: eventBridgeEndpoint }),
    dynamodb: new DynamoDBClient({
      ...clientConfig,
      endpoint: runtime?.dynamodbEndpoint ?? "http://127.0.0.1:4567",
    }),
    tableName: () => {
      const name = options.table ?? Object.values(runtime?.tables ?? {})[0];
      if (name === undefined) {
        throw new UsageError(
          `No local runtime found in ${localDir}: start it with \`npm start\` (or pass --aws).`,
        );
      }
      return name;
    },
    describe: `the local runtime at ${eventBridgeEndpoint} (bus ${eventBusName})`,
    eventBridgeEndpointUrl: eventBridgeEndpoint,
    stage: localOutputs.stage ?? DEFAULT_STAGE,
    outputs: localOutputs,
    clientConfig,
    sesEndpointUrl: runtime?.sesEndpoint ?? "http://127.0.0.1:8005",
    localDir,
  };
}

/** The outputs of a stage's KpStateful and KpStateless, as `<stack>.<output id>`. */
async function describeStageStacks(
  cloudFormation: CloudFormationClient,
  stage: string,
): Promise<Record<string, string>> {
  const names = stackNames(stage);
  const byStack: Record<string, string> = {};
  for (const stackName of [names.stateful, names.stateless]) {
    const { Stacks = [] } = await cloudFormation.send(
      new DescribeStacksCommand({ StackName: stackName }),
    );
    for (const output of Stacks[0]?.Outputs ?? []) {
      if (output.OutputKey !== undefined && output.OutputValue !== undefined) {
        byStack[`${stackName}.${output.OutputKey}`] = output.OutputValue;
      }
    }
  }
  return byStack;
}

/**
 * The target, with an AWS stage's bus, table, queues and topic read from its stacks' outputs
 * (CloudFormation DescribeStacks), so no name is copied by hand; `--table` and `--bus` still win.
 * A stage named with `--stage` must be found (or both names given); the default stage, prod,
 * falls back to the default bus and KP_TABLE_NAME, as before stages existed.
 */
export async function resolveStageTarget(
  options: TargetOptions,
  cloudFormation?: CloudFormationClient,
): Promise<Target> {
  if (!options.aws) return resolveTarget(options);
  const stage = checkedStage(options);
  const plain = resolveTarget(options);
  const client = cloudFormation ?? new CloudFormationClient(plain.clientConfig);
  try {
    const outputs = stageOutputs(stage, await describeStageStacks(client, stage));
    plain.eventBridge.destroy();
    plain.dynamodb.destroy();
    return resolveTarget(options, outputs);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const explicit = options.table !== undefined && options.bus !== undefined;
    plain.eventBridge.destroy();
    plain.dynamodb.destroy();
    if (options.stage === undefined || explicit) return resolveTarget(options, {}, reason);
    throw new UsageError(
      `Cannot read the outputs of stage ${stage} (${stackNames(stage).stateful}, ${stackNames(stage).stateless}): ${reason}. Is it deployed in this account and region (cdk deploy --all -c stage=${stage})? Or name them with --table and --bus.`,
    );
  } finally {
    if (cloudFormation === undefined) client.destroy();
  }
}
