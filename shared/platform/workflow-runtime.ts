import { Logger } from "@aws-lambda-powertools/logger";
import { DynamoContactRepository } from "../adapters/contact-repository.js";
import { createDocumentClient } from "../adapters/dynamodb-client.js";
import { DynamoRejectionRepository } from "../adapters/rejection-repository.js";
import { requireEnv } from "./config.js";
import { createMetrics } from "./metrics.js";

/**
 * What every workflow function builds once per execution environment, from the environment
 * the stack gives it: the table, the clients and the repositories.
 */
export function createWorkflowRuntime(env: NodeJS.ProcessEnv = process.env) {
  const tableName = requireEnv("TABLE_NAME", env);
  const documentClient = createDocumentClient();
  return {
    tableName,
    documentClient,
    logger: new Logger(),
    metrics: createMetrics(),
    contacts: new DynamoContactRepository(documentClient, tableName),
    rejections: new DynamoRejectionRepository(documentClient, tableName),
  };
}
