import { getStoreReadonly } from "aws-ses-v2-local/dist/store.js";
import { describe, expect, it } from "vitest";
import { DeferredSesStore } from "../../local/ses-store.js";

const message = (to: string, subject: string) =>
  Buffer.from(
    `From: "Secretariat" <notices@khartoumprocess.net>\r\nTo: ${to}\r\nSubject: ${subject}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe agenda follows.\r\n`,
  );

describe("DeferredSesStore", () => {
  it("answers a message id at once and fills aws-ses-v2-local's store, in order, only when read", async () => {
    // Prepare
    const store = new DeferredSesStore();
    const before = getStoreReadonly().emails.length;

    // Act
    const first = store.accept(message("claire.dubois@example.fr", "Convocation"), undefined);
    const second = store.accept(message("amina.osman@example.org", "Agenda"), "ops@example.org");
    const unread = getStoreReadonly().emails.length;
    await store.flush();

    // Assess
    expect(unread).toBe(before);
    expect(first).toMatch(/^ses-\d{9}$/);
    expect(
      getStoreReadonly()
        .emails.slice(before)
        .map((email) => ({
          messageId: email.messageId,
          from: email.from,
          to: email.destination.to,
          subject: email.subject,
          text: email.body.text,
        })),
    ).toEqual([
      {
        messageId: first,
        from: '"Secretariat" <notices@khartoumprocess.net>',
        to: ["claire.dubois@example.fr"],
        subject: "Convocation",
        text: "The agenda follows.\n",
      },
      {
        messageId: second,
        from: '"Secretariat" <notices@khartoumprocess.net>',
        to: ["amina.osman@example.org"],
        subject: "Agenda",
        text: "The agenda follows.\n",
      },
    ]);
  });
});
