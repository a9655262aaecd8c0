import { resolve } from "node:path";
import { ensureCloudAssembly } from "../local/synth.js";

/** The integration tests run the same cloud assembly as `npm start`: synthesize it once. */
export const ASSEMBLY_DIR = resolve(import.meta.dirname, "..", ".kp-local", "test-cdk.out");

export default async function setup(): Promise<void> {
  await ensureCloudAssembly(resolve(import.meta.dirname, ".."), ASSEMBLY_DIR);
}
