import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { DEFAULT_EVENT_BUS_NAME } from "../shared/contract/index.js";

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
  "local-dir"?: string;
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
}

interface RuntimeFile {
  eventBridgeEndpoint: string;
  dynamodbEndpoint: string;
  region: string;
  tables: Record<string, string>;
}

const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

export function projectDir(): string {
  return resolve(import.meta.dirname, "..");
}

function readRuntimeFile(localDir: string): RuntimeFile | undefined {
  const file = join(localDir, "runtime.json");
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as RuntimeFile) : undefined;
}

export function resolveTarget(options: TargetOptions): Target {
  const eventBusName = options.bus ?? DEFAULT_EVENT_BUS_NAME;
  if (options.aws) {
    // The SDK's own settings: AWS_PROFILE / AWS_REGION, ~/.aws/config, SSO, roles...
    const clientConfig = {
      ...(options.region === undefined ? {} : { region: options.region }),
      ...(options.profile === undefined ? {} : { profile: options.profile }),
    };
    const tableName = options.table ?? process.env.KP_TABLE_NAME;
    return {
      kind: "aws",
      eventBusName,
      eventBridge: new EventBridgeClient(clientConfig),
      dynamodb: new DynamoDBClient(clientConfig),
      tableName: () => {
        if (tableName === undefined) {
          throw new UsageError(
            "Name the table with --table or KP_TABLE_NAME (cdk deploy prints it as KpStateful.TableName).",
          );
        }
        return tableName;
      },
      describe: `AWS (bus ${eventBusName})`,
    };
  }
  const localDir = resolve(
    projectDir(),
    options["local-dir"] ?? process.env.KP_LOCAL_DIR ?? ".kp-local",
  );
  const runtime = readRuntimeFile(localDir);
  const region = runtime?.region ?? "eu-central-1";
  const eventBridgeEndpoint =
    options.endpoint ?? runtime?.eventBridgeEndpoint ?? "http://127.0.0.1:4010";
  return {
    kind: "local",
    eventBusName,
    eventBridge: new EventBridgeClient({
      endpoint: eventBridgeEndpoint,
      region,
      credentials: LOCAL_CREDENTIALS,
    }),
    dynamodb: new DynamoDBClient({
      endpoint: runtime?.dynamodbEndpoint ?? "http://127.0.0.1:4567",
      region,
      credentials: LOCAL_CREDENTIALS,
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
  };
}
