import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from "aws-lambda";
import { DynamoContactRepository } from "../../shared/adapters/contact-repository.js";
import { createDocumentClient } from "../../shared/adapters/dynamodb-client.js";
import { DynamoMeetingRepository } from "../../shared/adapters/meeting-repository.js";
import { DynamoRsvpRepository } from "../../shared/adapters/rsvp-repository.js";
import { SecretsManagerSecret } from "../../shared/adapters/secret-reader.js";
import { answerByLink } from "../../shared/domain/rsvp-link.js";
import { rsvpPage } from "../../shared/notices/rsvp-page.js";
import { requireEnv } from "../../shared/platform/config.js";

const logger = new Logger();
const tableName = requireEnv("TABLE_NAME");
const documents = createDocumentClient();
const secret = new SecretsManagerSecret(requireEnv("RSVP_SECRET_ARN"), requireEnv("AWS_REGION"));
const context = {
  secret: () => secret.read(),
  meetings: new DynamoMeetingRepository(documents, tableName),
  contacts: new DynamoContactRepository(documents, tableName),
  rsvps: new DynamoRsvpRepository(documents, tableName),
};

/** The page behind the email's answer links (HTTP API: GET and POST /rsvp/{token}). */
export const handler = middy<
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Error,
  Context
>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const method = event.requestContext.http.method.toUpperCase();
    const token = event.pathParameters?.token ?? "";
    if (method !== "GET" && method !== "POST") {
      return { statusCode: 405, headers: { allow: "GET, POST" }, body: "" };
    }
    // The page's forms POST `action=resume` (turn reminders back on); a one-click unsubscribe
    // POSTs `List-Unsubscribe=One-Click`, which stops them as the page's own form does.
    const form = new URLSearchParams(
      event.body === undefined
        ? ""
        : event.isBase64Encoded
          ? Buffer.from(event.body, "base64").toString("utf8")
          : event.body,
    );
    const action = form.get("action") ?? undefined;
    const outcome = await answerByLink(
      { method, token, ...(action === undefined ? {} : { action }) },
      { ...context, now: new Date() },
    );
    logger.info("Answer link", {
      method,
      page: outcome.page,
      ...(outcome.page === "invalid" ? { problem: outcome.problem } : {}),
    });
    return rsvpPage(outcome);
  });
