import type { Server } from "node:http";
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DynamoDBClient,
  ResourceInUseException,
} from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";
import type { LocalTable } from "./cloud-assembly.js";
import { listen } from "./listen.js";

/** dynalite, with its data on disk so state survives a restart. */
export async function startDynamoDb(options: {
  host: string;
  port: number;
  dataDir: string;
}): Promise<{ server: Server; endpoint: string }> {
  const server = dynalite({
    path: options.dataDir,
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  }) as Server;
  const endpoint = await listen(server, options.host, options.port);
  return { server, endpoint };
}

/** Creates each table of the template that does not exist yet, from the template's definition. */
export async function createTables(
  client: DynamoDBClient,
  tables: LocalTable[],
): Promise<string[]> {
  const created: string[] = [];
  for (const table of tables) {
    try {
      await client.send(
        new CreateTableCommand({
          TableName: table.tableName,
          BillingMode: "PAY_PER_REQUEST",
          ...(table.definition as Omit<CreateTableCommandInput, "TableName">),
        }),
      );
      created.push(table.tableName);
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  }
  return created;
}

export function localDynamoDbClient(endpoint: string, region: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
}
