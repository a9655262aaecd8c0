/**
 * JSON text of any value, built without recursion and cut at a byte budget.
 *
 * JSON.stringify recurses: a detail nested a few thousand levels deep (EventBridge takes up to
 * 256 KB of them) overflows the stack. This walks an explicit stack instead, so the depth of the
 * value costs memory, never the call stack; past `maxBytes` (UTF-8) it stops and says so.
 */
export interface JsonText {
  text: string;
  /** Whether the value did not fit and the text ends with the cut marker. */
  cut: boolean;
}

/** What ends a cut text: plain words, so whoever reads it knows the JSON is incomplete. */
export function cutMarker(maxBytes: number): string {
  return `…[cut: longer than ${maxBytes} bytes; the rest is not kept]`;
}

type Task = { emit: string } | { value: unknown };

/** The longest prefix of `text` whose UTF-8 form fits in `budget` bytes, whole code points only. */
function prefixWithin(text: string, budget: number): string {
  let bytes = 0;
  let end = 0;
  for (const character of text) {
    const size = Buffer.byteLength(character, "utf8");
    if (bytes + size > budget) break;
    bytes += size;
    end += character.length;
  }
  return text.slice(0, end);
}

function scalarText(value: unknown): string | undefined {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      // Native, flat, and it escapes lone surrogates (well-formed JSON.stringify).
      return JSON.stringify(value);
    case "number":
      // 1e400 arrives as Infinity. JSON.stringify writes null, which reads as another input;
      // "1e400" is valid JSON that reads back as Infinity, as the original did. NaN: null.
      if (Number.isFinite(value)) return String(value);
      return Number.isNaN(value) ? "null" : value > 0 ? "1e400" : "-1e400";
    case "boolean":
      return String(value);
    case "bigint":
      return value.toString();
    case "object":
      return undefined;
    default:
      // undefined, functions and symbols have no JSON form.
      return "null";
  }
}

function isOmitted(value: unknown): boolean {
  return value === undefined || typeof value === "function" || typeof value === "symbol";
}

export function jsonText(value: unknown, maxBytes = Number.POSITIVE_INFINITY): JsonText {
  const marker = cutMarker(maxBytes);
  const budget = Math.max(0, maxBytes - Buffer.byteLength(marker, "utf8"));
  const pieces: string[] = [];
  let bytes = 0;
  const stack: Task[] = [{ value }];
  while (stack.length > 0) {
    const task = stack.pop() as Task;
    let piece: string;
    if ("emit" in task) piece = task.emit;
    else {
      const scalar = scalarText(task.value);
      if (scalar !== undefined) piece = scalar;
      else if (Array.isArray(task.value)) {
        const items = task.value as unknown[];
        stack.push({ emit: "]" });
        for (let index = items.length - 1; index >= 0; index -= 1) {
          const item = items[index];
          stack.push(isOmitted(item) ? { emit: "null" } : { value: item });
          if (index > 0) stack.push({ emit: "," });
        }
        piece = "[";
      } else {
        const record = task.value as Record<string, unknown>;
        const entries = Object.keys(record)
          .map((key) => [key, record[key]] as const)
          .filter(([, member]) => !isOmitted(member));
        stack.push({ emit: "}" });
        for (let index = entries.length - 1; index >= 0; index -= 1) {
          const [key, member] = entries[index] as readonly [string, unknown];
          stack.push({ value: member });
          stack.push({ emit: `${index > 0 ? "," : ""}${JSON.stringify(key)}:` });
        }
        piece = "{";
      }
    }
    const size = Buffer.byteLength(piece, "utf8");
    if (bytes + size > budget) {
      pieces.push(prefixWithin(piece, budget - bytes), marker);
      return { text: pieces.join(""), cut: true };
    }
    pieces.push(piece);
    bytes += size;
  }
  return { text: pieces.join(""), cut: false };
}
