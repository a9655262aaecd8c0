import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

/**
 * One client per execution environment. The endpoint comes from the SDK's own settings
 * (`AWS_ENDPOINT_URL_DYNAMODB` locally), so the same code talks to DynamoDB and to dynalite.
 */
export function createDocumentClient(client = new DynamoDBClient({})): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

/** Every page of a query, in order. */
export async function* pages<Page extends { LastEvaluatedKey?: Record<string, unknown> }>(
  fetchPage: (startKey: Record<string, unknown> | undefined) => Promise<Page>,
): AsyncGenerator<Page> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await fetchPage(startKey);
    yield page;
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
}

export function isConditionalCheckFailed(error: unknown): boolean {
  return error instanceof Error && error.name === "ConditionalCheckFailedException";
}
