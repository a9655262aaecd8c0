import { describe, expect, it } from "vitest";
import type { LocalTable } from "../../local/cloud-assembly.js";
import { type MeteredAnswer, WriteUnitMeter } from "../../local/write-units.js";

type Item = Record<string, Record<string, unknown>>;

const TABLE: LocalTable = {
  logicalId: "Table",
  tableName: "kp",
  definition: {
    KeySchema: [{ AttributeName: "pk" }, { AttributeName: "sk" }],
    AttributeDefinitions: [],
    GlobalSecondaryIndexes: [
      {
        IndexName: "by-status",
        KeySchema: [{ AttributeName: "status" }],
        Projection: { ProjectionType: "KEYS_ONLY" },
      },
    ],
  },
};

function meter(): WriteUnitMeter {
  const units = new WriteUnitMeter();
  units.describe([TABLE]);
  return units;
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const answer = (status: number, body: unknown): MeteredAnswer => ({
  status,
  headers: { "content-type": "application/x-amz-json-1.0", "x-amz-crc32": "1" },
  body: json(body),
});
const key = { pk: { S: "NOTICE#1" }, sk: { S: "TO#a@example.org" } };

describe("WriteUnitMeter", () => {
  it("asks an update for its new item and answers the caller as it asked, without the item", async () => {
    // Prepare
    const units = meter();
    const stored: Item = { ...key, status: { S: "claimed" } };
    const reads: Item[] = [];
    const forwarded: unknown[] = [];

    // Act
    const answered = await units.around(
      "UpdateItem",
      json({ TableName: "kp", Key: key, UpdateExpression: "SET #s = :s" }),
      async (_table, read) => {
        reads.push(read);
        return stored;
      },
      async (body) => {
        forwarded.push(JSON.parse(body.toString("utf8")));
        return answer(200, { Attributes: { ...key, status: { S: "sent" } } });
      },
    );

    // Assess
    expect(reads).toEqual([key]);
    expect(forwarded).toEqual([expect.objectContaining({ ReturnValues: "ALL_NEW" })]);
    expect(JSON.parse(answered.body.toString("utf8"))).toEqual({});
    expect(answered.headers).toEqual({
      "content-type": "application/x-amz-json-1.0",
      "content-length": "2",
    });
    expect({ table: units.table, index: units.index }).toEqual({ table: 1, index: 2 });
  });

  it("reads the item after an update that returns its old values, and passes them on", async () => {
    // Prepare
    const units = meter();
    const old: Item = { ...key, status: { S: "claimed" } };
    let reads = 0;

    // Act
    const answered = await units.around(
      "UpdateItem",
      json({ TableName: "kp", Key: key, ReturnValues: "ALL_OLD" }),
      async () => {
        reads += 1;
        return reads === 1 ? old : { ...key };
      },
      async () => answer(200, { Attributes: old }),
    );

    // Assess
    expect(reads).toBe(2);
    expect(JSON.parse(answered.body.toString("utf8"))).toEqual({ Attributes: old });
    expect({ table: units.table, index: units.index }).toEqual({ table: 1, index: 1 });
  });

  it("counts a put from its own item and a failed condition as one unit, reading only before", async () => {
    // Prepare
    const units = meter();
    let reads = 0;
    const read = async () => {
      reads += 1;
      return undefined;
    };

    // Act
    await units.around(
      "PutItem",
      json({ TableName: "kp", Item: { ...key, status: { S: "x".repeat(1500) } } }),
      read,
      async () => answer(200, {}),
    );
    await units.around(
      "UpdateItem",
      json({ TableName: "kp", Key: key, ConditionExpression: "attribute_not_exists(pk)" }),
      read,
      async () =>
        answer(400, { __type: "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException" }),
    );

    // Assess
    expect(reads).toBe(2);
    expect({ table: units.table, index: units.index }).toEqual({ table: 3, index: 1 });
  });
});
