import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import sesModule from "aws-ses-v2-local";

type StartSes = (config: { host: string; port: number }) => Promise<Server>;

// aws-ses-v2-local is CommonJS with an ES-module default export.
const startSesServer = ((sesModule as unknown as { default?: StartSes }).default ??
  sesModule) as unknown as StartSes;

/** aws-ses-v2-local: the SES API, a page listing every email at `/`, and `GET /store`. */
export async function startSes(options: {
  host: string;
  port: number;
}): Promise<{ server: Server; endpoint: string }> {
  const server = await startSesServer({ host: options.host, port: options.port });
  const address = server.address() as AddressInfo;
  return { server, endpoint: `http://${options.host}:${address.port}` };
}
