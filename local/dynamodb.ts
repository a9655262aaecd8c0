import type { Server } from "node:http";
import {
  type AttributeValue,
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
  ResourceInUseException,
  ScanCommand,
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
      await reconcileIndexes(client, table);
    }
  }
  return created;
}

/**
 * A table kept from an earlier start whose indexes differ from the template's is rebuilt with
 * its items (dynalite cannot add or drop an index), as a CloudFormation update would give it.
 */
async function reconcileIndexes(client: DynamoDBClient, table: LocalTable): Promise<void> {
  const { Table: described } = await client.send(
    new DescribeTableCommand({ TableName: table.tableName }),
  );
  const existing = (described?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName).sort();
  const wanted = ((table.definition.GlobalSecondaryIndexes ?? []) as { IndexName: string }[])
    .map((index) => index.IndexName)
    .sort();
  if (JSON.stringify(existing) === JSON.stringify(wanted)) return;
  const items: Record<string, AttributeValue>[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: table.tableName, ExclusiveStartKey: startKey }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  await client.send(new DeleteTableCommand({ TableName: table.tableName }));
  await client.send(
    new CreateTableCommand({
      TableName: table.tableName,
      BillingMode: "PAY_PER_REQUEST",
      ...(table.definition as Omit<CreateTableCommandInput, "TableName">),
    }),
  );
  for (const item of items) {
    await client.send(new PutItemCommand({ TableName: table.tableName, Item: item }));
  }
}

export function localDynamoDbClient(endpoint: string, region: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
}
