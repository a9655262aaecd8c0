import { GetAccountCommand, SESv2Client } from "@aws-sdk/client-sesv2";
import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { deadLetterCounts, sesAccount } from "../../shared/adapters/system-health.js";
import { deadLettersView, sesView } from "../../shared/domain/console.js";

const sqs = mockClient(SQSClient);
const ses = mockClient(SESv2Client);

describe("the system's health as kp status and the console's overview read it", () => {
  beforeEach(() => {
    sqs.reset();
    ses.reset();
  });

  it("counts a queue's letters waiting and those being read, queue by queue", async () => {
    // Prepare
    sqs
      .on(GetQueueAttributesCommand, { QueueUrl: "https://sqs/1/undelivered" })
      .resolves({ Attributes: { ApproximateNumberOfMessages: "0" } })
      .on(GetQueueAttributesCommand, { QueueUrl: "https://sqs/1/failed" })
      .resolves({
        Attributes: {
          ApproximateNumberOfMessages: "2",
          ApproximateNumberOfMessagesNotVisible: "1",
        },
      });

    // Act
    const counts = await deadLetterCounts(new SQSClient({}), [
      { queue: "UndeliveredEvents", url: "https://sqs/1/undelivered" },
      { queue: "FailedEvents", url: "https://sqs/1/failed" },
    ]);

    // Assess
    expect(deadLettersView(counts)).toEqual({
      total: 3,
      byQueue: { UndeliveredEvents: 0, FailedEvents: 3 },
    });
  });

  it("tells a sandboxed account as such, and an unreadable one with its reason", async () => {
    // Prepare
    const denied = new Error("not authorized to perform ses:GetAccount");
    denied.name = "AccessDeniedException";
    ses
      .on(GetAccountCommand)
      .resolvesOnce({
        ProductionAccessEnabled: false,
        SendingEnabled: true,
        SendQuota: { Max24HourSend: 200, MaxSendRate: 1, SentLast24Hours: 12 },
      })
      .rejectsOnce(denied);

    // Act
    const sandboxed = sesView(await sesAccount(new SESv2Client({})));
    const unreadable = sesView(await sesAccount(new SESv2Client({})));

    // Assess
    expect(sandboxed).toEqual({
      sandbox: true,
      sendingEnabled: true,
      max24HourSend: 200,
      sentLast24Hours: 12,
      maxSendRate: 1,
    });
    expect(unreadable).toEqual({
      unavailable: "AccessDeniedException: not authorized to perform ses:GetAccount",
    });
  });
});
