import type { ReplyReceivedDetail, SesReceiptEvent } from "../contract/replies.js";

/** What a message says as an answer (see notices/itip-reply.ts). */
export interface ReadMessage {
  from: string;
  reply?: ReplyReceivedDetail["reply"];
  problem?: string;
}

export interface ReceiveReplyContext {
  /** The stored message (the receipt rule's S3 action wrote it under the message id). */
  mailbox: { read(key: string): Promise<Buffer> };
  keyPrefix: string;
  read: (raw: Buffer) => Promise<ReadMessage>;
  /** Puts the answer on the main region's bus. */
  handOver: (detail: ReplyReceivedDetail) => Promise<void>;
}

/**
 * A message SES received for the organizer address, in the receiving region:
 * 1. read it from S3, where the receipt rule stored it (encrypted, kept a few days);
 * 2. read the iTIP REPLY in it, and its From address;
 * 3. hand it, with SES's SPF and DKIM verdicts, to the main region as a Reply Received event:
 *    the checks against the contact happen there, where the table is. A message without a
 *    REPLY goes too, with the problem, so that it is kept as rejected where officers look.
 */
export async function receiveReply(
  event: SesReceiptEvent,
  context: ReceiveReplyContext,
): Promise<ReplyReceivedDetail[]> {
  const handed: ReplyReceivedDetail[] = [];
  for (const record of event.Records) {
    const { mail, receipt } = record.ses;
    const read = await context.read(
      await context.mailbox.read(`${context.keyPrefix}${mail.messageId}`),
    );
    const detail: ReplyReceivedDetail = {
      messageId: mail.messageId,
      receivedAt: new Date(mail.timestamp).toISOString(),
      from: read.from,
      verdicts: { spf: receipt.spfVerdict.status, dkim: receipt.dkimVerdict.status },
      ...(read.reply === undefined ? {} : { reply: read.reply }),
      ...(read.problem === undefined ? {} : { problem: read.problem.slice(0, 1000) }),
    };
    await context.handOver(detail);
    handed.push(detail);
  }
  return handed;
}
