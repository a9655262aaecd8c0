/** Flags that take no value; every other `--flag` takes the next word (or `--flag=value`). */
const BOOLEAN_FLAGS = new Set([
  "json",
  "aws",
  "dry-run",
  "help",
  "after-send",
  "no-wait",
  "delete",
]);

export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string | true>;
}

export function parseArgs(argv: string[]): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (let index = 0; index < argv.length; index += 1) {
    const token = argv[index] ?? "";
    if (token === "-h") {
      flags.set("help", true);
    } else if (token.startsWith("--")) {
      const [name = "", inline] = token.slice(2).split(/=(.*)/s, 2);
      if (BOOLEAN_FLAGS.has(name)) {
        flags.set(name, true);
      } else if (inline !== undefined) {
        flags.set(name, inline);
      } else {
        const value = argv[index + 1];
        if (value === undefined || value.startsWith("--")) {
          throw new Error(
            `--${name} needs a value (use --${name}=--text for a value starting with --)`,
          );
        }
        flags.set(name, value);
        index += 1;
      }
    } else {
      positionals.push(token);
    }
  }
  return { positionals, flags };
}

/** Detail fields whose flag value is a comma-separated list, or a yes/no. */
const LIST_FIELDS = new Set(["roles", "audience.countries"]);
const BOOLEAN_FIELDS = new Set(["reminders"]);
/** Keys that would reach Object.prototype instead of the detail. */
const UNSAFE_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/** `--venue.city Berlin --roles focal-point,observer` → { venue: { city: "Berlin" }, roles: [...] } */
export function detailFromFlags(flags: Map<string, string | true>): Record<string, unknown> {
  const detail: Record<string, unknown> = {};
  for (const [path, raw] of flags) {
    const value =
      raw === true
        ? true
        : LIST_FIELDS.has(path)
          ? raw
              .split(",")
              .map((item) => item.trim())
              .filter(Boolean)
          : BOOLEAN_FIELDS.has(path) && ["true", "false"].includes(raw)
            ? raw === "true"
            : raw;
    const keys = path.split(".");
    if (keys.some((key) => UNSAFE_KEYS.has(key))) throw new Error(`--${path} is not a field`);
    let node = detail;
    for (const key of keys.slice(0, -1)) {
      const child = node[key];
      node[key] = typeof child === "object" && child !== null ? child : {};
      node = node[key] as Record<string, unknown>;
    }
    node[keys.at(-1) ?? path] = value;
  }
  return detail;
}
