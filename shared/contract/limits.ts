/**
 * Bounds every detail must keep before its schema reads it. No detail of the contract nests
 * deeper than four levels or holds more than a few hundred values; EventBridge lets through
 * anything up to 256 KB (thousands of levels, 100,000 array elements, numbers no double holds).
 * These limits turn such input into a plain reason at once, so neither zod nor anything after
 * it walks a shape the contract never has.
 */
export const MAX_DETAIL_DEPTH = 32;
export const MAX_DETAIL_VALUES = 10_000;

interface Path {
  key: string;
  parent: Path | undefined;
}

function pathText(prefix: string, path: Path | undefined, shown = 8): string {
  const keys: string[] = [];
  for (let at = path; at !== undefined; at = at.parent) keys.push(at.key);
  keys.reverse();
  const head = keys.slice(0, shown).map((key) => (key.length > 40 ? `${key.slice(0, 40)}…` : key));
  return [prefix, ...head].join(".") + (keys.length > shown ? "…" : "");
}

/**
 * Why this detail cannot be a detail of the contract whatever its fields, or undefined when its
 * shape is within the bounds. Walks an explicit stack: depth costs memory, not the call stack.
 */
export function detailShapeProblem(detail: unknown, prefix = "detail"): string | undefined {
  const stack: { value: unknown; depth: number; path: Path | undefined }[] = [
    { value: detail, depth: 0, path: undefined },
  ];
  let values = 0;
  while (stack.length > 0) {
    const { value, depth, path } = stack.pop() as (typeof stack)[number];
    values += 1;
    if (typeof value === "number" && !Number.isFinite(value)) {
      return `${pathText(prefix, path)}: is a number no double holds (it reads as ${value}); no field of the contract is such a number`;
    }
    if (typeof value !== "object" || value === null) continue;
    if (depth >= MAX_DETAIL_DEPTH) {
      return `${prefix} is nested more than ${MAX_DETAIL_DEPTH} levels deep (at ${pathText(prefix, path)}); no detail of the contract nests deeper than 4`;
    }
    const keys = Object.keys(value);
    if (values + stack.length + keys.length > MAX_DETAIL_VALUES) {
      return `${prefix} holds more than ${MAX_DETAIL_VALUES} values; no detail of the contract holds more than a few hundred`;
    }
    for (const key of keys) {
      stack.push({
        value: (value as Record<string, unknown>)[key],
        depth: depth + 1,
        path: { key, parent: path },
      });
    }
  }
  return undefined;
}
