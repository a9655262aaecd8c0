import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { dirname, join, normalize } from "node:path";
import { listen } from "./listen.js";

/**
 * The two AWS calls of the answer functions, served locally: S3 GetObject of a received
 * message (stored by the SMTP receiver under the state folder) and Secrets Manager
 * GetSecretValue of the link secret (generated once into the state folder).
 */
export interface AwsStandIns {
  server: Server;
  endpoint: string;
  /** What the functions get on top of their own environment. */
  environment: Record<string, string>;
  /** Where an object of a bucket is kept. */
  objectFile(bucket: string, key: string): string;
  linkSecret(): string;
}

async function body(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startAwsStandIns(options: {
  host: string;
  dataDir: string;
}): Promise<AwsStandIns> {
  const objectsDir = join(options.dataDir, "s3");
  const secretFile = join(options.dataDir, "rsvp-link-secret");
  const linkSecret = () => {
    if (!existsSync(secretFile)) {
      writeFileSync(secretFile, randomBytes(32).toString("base64url"), { mode: 0o600 });
    }
    return readFileSync(secretFile, "utf8").trim();
  };
  const objectFile = (bucket: string, key: string) => {
    const file = normalize(join(objectsDir, bucket, key));
    if (!file.startsWith(`${objectsDir}/`)) throw new RangeError(`No such object: ${key}`);
    return file;
  };
  const answer = (response: ServerResponse, status: number, type: string, text: string) => {
    response.writeHead(status, { "content-type": type });
    response.end(text);
  };
  const server = createServer((request, response) => {
    void (async () => {
      const target = String(request.headers["x-amz-target"] ?? "");
      if (request.method === "POST" && target === "secretsmanager.GetSecretValue") {
        const { SecretId } = JSON.parse(await body(request)) as { SecretId?: string };
        answer(
          response,
          200,
          "application/x-amz-json-1.1",
          JSON.stringify({ ARN: SecretId, Name: SecretId, SecretString: linkSecret() }),
        );
        return;
      }
      if (request.method === "GET") {
        const [bucket = "", ...key] = (request.url ?? "/").slice(1).split("?")[0]?.split("/") ?? [];
        const file = objectFile(decodeURIComponent(bucket), key.map(decodeURIComponent).join("/"));
        if (existsSync(file)) {
          response.writeHead(200, { "content-type": "message/rfc822" });
          response.end(readFileSync(file));
          return;
        }
        answer(response, 404, "application/xml", "<Error><Code>NoSuchKey</Code></Error>");
        return;
      }
      answer(response, 400, "application/json", JSON.stringify({ message: "Not served locally" }));
    })().catch((error: unknown) => answer(response, 500, "text/plain", String(error)));
  });
  const endpoint = await listen(server, options.host, 0);
  return {
    server,
    endpoint,
    environment: {
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
    },
    objectFile(bucket, key) {
      const file = objectFile(bucket, key);
      mkdirSync(dirname(file), { recursive: true });
      return file;
    },
    linkSecret,
  };
}
