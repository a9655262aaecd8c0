/**
 * Amazon EventBridge event-pattern validation and matching.
 *
 * Semantics follow the EventBridge user guide ("Amazon EventBridge event patterns",
 * "Content filtering in event patterns", "Arrays in event patterns", "Matching null values and
 * empty strings") and, where the guide is silent, AWS's open-source Event Ruler, the matching
 * engine EventBridge is built on.
 */

export class InvalidEventPatternError extends Error {
  override name = "InvalidEventPatternError";
}

export type EventPattern = Record<string, unknown>;

type Leaf = string | number | boolean | null;
type Path = readonly string[];

interface Bound {
  value: number;
  inclusive: boolean;
}

interface IpRange {
  version: 4 | 6;
  low: bigint;
  high: bigint;
}

type Wildcard = { literal: string } | { head: string; middle: readonly string[]; tail: string };

type LeafMatcher =
  | { kind: "exact"; value: Leaf }
  | { kind: "prefix"; value: string; ignoreCase: boolean }
  | { kind: "suffix"; value: string; ignoreCase: boolean }
  | { kind: "equals-ignore-case"; value: string }
  | { kind: "wildcard"; wildcard: Wildcard }
  | { kind: "numeric"; lower: Bound | undefined; upper: Bound | undefined }
  | { kind: "cidr"; range: IpRange }
  | { kind: "exists"; exists: boolean }
  | { kind: "anything-but"; excluded: readonly LeafMatcher[] };

type CompiledField =
  | { key: string; kind: "object"; pattern: CompiledObject }
  | { key: string; kind: "leaf"; matchers: readonly LeafMatcher[] };

interface CompiledObject {
  fields: readonly CompiledField[];
  anyOf: readonly CompiledObject[] | undefined;
}

const OR_KEY = "$or";

const OPERATOR_KEYS: ReadonlySet<string> = new Set([
  "anything-but",
  "cidr",
  "equals-ignore-case",
  "exists",
  "numeric",
  "prefix",
  "suffix",
  "wildcard",
]);

const ANYTHING_BUT_OPERATORS: ReadonlySet<string> = new Set([
  "equals-ignore-case",
  "prefix",
  "suffix",
  "wildcard",
]);

const TEST_EVENT_REQUIRED_FIELDS = [
  "id",
  "account",
  "source",
  "time",
  "region",
  "detail-type",
] as const;

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/** Parses and validates a pattern (object or JSON string) as EventBridge would. */
export function parseEventPattern(pattern: unknown): EventPattern {
  const value = typeof pattern === "string" ? parsePatternJson(pattern) : pattern;
  if (!isRecord(value)) {
    invalid("Filter is not an object", []);
  }
  compileObject(value, [], false);
  return value;
}

/** True when the event (the full EventBridge envelope) matches the pattern. */
export function matchesEventPattern(pattern: EventPattern, event: unknown): boolean {
  const compiled = compileObject(pattern, [], false);
  return isRecord(event) && matchesObject(compiled, event);
}

/** Returns an error message when the event lacks a field TestEventPattern requires. */
export function missingTestEventFields(event: unknown): string | undefined {
  if (!isRecord(event)) {
    return "Parameter Event is not valid. The event must be a JSON object.";
  }
  // The API reference also lists `resources`, but the service accepts events without it.
  const missing = TEST_EVENT_REQUIRED_FIELDS.filter((field) => !Object.hasOwn(event, field));
  if (missing.length === 0) {
    return undefined;
  }
  return `Parameter Event is not valid. Missing required field(s): ${missing.join(", ")}`;
}

// ---------------------------------------------------------------------------------------------
// Validation and compilation
// ---------------------------------------------------------------------------------------------

function invalid(reason: string, path: Path): never {
  const where = path.length > 0 ? ` (at "${path.join(".")}")` : "";
  throw new InvalidEventPatternError(`Event pattern is not valid. Reason: ${reason}${where}`);
}

function parsePatternJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return invalid(`Malformed JSON: ${detail}`, []);
  }
}

function compileObject(
  pattern: Record<string, unknown>,
  path: Path,
  insideOr: boolean,
): CompiledObject {
  const entries = Object.entries(pattern);
  if (entries.length === 0) {
    invalid("Empty objects are not allowed", path);
  }
  const fields: CompiledField[] = [];
  let anyOf: CompiledObject[] | undefined;
  for (const [key, value] of entries) {
    if (key === OR_KEY) {
      anyOf = compileOr(value, path);
    } else {
      fields.push(compileField(key, value, [...path, key], insideOr));
    }
  }
  return { fields, anyOf };
}

function compileField(key: string, value: unknown, path: Path, insideOr: boolean): CompiledField {
  if (insideOr && OPERATOR_KEYS.has(key)) {
    invalid(`"${key}" is a reserved keyword and cannot be used as a field name inside $or`, path);
  }
  if (Array.isArray(value)) {
    return { key, kind: "leaf", matchers: compileMatchers(value, path) };
  }
  if (isRecord(value)) {
    return { key, kind: "object", pattern: compileObject(value, path, insideOr) };
  }
  return invalid(`"${key}" must be an object or an array`, path);
}

function compileOr(value: unknown, path: Path): CompiledObject[] {
  if (!Array.isArray(value)) {
    invalid("$or must be followed by an array of objects", path);
  }
  if (value.length < 2) {
    invalid("There must be at least 2 objects in a $or relationship", path);
  }
  return value.map((branch) => {
    if (!isRecord(branch)) {
      invalid("Only JSON objects are allowed in the array of a $or relationship", path);
    }
    return compileObject(branch, path, true);
  });
}

function compileMatchers(values: readonly unknown[], path: Path): LeafMatcher[] {
  if (values.length === 0) {
    invalid("Empty arrays are not allowed", path);
  }
  return values.map((value) => {
    if (isLeaf(value)) {
      return { kind: "exact", value };
    }
    if (isRecord(value)) {
      return compileMatchExpression(value, path);
    }
    return invalid("Match value must be String, number, true, false, or null", path);
  });
}

function singleEntry(expression: Record<string, unknown>, path: Path): [string, unknown] {
  const entries = Object.entries(expression);
  const [first] = entries;
  if (first === undefined) {
    invalid("Match expression name not found", path);
  }
  if (entries.length > 1) {
    invalid("Only one key allowed in match expression", path);
  }
  return first;
}

function compileMatchExpression(expression: Record<string, unknown>, path: Path): LeafMatcher {
  const [operator, operand] = singleEntry(expression, path);
  switch (operator) {
    case "prefix":
    case "suffix":
      return compileAffix(operator, operand, path);
    case "equals-ignore-case":
      return { kind: operator, value: requireString(operand, operator, path).toLowerCase() };
    case "wildcard":
      return {
        kind: operator,
        wildcard: parseWildcard(requireString(operand, operator, path), path),
      };
    case "numeric":
      return compileNumeric(operand, path);
    case "cidr":
      return { kind: operator, range: parseCidr(requireString(operand, operator, path), path) };
    case "exists":
      return compileExists(operand, path);
    case "anything-but":
      return { kind: operator, excluded: compileAnythingBut(operand, path) };
    default:
      return invalid(`Unrecognized match type ${operator}`, path);
  }
}

function requireString(operand: unknown, operator: string, path: Path): string {
  if (typeof operand !== "string") {
    invalid(`${operator} match pattern must be a string`, path);
  }
  return operand;
}

function compileAffix(kind: "prefix" | "suffix", operand: unknown, path: Path): LeafMatcher {
  if (!isRecord(operand)) {
    return { kind, value: requireString(operand, kind, path), ignoreCase: false };
  }
  const [modifier, value] = singleEntry(operand, path);
  if (modifier !== "equals-ignore-case") {
    invalid(`Unsupported ${kind} pattern: ${modifier}`, path);
  }
  return { kind, value: requireString(value, modifier, path).toLowerCase(), ignoreCase: true };
}

function compileExists(operand: unknown, path: Path): LeafMatcher {
  if (typeof operand !== "boolean") {
    invalid("exists match pattern must be either true or false", path);
  }
  return { kind: "exists", exists: operand };
}

// ---------------------------------------------------------------------------------------------
// numeric
// ---------------------------------------------------------------------------------------------

function requireNumber(operand: unknown, operator: string, path: Path): number {
  if (typeof operand !== "number" || !Number.isFinite(operand)) {
    invalid(`Value of ${operator} must be numeric`, path);
  }
  return operand;
}

function rejectExtraTerms(terms: readonly unknown[], allowed: number, path: Path): void {
  if (terms.length > allowed) {
    invalid("Too many elements in numeric expression", path);
  }
}

/** Grammar (as Event Ruler): `= n` | `< n` | `<= n` | `> n` | `>= n` [`<` | `<=` m]. */
function compileNumeric(operand: unknown, path: Path): LeafMatcher {
  if (!Array.isArray(operand)) {
    invalid("Value of numeric must be an array", path);
  }
  if (operand.length === 0) {
    invalid("Value of numeric must not be an empty array", path);
  }
  const [operator, operandValue] = operand;
  if (typeof operator !== "string") {
    invalid(`Invalid member in numeric match: ${JSON.stringify(operator)}`, path);
  }
  switch (operator) {
    case "=": {
      const value = requireNumber(operandValue, "equals", path);
      rejectExtraTerms(operand, 2, path);
      return numericRange({ value, inclusive: true }, { value, inclusive: true });
    }
    case "<":
    case "<=": {
      const value = requireNumber(operandValue, operator, path);
      rejectExtraTerms(operand, 2, path);
      return numericRange(undefined, { value, inclusive: operator === "<=" });
    }
    case ">":
    case ">=": {
      const lower = {
        value: requireNumber(operandValue, operator, path),
        inclusive: operator === ">=",
      };
      return operand.length === 2
        ? numericRange(lower, undefined)
        : numericRange(lower, compileUpperBound(operand.slice(2), lower, path));
    }
    default:
      return invalid(`Unrecognized numeric range operator: ${operator}`, path);
  }
}

function compileUpperBound(terms: readonly unknown[], lower: Bound, path: Path): Bound {
  const [operator, operandValue] = terms;
  if (typeof operator !== "string") {
    invalid(`Bad value in numeric range: ${JSON.stringify(operator)}`, path);
  }
  if (operator !== "<" && operator !== "<=") {
    invalid(`Bad numeric range operator: ${operator}`, path);
  }
  const value = requireNumber(operandValue, operator, path);
  if (terms.length > 2) {
    invalid("Too many terms in numeric range expression", path);
  }
  if (value <= lower.value) {
    invalid("Bottom must be less than top", path);
  }
  return { value, inclusive: operator === "<=" };
}

function numericRange(lower: Bound | undefined, upper: Bound | undefined): LeafMatcher {
  return { kind: "numeric", lower, upper };
}

// ---------------------------------------------------------------------------------------------
// anything-but
// ---------------------------------------------------------------------------------------------

function compileAnythingBut(operand: unknown, path: Path): LeafMatcher[] {
  if (typeof operand === "string" || typeof operand === "number") {
    return [{ kind: "exact", value: operand }];
  }
  if (Array.isArray(operand)) {
    return compileAnythingButList(operand, path);
  }
  if (isRecord(operand)) {
    return compileAnythingButOperator(operand, path);
  }
  return invalid("Value of anything-but must be an array or single string/number value", path);
}

function compileAnythingButList(values: readonly unknown[], path: Path): LeafMatcher[] {
  const strings = values.filter((value) => typeof value === "string");
  const numbers = values.filter((value) => typeof value === "number");
  const excluded = strings.length > 0 ? strings : numbers;
  if (excluded.length === 0 || excluded.length !== values.length) {
    invalid(
      "Inside anything-but list, either all values are number or string, mixed type is not supported",
      path,
    );
  }
  return excluded.map((value) => ({ kind: "exact", value }));
}

function compileAnythingButOperator(
  expression: Record<string, unknown>,
  path: Path,
): LeafMatcher[] {
  const [operator, operand] = singleEntry(expression, path);
  if (!ANYTHING_BUT_OPERATORS.has(operator)) {
    invalid(`Unsupported anything-but pattern: ${operator}`, path);
  }
  const operands = Array.isArray(operand) ? operand : [operand];
  if (operands.length === 0) {
    invalid("Empty arrays are not allowed", path);
  }
  return operands.map((value) => {
    const text = requireString(value, operator, path);
    if (text === "" && (operator === "prefix" || operator === "suffix")) {
      invalid(`anything-but ${operator} must not be empty`, path);
    }
    return compileMatchExpression({ [operator]: text }, path);
  });
}

// ---------------------------------------------------------------------------------------------
// wildcard
// ---------------------------------------------------------------------------------------------

/** `*` matches any run of characters; `\*` is a literal star and `\\` a literal backslash. */
function parseWildcard(pattern: string, path: Path): Wildcard {
  const segments: string[] = [];
  let current = "";
  let previousWasWildcard = false;
  let index = 0;
  while (index < pattern.length) {
    const char = pattern.charAt(index);
    if (char === "*") {
      if (previousWasWildcard) {
        invalid(`Consecutive wildcard characters at pos ${index}`, path);
      }
      segments.push(current);
      current = "";
      previousWasWildcard = true;
      index += 1;
      continue;
    }
    previousWasWildcard = false;
    if (char === "\\") {
      const next = pattern.charAt(index + 1);
      if (next !== "*" && next !== "\\") {
        invalid(`Invalid escape character at pos ${index}`, path);
      }
      current += next;
      index += 2;
    } else {
      current += char;
      index += 1;
    }
  }
  segments.push(current);
  return toWildcard(segments);
}

function toWildcard(segments: readonly string[]): Wildcard {
  const [head = "", ...rest] = segments;
  const tail = rest.pop();
  return tail === undefined ? { literal: head } : { head, middle: rest, tail };
}

function matchesWildcard(wildcard: Wildcard, value: string): boolean {
  if ("literal" in wildcard) {
    return value === wildcard.literal;
  }
  const { head, middle, tail } = wildcard;
  const end = value.length - tail.length;
  if (end < head.length || !value.startsWith(head) || !value.endsWith(tail)) {
    return false;
  }
  // Taking the leftmost occurrence of each middle segment is optimal for `*`-only globs.
  let position = head.length;
  for (const segment of middle) {
    const found = value.indexOf(segment, position);
    if (found < 0 || found + segment.length > end) {
      return false;
    }
    position = found + segment.length;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// cidr
// ---------------------------------------------------------------------------------------------

function parseCidr(cidr: string, path: Path): IpRange {
  const parts = cidr.split("/");
  const [address = "", maskText = ""] = parts;
  if (parts.length !== 2) {
    invalid("Malformed CIDR, one '/' required", path);
  }
  if (!/^\d+$/.test(maskText)) {
    invalid("Malformed CIDR, mask bits must be an integer", path);
  }
  const ip = parseIp(address);
  if (ip === undefined) {
    invalid(`Invalid IP address: ${address}`, path);
  }
  const totalBits = ip.version === 4 ? 32 : 128;
  const maskBits = Number(maskText);
  // Event Ruler rejects host-sized masks (/32, /128); an exact value match covers that case.
  if (maskBits >= totalBits) {
    invalid(`IPv${ip.version} mask bits must be < ${totalBits}`, path);
  }
  const hostMask = (1n << BigInt(totalBits - maskBits)) - 1n;
  // Event Ruler keeps the written address as the lower bound instead of masking it.
  return { version: ip.version, low: ip.value, high: ip.value | hostMask };
}

function parseIp(text: string): { version: 4 | 6; value: bigint } | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) {
    return { version: 4, value: v4 };
  }
  const v6 = parseIpv6(text);
  return v6 === undefined ? undefined : { version: 6, value: v6 };
}

function parseIpv4(text: string): bigint | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (match === null) {
    return undefined;
  }
  const octets = match.slice(1).map(Number);
  if (octets.some((octet) => octet > 255)) {
    return undefined;
  }
  return octets.reduce((acc, octet) => (acc << 8n) | BigInt(octet), 0n);
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split("::");
  if (halves.length > 2) {
    return undefined;
  }
  const [headText = "", tailText] = halves;
  const head = parseIpv6Groups(headText, tailText === undefined);
  const tail = tailText === undefined ? [] : parseIpv6Groups(tailText, true);
  if (head === undefined || tail === undefined) {
    return undefined;
  }
  const missing = 8 - head.length - tail.length;
  if (tailText === undefined ? missing !== 0 : missing < 1) {
    return undefined;
  }
  const zeros = tailText === undefined ? [] : Array.from({ length: missing }, () => 0);
  const groups = [...head, ...zeros, ...tail];
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(group), 0n);
}

/** Hex groups of one side of `::`; a dotted IPv4 tail is allowed only at the very end. */
function parseIpv6Groups(text: string, mayEndWithIpv4: boolean): number[] | undefined {
  if (text === "") {
    return [];
  }
  const pieces = text.split(":");
  const last = pieces.at(-1) ?? "";
  const embedded = mayEndWithIpv4 && last.includes(".") ? parseIpv4(last) : undefined;
  const hexPieces = embedded === undefined ? pieces : pieces.slice(0, -1);
  if (!hexPieces.every((piece) => /^[0-9a-fA-F]{1,4}$/.test(piece))) {
    return undefined;
  }
  const groups = hexPieces.map((piece) => Number.parseInt(piece, 16));
  if (embedded !== undefined) {
    groups.push(Number(embedded >> 16n), Number(embedded & 0xffffn));
  }
  return groups;
}

function matchesCidr(range: IpRange, value: string): boolean {
  const ip = parseIp(value);
  return (
    ip !== undefined &&
    ip.version === range.version &&
    ip.value >= range.low &&
    ip.value <= range.high
  );
}

// ---------------------------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------------------------

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isLeaf(value: unknown): value is Leaf {
  return (
    value === null ||
    typeof value === "string" ||
    typeof value === "boolean" ||
    (typeof value === "number" && Number.isFinite(value))
  );
}

function ownValue(record: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Leaf values at a path: arrays are flattened, objects are not leaves. */
function leafValues(value: unknown): Leaf[] {
  if (Array.isArray(value)) {
    return value.flatMap(leafValues);
  }
  return isLeaf(value) ? [value] : [];
}

function matchesObject(pattern: CompiledObject, node: unknown): boolean {
  const record = isRecord(node) ? node : undefined;
  const fieldsMatch = pattern.fields.every((field) =>
    matchesField(field, record === undefined ? undefined : ownValue(record, field.key)),
  );
  return fieldsMatch && (pattern.anyOf?.some((branch) => matchesObject(branch, node)) ?? true);
}

function matchesField(field: CompiledField, value: unknown): boolean {
  if (field.kind === "leaf") {
    return matchesLeafField(field.matchers, value);
  }
  if (!Array.isArray(value)) {
    return matchesObject(field.pattern, value);
  }
  // Fields of one pattern object must all match inside the same array element.
  const elements: unknown[] = value.flat(Number.POSITIVE_INFINITY);
  if (elements.length === 0) {
    return matchesObject(field.pattern, undefined);
  }
  return elements.some((element) => matchesObject(field.pattern, element));
}

function matchesLeafField(matchers: readonly LeafMatcher[], value: unknown): boolean {
  const values = leafValues(value);
  return matchers.some((matcher) =>
    matcher.kind === "exists"
      ? values.length > 0 === matcher.exists
      : values.some((leaf) => matchesLeaf(matcher, leaf)),
  );
}

function matchesLeaf(matcher: LeafMatcher, value: Leaf): boolean {
  switch (matcher.kind) {
    case "exact":
      return value === matcher.value;
    case "prefix":
      return typeof value === "string" && fold(value, matcher.ignoreCase).startsWith(matcher.value);
    case "suffix":
      return typeof value === "string" && fold(value, matcher.ignoreCase).endsWith(matcher.value);
    case "equals-ignore-case":
      return typeof value === "string" && value.toLowerCase() === matcher.value;
    case "wildcard":
      return typeof value === "string" && matchesWildcard(matcher.wildcard, value);
    case "numeric":
      return typeof value === "number" && withinBounds(value, matcher.lower, matcher.upper);
    case "cidr":
      return typeof value === "string" && matchesCidr(matcher.range, value);
    case "anything-but":
      return !matcher.excluded.some((excluded) => matchesLeaf(excluded, value));
    case "exists":
      return matcher.exists;
  }
}

function fold(value: string, ignoreCase: boolean): string {
  return ignoreCase ? value.toLowerCase() : value;
}

function withinBounds(value: number, lower: Bound | undefined, upper: Bound | undefined): boolean {
  const aboveLower =
    lower === undefined || value > lower.value || (lower.inclusive && value === lower.value);
  const belowUpper =
    upper === undefined || value < upper.value || (upper.inclusive && value === upper.value);
  return aboveLower && belowUpper;
}
