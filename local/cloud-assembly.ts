import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type EventPattern, parseEventPattern } from "./event-pattern.js";
import type { SesEventDestination } from "./ses-simulator.js";

/** The account and region the local runtime pretends to be. */
export interface LocalEnvironment {
  account: string;
  region: string;
}

interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
}

interface Template {
  Resources?: Record<string, TemplateResource>;
  Outputs?: Record<string, { Value: unknown; Export?: { Name: unknown } }>;
}

export interface LocalTable {
  logicalId: string;
  tableName: string;
  /** CreateTable input taken from the template's properties. */
  definition: {
    KeySchema: unknown;
    AttributeDefinitions: unknown;
    GlobalSecondaryIndexes?: unknown;
    LocalSecondaryIndexes?: unknown;
  };
}

export interface LocalQueue {
  logicalId: string;
  queueName: string;
  arn: string;
  /** RedrivePolicy: a message received this many times moves to the dead-letter queue. */
  redrive?: { deadLetterTargetArn: string; maxReceiveCount: number };
}

/** An SQS queue read by a function in batches (`AWS::Lambda::EventSourceMapping`). */
export interface LocalEventSourceMapping {
  queueArn: string;
  functionArn: string;
  batchSize: number;
  /** MaximumBatchingWindowInSeconds: how long a batch gathers before it is handed over. */
  batchingWindowMs: number;
  /** ReportBatchItemFailures: the function names the records that failed. */
  reportBatchItemFailures: boolean;
  enabled: boolean;
}

/** An archive of a bus: the events its pattern matches, kept for replay. */
export interface LocalArchive {
  archiveName: string;
  arn: string;
  eventBusName: string;
  /** No pattern: every event of the bus. */
  eventPattern?: EventPattern;
}

export interface LocalFunction {
  logicalId: string;
  /** The construct id, which is also the folder under functions/. */
  name: string;
  arn: string;
  /** The bundled code (index.mjs) in the cloud assembly. */
  codeFile: string;
  handlerExport: string;
  environment: Record<string, string>;
  timeoutSeconds: number;
  memorySize: number;
  /** ReservedConcurrentExecutions: at most this many run at once. */
  reservedConcurrency?: number;
  maximumRetryAttempts: number;
  maximumEventAgeSeconds: number;
  deadLetterQueueArn?: string;
}

export interface LocalTarget {
  id: string;
  arn: string;
  input?: string;
  inputPath?: string;
  maximumRetryAttempts: number;
  maximumEventAgeSeconds: number;
  deadLetterQueueArn?: string;
}

export interface LocalRule {
  logicalId: string;
  name: string;
  arn: string;
  eventBusName: string;
  /** An event-pattern rule matches events; a schedule rule fires every `scheduleMs`. */
  eventPattern?: EventPattern;
  scheduleMs?: number;
  enabled: boolean;
  targets: LocalTarget[];
}

/** Everything the local runtime runs, as the synthesized templates define it. */
export interface LocalSystem {
  eventBuses: string[];
  tables: LocalTable[];
  queues: LocalQueue[];
  archives: LocalArchive[];
  functions: LocalFunction[];
  rules: LocalRule[];
  eventSourceMappings: LocalEventSourceMapping[];
  /** Configuration sets whose SES events go to an EventBridge bus. */
  sesEventDestinations: SesEventDestination[];
  outputs: Record<string, string>;
  /**
   * What BucketDeployments copy into their buckets, as directories of the assembly (the built
   * console's files): the local runtime serves them itself.
   */
  staticSites?: string[];
}

export class UnsupportedTemplateFeature extends Error {
  override name = "UnsupportedTemplateFeature";
}

interface Stack {
  name: string;
  template: Template;
}

function readStacks(assemblyDir: string): Stack[] {
  const manifest = JSON.parse(readFileSync(join(assemblyDir, "manifest.json"), "utf8")) as {
    artifacts: Record<string, { type: string; properties?: { templateFile?: string } }>;
  };
  return Object.entries(manifest.artifacts)
    .filter(([, artifact]) => artifact.type === "aws:cloudformation:stack")
    .map(([name, artifact]) => ({
      name,
      template: JSON.parse(
        readFileSync(join(assemblyDir, artifact.properties?.templateFile ?? ""), "utf8"),
      ) as Template,
    }));
}

/**
 * Resolves CloudFormation intrinsics the way a deployment would, with local names:
 * Ref, Fn::GetAtt (Arn), Fn::ImportValue, Fn::Join, Fn::Sub and the pseudo parameters.
 */
class Resolver {
  private readonly exports = new Map<string, { stack: Stack; value: unknown }>();

  constructor(
    stacks: Stack[],
    private readonly environment: LocalEnvironment,
  ) {
    for (const stack of stacks) {
      for (const output of Object.values(stack.template.Outputs ?? {})) {
        if (output.Export !== undefined) {
          this.exports.set(String(output.Export.Name), { stack, value: output.Value });
        }
      }
    }
  }

  physicalName(stack: Stack, logicalId: string): string {
    const resource = this.resource(stack, logicalId);
    const properties = resource.Properties ?? {};
    switch (resource.Type) {
      case "AWS::DynamoDB::Table":
        return String(this.resolve(stack, properties.TableName ?? `${stack.name}-${logicalId}`));
      case "AWS::Events::EventBus":
        return String(this.resolve(stack, properties.Name));
      case "AWS::SQS::Queue":
        return String(this.resolve(stack, properties.QueueName ?? `${stack.name}-${logicalId}`));
      case "AWS::Events::Archive":
        return String(this.resolve(stack, properties.ArchiveName ?? `${stack.name}-${logicalId}`));
      default:
        return `${stack.name}-${logicalId}`;
    }
  }

  arn(stack: Stack, logicalId: string): string {
    const { account, region } = this.environment;
    const resource = this.resource(stack, logicalId);
    const name = this.physicalName(stack, logicalId);
    switch (resource.Type) {
      case "AWS::DynamoDB::Table":
        return `arn:aws:dynamodb:${region}:${account}:table/${name}`;
      case "AWS::Events::EventBus":
        return `arn:aws:events:${region}:${account}:event-bus/${name}`;
      case "AWS::SQS::Queue":
        return `arn:aws:sqs:${region}:${account}:${name}`;
      case "AWS::Lambda::Function":
        return `arn:aws:lambda:${region}:${account}:function:${name}`;
      case "AWS::Events::Archive":
        return `arn:aws:events:${region}:${account}:archive/${name}`;
      default:
        return `arn:aws:local:${region}:${account}:${resource.Type}/${name}`;
    }
  }

  resolve(stack: Stack, value: unknown): unknown {
    if (Array.isArray(value)) return value.map((item) => this.resolve(stack, item));
    if (typeof value !== "object" || value === null) return value;
    const entries = Object.entries(value);
    const [key, argument] = entries[0] ?? [];
    if (entries.length !== 1 || key === undefined) {
      return Object.fromEntries(entries.map(([k, v]) => [k, this.resolve(stack, v)]));
    }
    switch (key) {
      case "Ref":
        return this.ref(stack, String(argument));
      case "Fn::GetAtt": {
        const [logicalId, attribute] = argument as [string, string];
        if (attribute !== "Arn") {
          throw new UnsupportedTemplateFeature(`Fn::GetAtt ${logicalId}.${attribute}`);
        }
        return this.arn(stack, logicalId);
      }
      case "Fn::ImportValue": {
        const exported = this.exports.get(String(this.resolve(stack, argument)));
        if (exported === undefined) {
          throw new UnsupportedTemplateFeature(`No stack exports ${JSON.stringify(argument)}`);
        }
        return this.resolve(exported.stack, exported.value);
      }
      case "Fn::Join": {
        const [separator, parts] = argument as [string, unknown[]];
        return parts.map((part) => String(this.resolve(stack, part))).join(separator);
      }
      case "Fn::Sub":
        return String(argument).replace(/\$\{([^}]+)\}/g, (_, name: string) =>
          String(this.ref(stack, name)),
        );
      default:
        return Object.fromEntries(entries.map(([k, v]) => [k, this.resolve(stack, v)]));
    }
  }

  private ref(stack: Stack, name: string): unknown {
    switch (name) {
      case "AWS::Region":
        return this.environment.region;
      case "AWS::AccountId":
        return this.environment.account;
      case "AWS::Partition":
        return "aws";
      case "AWS::URLSuffix":
        return "amazonaws.com";
      case "AWS::StackName":
        return stack.name;
      default:
        return this.physicalName(stack, name);
    }
  }

  private resource(stack: Stack, logicalId: string): TemplateResource {
    const resource = stack.template.Resources?.[logicalId];
    if (resource === undefined) {
      throw new UnsupportedTemplateFeature(`${stack.name} has no resource ${logicalId}`);
    }
    return resource;
  }
}

const RATE_UNITS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** rate(5 minutes) → 300000. Cron schedules are not run locally (the app defines none). */
export function scheduleInterval(expression: string): number {
  const match = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression);
  if (match === null) {
    throw new UnsupportedTemplateFeature(
      `Schedule ${expression}: only rate(...) schedules run locally`,
    );
  }
  return Number(match[1]) * (RATE_UNITS[match[2] ?? "minute"] ?? 60_000);
}

function resourcesOfType(stack: Stack, type: string): [string, TemplateResource][] {
  return Object.entries(stack.template.Resources ?? {}).filter(
    ([, resource]) => resource.Type === type,
  );
}

function constructId(resource: TemplateResource, fallback: string): string {
  const path = String(resource.Metadata?.["aws:cdk:path"] ?? fallback);
  const parts = path.split("/");
  return parts.length >= 2 ? (parts[parts.length - 2] ?? fallback) : fallback;
}

function loadFunction(
  stack: Stack,
  logicalId: string,
  resource: TemplateResource,
  resolver: Resolver,
  assemblyDir: string,
): LocalFunction {
  const properties = resource.Properties ?? {};
  const assetPath = resource.Metadata?.["aws:asset:path"];
  if (typeof assetPath !== "string") {
    throw new UnsupportedTemplateFeature(`${logicalId} has no bundled code asset`);
  }
  const [fileBase = "index", handlerExport = "handler"] = String(properties.Handler).split(".");
  const codeFile = [".mjs", ".js"]
    .map((extension) => join(assemblyDir, assetPath, `${fileBase}${extension}`))
    .find((file) => existsSync(file));
  if (codeFile === undefined) {
    throw new UnsupportedTemplateFeature(`${logicalId}: no ${fileBase}.mjs in ${assetPath}`);
  }
  const variables = resolver.resolve(
    stack,
    (properties.Environment as { Variables?: unknown } | undefined)?.Variables ?? {},
  ) as Record<string, unknown>;
  const invokeConfig = resourcesOfType(stack, "AWS::Lambda::EventInvokeConfig").find(
    ([, config]) =>
      JSON.stringify(config.Properties?.FunctionName) === JSON.stringify({ Ref: logicalId }),
  )?.[1]?.Properties;
  const deadLetterTarget = (properties.DeadLetterConfig as { TargetArn?: unknown } | undefined)
    ?.TargetArn;
  return {
    logicalId,
    name: constructId(resource, logicalId),
    arn: resolver.arn(stack, logicalId),
    codeFile,
    handlerExport,
    environment: Object.fromEntries(
      Object.entries(variables).map(([name, value]) => [name, String(value)]),
    ),
    timeoutSeconds: Number(properties.Timeout ?? 3),
    memorySize: Number(properties.MemorySize ?? 128),
    ...(properties.ReservedConcurrentExecutions === undefined
      ? {}
      : { reservedConcurrency: Number(properties.ReservedConcurrentExecutions) }),
    // Lambda's defaults for asynchronous invocation when no EventInvokeConfig is given.
    maximumRetryAttempts: Number(invokeConfig?.MaximumRetryAttempts ?? 2),
    maximumEventAgeSeconds: Number(invokeConfig?.MaximumEventAgeInSeconds ?? 21600),
    ...(deadLetterTarget === undefined
      ? {}
      : { deadLetterQueueArn: String(resolver.resolve(stack, deadLetterTarget)) }),
  };
}

function loadTarget(
  stack: Stack,
  target: Record<string, unknown>,
  resolver: Resolver,
): LocalTarget {
  if (target.InputTransformer !== undefined) {
    throw new UnsupportedTemplateFeature(`Target ${String(target.Id)}: InputTransformer`);
  }
  const retryPolicy = (target.RetryPolicy ?? {}) as Record<string, unknown>;
  const deadLetter = (target.DeadLetterConfig as { Arn?: unknown } | undefined)?.Arn;
  return {
    id: String(target.Id),
    arn: String(resolver.resolve(stack, target.Arn)),
    ...(target.Input === undefined ? {} : { input: String(resolver.resolve(stack, target.Input)) }),
    ...(target.InputPath === undefined ? {} : { inputPath: String(target.InputPath) }),
    // EventBridge's defaults: 185 attempts over 24 hours.
    maximumRetryAttempts: Number(retryPolicy.MaximumRetryAttempts ?? 185),
    maximumEventAgeSeconds: Number(retryPolicy.MaximumEventAgeInSeconds ?? 86400),
    ...(deadLetter === undefined
      ? {}
      : { deadLetterQueueArn: String(resolver.resolve(stack, deadLetter)) }),
  };
}

/** Reads a synthesized cloud assembly (cdk.out) into what the local runtime runs. */
export function loadLocalSystem(assemblyDir: string, environment: LocalEnvironment): LocalSystem {
  const stacks = readStacks(assemblyDir);
  const resolver = new Resolver(stacks, environment);
  const system: LocalSystem = {
    eventBuses: ["default"],
    tables: [],
    queues: [],
    archives: [],
    functions: [],
    rules: [],
    eventSourceMappings: [],
    sesEventDestinations: [],
    outputs: {},
  };
  for (const stack of stacks) {
    for (const [logicalId, resource] of resourcesOfType(stack, "AWS::DynamoDB::Table")) {
      const properties = resource.Properties ?? {};
      system.tables.push({
        logicalId,
        tableName: resolver.physicalName(stack, logicalId),
        definition: {
          KeySchema: properties.KeySchema,
          AttributeDefinitions: properties.AttributeDefinitions,
          ...(properties.GlobalSecondaryIndexes === undefined
            ? {}
            : { GlobalSecondaryIndexes: properties.GlobalSecondaryIndexes }),
          ...(properties.LocalSecondaryIndexes === undefined
            ? {}
            : { LocalSecondaryIndexes: properties.LocalSecondaryIndexes }),
        },
      });
    }
    for (const [logicalId] of resourcesOfType(stack, "AWS::Events::EventBus")) {
      system.eventBuses.push(resolver.physicalName(stack, logicalId));
    }
    for (const [logicalId, resource] of resourcesOfType(stack, "AWS::SQS::Queue")) {
      const properties = resource.Properties ?? {};
      const redrive = properties.RedrivePolicy as
        | { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown }
        | undefined;
      system.queues.push({
        logicalId,
        queueName: resolver.physicalName(stack, logicalId),
        arn: resolver.arn(stack, logicalId),
        ...(redrive === undefined
          ? {}
          : {
              redrive: {
                deadLetterTargetArn: String(resolver.resolve(stack, redrive.deadLetterTargetArn)),
                maxReceiveCount: Number(redrive.maxReceiveCount),
              },
            }),
      });
    }
    for (const [logicalId, resource] of resourcesOfType(stack, "AWS::Lambda::EventSourceMapping")) {
      const properties = resource.Properties ?? {};
      const functionRef = (properties.FunctionName as { Ref?: unknown } | undefined)?.Ref;
      const queueArn = String(resolver.resolve(stack, properties.EventSourceArn));
      if (typeof functionRef !== "string" || !queueArn.startsWith("arn:aws:sqs:")) {
        throw new UnsupportedTemplateFeature(
          `Event source mapping ${logicalId}: only an SQS queue of the app to a function of its stack`,
        );
      }
      system.eventSourceMappings.push({
        queueArn,
        functionArn: resolver.arn(stack, functionRef),
        // Lambda's default for SQS.
        batchSize: Number(properties.BatchSize ?? 10),
        batchingWindowMs: Number(properties.MaximumBatchingWindowInSeconds ?? 0) * 1000,
        reportBatchItemFailures: ((properties.FunctionResponseTypes ?? []) as unknown[]).includes(
          "ReportBatchItemFailures",
        ),
        enabled: properties.Enabled !== false,
      });
    }
    for (const [logicalId, resource] of resourcesOfType(stack, "AWS::Events::Archive")) {
      const properties = resource.Properties ?? {};
      const sourceArn = String(resolver.resolve(stack, properties.SourceArn));
      system.archives.push({
        archiveName: resolver.physicalName(stack, logicalId),
        arn: resolver.arn(stack, logicalId),
        eventBusName: sourceArn.split(":event-bus/")[1] ?? "default",
        ...(properties.EventPattern === undefined
          ? {}
          : { eventPattern: parseEventPattern(resolver.resolve(stack, properties.EventPattern)) }),
      });
    }
    for (const [logicalId, resource] of resourcesOfType(stack, "AWS::Lambda::Function")) {
      // CDK's own Python handlers (BucketDeployment's) copy files in AWS: locally there is
      // nothing to copy, the runtime serves the files from the assembly (staticSites).
      if (String(resource.Properties?.Runtime ?? "").startsWith("python")) continue;
      system.functions.push(loadFunction(stack, logicalId, resource, resolver, assemblyDir));
    }
    for (const [, resource] of resourcesOfType(stack, "Custom::CDKBucketDeployment")) {
      const keys = (resource.Properties?.SourceObjectKeys ?? []) as unknown[];
      for (const key of keys) {
        const dir = join(assemblyDir, `asset.${String(key).replace(/\.zip$/, "")}`);
        if (existsSync(join(dir, "index.html")))
          system.staticSites = [...(system.staticSites ?? []), dir];
      }
    }
    for (const [logicalId, resource] of resourcesOfType(stack, "AWS::Events::Rule")) {
      const properties = resource.Properties ?? {};
      const schedule = properties.ScheduleExpression;
      if (properties.EventPattern === undefined && schedule === undefined) {
        throw new UnsupportedTemplateFeature(`Rule ${logicalId} has neither pattern nor schedule`);
      }
      const eventBusName = String(resolver.resolve(stack, properties.EventBusName ?? "default"));
      const busPath = eventBusName === "default" ? "" : `${eventBusName}/`;
      system.rules.push({
        logicalId,
        name: constructId(resource, logicalId),
        arn: `arn:aws:events:${environment.region}:${environment.account}:rule/${busPath}${stack.name}-${logicalId}`,
        eventBusName,
        ...(properties.EventPattern === undefined
          ? {}
          : { eventPattern: parseEventPattern(resolver.resolve(stack, properties.EventPattern)) }),
        ...(schedule === undefined ? {} : { scheduleMs: scheduleInterval(String(schedule)) }),
        enabled: properties.State !== "DISABLED",
        targets: ((properties.Targets ?? []) as Record<string, unknown>[]).map((target) =>
          loadTarget(stack, target, resolver),
        ),
      });
    }
    for (const [, resource] of resourcesOfType(
      stack,
      "AWS::SES::ConfigurationSetEventDestination",
    )) {
      const properties = resource.Properties ?? {};
      const destination = (properties.EventDestination ?? {}) as Record<string, unknown>;
      const eventBridge = destination.EventBridgeDestination as
        | { EventBusArn?: unknown }
        | undefined;
      if (eventBridge === undefined || destination.Enabled === false) continue;
      const busArn = String(resolver.resolve(stack, eventBridge.EventBusArn));
      system.sesEventDestinations.push({
        configurationSetName: String(resolver.resolve(stack, properties.ConfigurationSetName)),
        eventBusName: busArn.split(":event-bus/")[1] ?? "default",
        eventTypes: ((destination.MatchingEventTypes ?? []) as unknown[]).map(String),
      });
    }
    for (const [name, output] of Object.entries(stack.template.Outputs ?? {})) {
      if (output.Export === undefined) {
        try {
          system.outputs[`${stack.name}.${name}`] = String(resolver.resolve(stack, output.Value));
        } catch (error) {
          // An output made of what only AWS knows (the DKIM tokens SES generates) has no local
          // value; outputs are for people, and nothing local reads these.
          if (!(error instanceof UnsupportedTemplateFeature)) throw error;
        }
      }
    }
  }
  return system;
}
