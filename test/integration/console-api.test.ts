import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runKp } from "../../cli/kp.js";
import { expiredToken, signIn, upcomingMeeting } from "../support/console.js";
import { type LocalStack, startLocalStack } from "../support/local-stack.js";

const MEETING_ID = "sc-console-api";

/** Every route of the console's API, with a body that is valid for it. */
const ROUTES: { method: "GET" | "POST"; path: string; body?: unknown; writes?: true }[] = [
  { method: "GET", path: "/api/me" },
  { method: "GET", path: "/api/overview" },
  { method: "GET", path: "/api/meetings" },
  { method: "GET", path: `/api/meetings/${MEETING_ID}` },
  { method: "GET", path: "/api/contacts" },
  { method: "GET", path: "/api/chair" },
  { method: "GET", path: "/api/rejected" },
  {
    method: "POST",
    path: "/api/preview",
    body: { detailType: "Meeting Cancelled", detail: { meetingId: MEETING_ID, reason: "Test" } },
  },
  {
    method: "POST",
    path: "/api/contacts/import-preview",
    body: { csv: "contactId,name,email,memberState\nit-fp-9,Ida Rossi,ida@example.org,IT\n" },
  },
  {
    method: "POST",
    path: "/api/events",
    body: {
      events: [
        {
          detailType: "Contact Upserted",
          detail: {
            contactId: "mt-fp-9",
            name: "Mia Borg",
            email: "mia@example.org",
            memberState: "MT",
          },
        },
      ],
    },
    writes: true,
  },
];

describe("the console's API: who may read and who may put", () => {
  let stack: LocalStack;
  let web: string;
  let officer: string;
  let viewer: string;

  const call = (route: (typeof ROUTES)[number], token?: string) =>
    fetch(`${web}${route.path}`, {
      method: route.method,
      headers: {
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        ...(route.body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(route.body === undefined ? {} : { body: JSON.stringify(route.body) }),
    });

  beforeAll(async () => {
    stack = await startLocalStack();
    web = stack.runtime.description.webEndpoint ?? "";
    await stack.put(
      {
        detailType: "Contact Upserted",
        detail: {
          contactId: "de-fp-1",
          name: "Dana Weber",
          email: "dana@example.org",
          memberState: "DE",
        },
      },
      {
        detailType: "Contact Upserted",
        detail: {
          contactId: "fr-fp-1",
          name: "Félix Martin",
          email: "felix@example.org",
          memberState: "FR",
          language: "fr",
        },
      },
      { detailType: "Meeting Scheduled", detail: upcomingMeeting(MEETING_ID) },
    );
    officer = await signIn(stack, "officer");
    viewer = await signIn(stack, "viewer");
  });
  afterAll(() => stack?.stop());

  it.each(ROUTES)(
    "$method $path refuses a request without a token, with an expired or a forged one (401)",
    async (route) => {
      expect((await call(route)).status).toBe(401);
      expect((await call(route, expiredToken(stack, "officer"))).status).toBe(401);
      const [header, payload] = officer.split(".");
      expect((await call(route, `${header}.${payload}.forged`)).status).toBe(401);
    },
  );

  it.each(ROUTES)("$method $path: a viewer reads but may not put (403)", async (route) => {
    const response = await call(route, viewer);
    expect(response.status).toBe(route.writes ? 403 : 200);
  });

  it.each(ROUTES)("$method $path answers an officer", async (route) => {
    const response = await call(route, officer);
    expect(response.status).toBe(200);
  });

  it("puts an officer's event through the contract, naming who put it; a refused one shows it", async () => {
    const rescheduleUnknown = {
      events: [
        {
          detailType: "Meeting Rescheduled",
          detail: {
            meetingId: "no-such-meeting",
            startsAt: "2031-05-05T09:00",
            endsAt: "2031-05-05T12:00",
          },
        },
      ],
    };
    const response = await call(
      { method: "POST", path: "/api/events", body: rescheduleUnknown },
      officer,
    );
    expect(response.status).toBe(200);
    const { results, putBy } = (await response.json()) as {
      results: { eventId: string }[];
      putBy: string;
    };
    expect(putBy).toBe("local-officer");
    await stack.runtime.idle();
    const rejected = (await (
      await call({ method: "GET", path: "/api/rejected" }, viewer)
    ).json()) as {
      eventId: string;
      reason: string;
      event: string;
    }[];
    const mine = rejected.find((item) => item.eventId === results[0]?.eventId);
    expect(mine?.reason).toContain("There is no meeting no-such-meeting");
    expect(JSON.parse(mine?.event ?? "{}").resources).toEqual([
      "arn:aws:kp-console:eu-central-1:000000000000:user/local-officer",
    ]);
  });

  it("refuses an impossible date with the field it is about, and puts nothing", async () => {
    const before = (await (
      await call({ method: "GET", path: "/api/meetings" }, officer)
    ).json()) as unknown[];
    const detail = {
      ...upcomingMeeting("sc-impossible"),
      startsAt: "2031-02-30T09:00",
      endsAt: "2031-02-30T17:00",
    };
    const response = await call(
      {
        method: "POST",
        path: "/api/events",
        body: { events: [{ detailType: "Meeting Scheduled", detail }] },
      },
      officer,
    );
    expect(response.status).toBe(400);
    const { issues } = (await response.json()) as { issues: { path: string; message: string }[] };
    expect(issues).toEqual([
      { path: "startsAt", message: "is not a valid date and time" },
      { path: "endsAt", message: "is not a valid date and time" },
    ]);
    await stack.runtime.idle();
    const after = (await (
      await call({ method: "GET", path: "/api/meetings" }, officer)
    ).json()) as unknown[];
    expect(after).toHaveLength(before.length);
  });

  it("previews the notice in each language of the audience, composed for one of its contacts", async () => {
    const response = await call(
      {
        method: "POST",
        path: "/api/preview",
        body: { detailType: "Meeting Scheduled", detail: upcomingMeeting("sc-preview") },
      },
      viewer,
    );
    const previews = (await response.json()) as {
      language: string;
      contactId: string;
      html: string;
    }[];
    expect(previews.map((preview) => [preview.language, preview.contactId])).toEqual([
      ["en", "de-fp-1"],
      ["fr", "fr-fp-1"],
    ]);
    expect(previews[1]?.html).toContain("Rome");
  });

  it("shows the meeting member state by member state", async () => {
    const response = await call({ method: "GET", path: `/api/meetings/${MEETING_ID}` }, viewer);
    const page = (await response.json()) as {
      coverage: { rows: { represents: string; delivered: number; contacts: number }[] };
    };
    expect(page.coverage.rows.find((row) => row.represents === "DE")).toMatchObject({
      contacts: 1,
      delivered: 1,
    });
    expect(page.coverage.rows.find((row) => row.represents === "IT")).toMatchObject({
      contacts: 0,
    });
  });

  it("tells on the overview the dead letters waiting and SES's account; a crashed event's letter counts", async () => {
    // Prepare
    const overview = async () =>
      (await (await call({ method: "GET", path: "/api/overview" }, viewer)).json()) as {
        deadLetters: unknown;
        ses: unknown;
      };
    const before = await overview();
    const io = { out: () => undefined, err: () => undefined };
    const crash = await runKp(
      ["chaos", "crash", "contact-upserted", "--next", "3", "--after", "0"].concat(
        "--local-dir",
        stack.dataDir,
      ),
      io,
    );
    expect(crash).toBe(0);

    // Act: the first attempt and Lambda's two retries crash, so the event ends in FailedEvents.
    await stack.put({
      detailType: "Contact Upserted",
      detail: {
        contactId: "lu-fp-1",
        name: "Luc Weis",
        email: "luc@example.org",
        memberState: "LU",
      },
    });
    await stack.runtime.idle();
    const after = await overview();

    // Assess: the local SES is out of the sandbox, with the quota the runtime was given.
    expect(before.deadLetters).toEqual({
      total: 0,
      byQueue: { UndeliveredEvents: 0, FailedEvents: 0, SesEventsDeadLetters: 0 },
    });
    expect(before.ses).toEqual({
      sandbox: false,
      sendingEnabled: true,
      max24HourSend: -1,
      sentLast24Hours: expect.any(Number),
      maxSendRate: 14,
    });
    expect(after.deadLetters).toEqual({
      total: 1,
      byQueue: { UndeliveredEvents: 0, FailedEvents: 1, SesEventsDeadLetters: 0 },
    });
  });

  it("answers SQS's GetQueueAttributes only for the template's queues, as SQS does", async () => {
    // Prepare
    const { eventBridgeEndpoint, region } = stack.runtime.description;
    const sqs = new SQSClient({
      endpoint: eventBridgeEndpoint,
      region,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      useQueueUrlAsEndpoint: false,
    });

    // Act
    const unknown = sqs.send(new GetQueueAttributesCommand({ QueueUrl: "no-such-queue" }));

    // Assess
    await expect(unknown).rejects.toMatchObject({ name: "QueueDoesNotExist" });
    sqs.destroy();
  });

  it("serves the console with its security headers, and a local sign-in only for the built-in users", async () => {
    const page = await fetch(`${web}/meetings/anything`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="app">');
    expect(page.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    expect(await (await fetch(`${web}/config.json`)).json()).toEqual({ auth: "local", apiUrl: "" });
    const refused = await fetch(`${web}/api/local/sign-in`, {
      method: "POST",
      body: JSON.stringify({ user: "admin" }),
    });
    expect(refused.status).toBe(400);
  });
});
