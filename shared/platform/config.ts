/** Configuration is read once, at start, and fails loudly when missing. */
export class MissingConfiguration extends Error {
  override name = "MissingConfiguration";
}

export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value === "") {
    throw new MissingConfiguration(`Environment variable ${name} must be set`);
  }
  return value;
}
