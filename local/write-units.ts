import type { LocalTable } from "./cloud-assembly.js";

type Item = Record<string, Record<string, unknown>>;

interface IndexShape {
  name: string;
  keys: string[];
  projection: "ALL" | "KEYS_ONLY" | "INCLUDE";
  include: string[];
}

/** Reads an item straight from dynalite (not counted, not throttled): `GetItem`'s answer. */
export type DirectRead = (tableName: string, key: Item) => Promise<Item | undefined>;

/** dynalite's answer as the DynamoDB front forwards it. */
export interface MeteredAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** The answer with another body: its length and checksum headers follow (the SDK reads neither). */
function withBody<Answer extends MeteredAnswer>(answer: Answer, body: Buffer): Answer {
  const { "x-amz-crc32": _checksum, ...headers } = answer.headers;
  return { ...answer, headers: { ...headers, "content-length": String(body.length) }, body };
}

const WRITES = new Set(["PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"]);

/** An item's size as DynamoDB bills it, near enough: names and values, in bytes. */
function itemBytes(item: Item): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(JSON.stringify(value));
  }
  return bytes;
}

const units = (item: Item | undefined) =>
  item === undefined ? 0 : Math.max(1, Math.ceil(itemBytes(item) / 1024));

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The write units DynamoDB would bill for the requests the local DynamoDB answers, table and
 * global secondary indexes apart (dynalite reports neither index writes nor failed conditions):
 * a write costs one unit per KB of the larger of the item before and after; a failed condition
 * costs one; an index is written when the item enters or leaves it, twice when its keys change,
 * and once when an attribute it projects changes. For the benchmark only: each write is
 * preceded by a direct read of the item (and an update that returns other values than the new
 * item is followed by one).
 */
export class WriteUnitMeter {
  table = 0;
  index = 0;
  private shapes = new Map<string, { keys: string[]; indexes: IndexShape[] }>();

  /** The tables' keys and indexes, once the app is synthesized. */
  describe(tables: LocalTable[]): void {
    for (const table of tables) {
      const definition = table.definition as {
        KeySchema?: { AttributeName: string }[];
        GlobalSecondaryIndexes?: {
          IndexName: string;
          KeySchema: { AttributeName: string }[];
          Projection?: { ProjectionType?: IndexShape["projection"]; NonKeyAttributes?: string[] };
        }[];
      };
      this.shapes.set(table.tableName, {
        keys: (definition.KeySchema ?? []).map((key) => key.AttributeName),
        indexes: (definition.GlobalSecondaryIndexes ?? []).map((index) => ({
          name: index.IndexName,
          keys: index.KeySchema.map((key) => key.AttributeName),
          projection: index.Projection?.ProjectionType ?? "ALL",
          include: index.Projection?.NonKeyAttributes ?? [],
        })),
      });
    }
  }

  reset(): void {
    this.table = 0;
    this.index = 0;
  }

  /**
   * Forwards one request (its body possibly rewritten, hence `forward`'s argument), counting
   * what it writes. The item after a write is known without reading it again: a put's item, a
   * delete's absence, and an update's new item, which the update is asked to return
   * (`ReturnValues: ALL_NEW`, taken out of the answer again when the caller did not ask for it).
   */
  async around<Answer extends MeteredAnswer>(
    operation: string,
    body: Buffer,
    read: DirectRead,
    forward: (body: Buffer) => Promise<Answer>,
  ): Promise<Answer> {
    if (!WRITES.has(operation)) return forward(body);
    const request = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
    const writes = this.writesOf(operation, request);
    const before = await Promise.all(writes.map((write) => read(write.tableName, write.key)));
    const returnsNew = operation === "UpdateItem" && (request.ReturnValues ?? "NONE") === "NONE";
    let answer = await forward(
      returnsNew ? Buffer.from(JSON.stringify({ ...request, ReturnValues: "ALL_NEW" })) : body,
    );
    if (answer.status !== 200) {
      // A failed condition is billed as a write; any other error writes nothing.
      if (answer.body.includes("ConditionalCheckFailed")) this.table += 1;
      return answer;
    }
    let after: (Item | undefined)[];
    if (operation === "UpdateItem") {
      const { Attributes, ...rest } = JSON.parse(answer.body.toString("utf8")) as {
        Attributes?: Item;
      };
      if (returnsNew) answer = withBody(answer, Buffer.from(JSON.stringify(rest)));
      after =
        returnsNew || request.ReturnValues === "ALL_NEW"
          ? [Attributes]
          : await Promise.all(writes.map((write) => read(write.tableName, write.key)));
    } else {
      // dynalite processes every item of a BatchWriteItem: none is left unprocessed.
      after = writes.map((write) => write.item);
    }
    writes.forEach((write, position) => {
      const old = before[position];
      const now = after[position];
      this.table += Math.max(units(old), units(now), 1);
      for (const index of this.shapes.get(write.tableName)?.indexes ?? []) {
        this.index += indexWrites(index, old, now);
      }
    });
    return answer;
  }

  private writesOf(
    operation: string,
    request: Record<string, unknown>,
  ): { tableName: string; key: Item; item?: Item }[] {
    const keyOf = (tableName: string, item: Item) => {
      const names = this.shapes.get(tableName)?.keys ?? [];
      return Object.fromEntries(names.map((name) => [name, item[name] ?? {}])) as Item;
    };
    if (operation === "BatchWriteItem") {
      const items = request.RequestItems as Record<
        string,
        { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }[]
      >;
      return Object.entries(items).flatMap(([tableName, requests]) =>
        requests.map((entry) =>
          entry.PutRequest !== undefined
            ? {
                tableName,
                key: keyOf(tableName, entry.PutRequest.Item),
                item: entry.PutRequest.Item,
              }
            : { tableName, key: entry.DeleteRequest?.Key ?? {} },
        ),
      );
    }
    const tableName = String(request.TableName);
    if (operation === "PutItem") {
      const item = request.Item as Item;
      return [{ tableName, key: keyOf(tableName, item), item }];
    }
    return [{ tableName, key: request.Key as Item }];
  }
}

function indexWrites(index: IndexShape, old: Item | undefined, now: Item | undefined): number {
  const listed = (item: Item | undefined) =>
    item !== undefined && index.keys.every((name) => item[name] !== undefined);
  const wasListed = listed(old);
  const isListed = listed(now);
  if (!wasListed && !isListed) return 0;
  if (wasListed !== isListed) return 1;
  if (index.keys.some((name) => !same(old?.[name], now?.[name]))) return 2;
  if (index.projection === "KEYS_ONLY") return 0;
  const projected =
    index.projection === "ALL"
      ? new Set([...Object.keys(old ?? {}), ...Object.keys(now ?? {})])
      : new Set(index.include);
  return [...projected].some((name) => !same(old?.[name], now?.[name])) ? 1 : 0;
}
