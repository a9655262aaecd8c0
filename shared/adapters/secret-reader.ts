import { serviceEndpoint, signedFetch } from "./aws-signed-request.js";

export class EmptySecret extends Error {
  override name = "EmptySecret";
}

/** A secret's string from AWS Secrets Manager, read once per execution environment. */
export class SecretsManagerSecret {
  private value: Promise<string> | undefined;

  constructor(
    private readonly secretId: string,
    private readonly region: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  read(): Promise<string> {
    this.value ??= this.fetch().catch((error: unknown) => {
      // A failed read is not kept: the next invocation tries again.
      this.value = undefined;
      throw error;
    });
    return this.value;
  }

  private async fetch(): Promise<string> {
    const endpoint = serviceEndpoint(
      "AWS_ENDPOINT_URL_SECRETS_MANAGER",
      `https://secretsmanager.${this.region}.amazonaws.com`,
      this.env,
    );
    const response = await signedFetch({
      service: "secretsmanager",
      region: this.region,
      url: new URL(`${endpoint.url}/`),
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "secretsmanager.GetSecretValue",
      },
      body: JSON.stringify({ SecretId: this.secretId }),
    });
    const { SecretString } = (await response.json()) as { SecretString?: string };
    if (SecretString === undefined || SecretString === "") {
      throw new EmptySecret(`Secret ${this.secretId} has no string value`);
    }
    return SecretString;
  }
}
