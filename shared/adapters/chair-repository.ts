import { type DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { ChairRepository, ChairState } from "../domain/chair.js";
import { isConditionalCheckFailed } from "./dynamodb-client.js";

const CHAIR_KEY = { pk: "CHAIR", sk: "STATE" };

/** The Chair's state and history in one item: one conditional write changes both. */
export class DynamoChairRepository implements ChairRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(): Promise<ChairState | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: CHAIR_KEY, ConsistentRead: true }),
    );
    if (Item === undefined) return undefined;
    const { pk: _pk, sk: _sk, ...state } = Item;
    return state as ChairState;
  }

  async save(state: ChairState, expectedVersion: number): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...CHAIR_KEY, ...state },
          ...(expectedVersion === 0
            ? { ConditionExpression: "attribute_not_exists(pk)" }
            : {
                ConditionExpression: "#version = :expected",
                ExpressionAttributeNames: { "#version": "version" },
                ExpressionAttributeValues: { ":expected": expectedVersion },
              }),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }
}
