import { serviceEndpoint, signedFetch } from "./aws-signed-request.js";

/** Reads a message SES receiving stored in S3 (the receipt rule's S3 action). */
export class S3ReplyMailbox {
  constructor(
    private readonly bucket: string,
    private readonly region: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  async read(key: string): Promise<Buffer> {
    const endpoint = serviceEndpoint(
      "AWS_ENDPOINT_URL_S3",
      `https://${this.bucket}.s3.${this.region}.amazonaws.com`,
      this.env,
    );
    const path = key.split("/").map(encodeURIComponent).join("/");
    // A custom endpoint (the local stand-in) is addressed path-style, AWS's virtual-hosted.
    const url = new URL(
      endpoint.custom ? `${endpoint.url}/${this.bucket}/${path}` : `${endpoint.url}/${path}`,
    );
    const response = await signedFetch({ service: "s3", region: this.region, url, method: "GET" });
    return Buffer.from(await response.arrayBuffer());
  }
}
