import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import { defaultProvider } from "@aws-sdk/credential-provider-node";
import { SignatureV4 } from "@smithy/signature-v4";

/** The SDK's HashConstructor, with Node's crypto. */
class NodeSha256 {
  private hash: Hash | Hmac;

  constructor(private readonly secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = this.fresh();
  }

  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBuffer(data));
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }

  reset(): void {
    this.hash = this.fresh();
  }

  private fresh(): Hash | Hmac {
    return this.secret === undefined
      ? createHash("sha256")
      : createHmac("sha256", toBuffer(this.secret));
  }
}

function toBuffer(data: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof data === "string") return Buffer.from(data, "utf8");
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

export class AwsRequestFailed extends Error {
  override name = "AwsRequestFailed";
}

export interface SignedRequest {
  service: "s3" | "secretsmanager";
  region: string;
  url: URL;
  method: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
}

const credentials = defaultProvider();

/**
 * One AWS API request signed with Signature V4 (the SDK's own signer and credential chain).
 * The two calls the RSVP functions make (S3 GetObject, Secrets Manager GetSecretValue) go
 * through here, since the project carries no S3 or Secrets Manager client.
 */
export async function signedFetch(request: SignedRequest): Promise<Response> {
  const signer = new SignatureV4({
    service: request.service,
    region: request.region,
    credentials,
    sha256: NodeSha256,
    uriEscapePath: request.service !== "s3",
  });
  const query: Record<string, string> = {};
  request.url.searchParams.forEach((value, name) => {
    query[name] = value;
  });
  const signed = await signer.sign({
    method: request.method,
    protocol: request.url.protocol,
    hostname: request.url.hostname,
    ...(request.url.port === "" ? {} : { port: Number(request.url.port) }),
    path: request.url.pathname,
    query,
    headers: { host: request.url.host, ...request.headers },
    ...(request.body === undefined ? {} : { body: request.body }),
  });
  const response = await fetch(request.url, {
    method: request.method,
    headers: signed.headers,
    ...(request.body === undefined ? {} : { body: request.body }),
  });
  if (!response.ok) {
    throw new AwsRequestFailed(
      `${request.service} ${request.method} ${request.url.pathname}: ${response.status} ${await response.text()}`,
    );
  }
  return response;
}

/** The service's endpoint: the SDK's `AWS_ENDPOINT_URL_<SERVICE>` when set (locally), else AWS's. */
export function serviceEndpoint(
  variable: string,
  fallback: string,
  env: NodeJS.ProcessEnv = process.env,
): { url: string; custom: boolean } {
  const custom = env[variable];
  return custom === undefined || custom === ""
    ? { url: fallback, custom: false }
    : { url: custom.replace(/\/$/, ""), custom: true };
}
