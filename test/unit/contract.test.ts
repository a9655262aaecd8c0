import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  ChairDesignated,
  ChairHandover,
  CONTRACT_EVENTS,
  ContactRemoved,
  ContactUpserted,
  findContractEvent,
  kebabDetailType,
  MeetingCancelled,
  MeetingRescheduled,
  MeetingScheduled,
} from "../../shared/contract/index.js";
import { describeIssues } from "../../shared/platform/workflow-handler.js";
import { ERIKA_DETAIL, SOM9_DETAIL } from "../support/examples.js";

// Fixtures are copies of the contract's documented details and of the secretariat's real
// examples: each folder under test/events is named after a detail-type in kebab-case.
const EVENTS_DIR = resolve(import.meta.dirname, "..", "events");
const fixtureFolders = readdirSync(EVENTS_DIR, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();
const fixtures = fixtureFolders.flatMap((folder) =>
  readdirSync(join(EVENTS_DIR, folder))
    .filter((file) => file.endsWith(".json"))
    .sort()
    .map((file) => ({
      folder,
      file,
      detail: JSON.parse(readFileSync(join(EVENTS_DIR, folder, file), "utf8")) as unknown,
    })),
);

function contractEventOfFolder(folder: string) {
  return CONTRACT_EVENTS.find((event) => kebabDetailType(event.detailType) === folder);
}

/** The readable reason the schema gives for refusing the detail, or "" when it accepts it. */
function refusal(schema: z.ZodType, detail: unknown): string {
  const parsed = schema.safeParse(detail);
  return parsed.success ? "" : describeIssues(parsed.error);
}

const som9: Record<string, unknown> = { ...SOM9_DETAIL };

const erika: Record<string, unknown> = { ...ERIKA_DETAIL };

function withoutField(detail: Record<string, unknown>, field: string): Record<string, unknown> {
  const { [field]: _removed, ...rest } = detail;
  return rest;
}

describe("fixtures under test/events", () => {
  it("has a fixture folder, with at least one fixture, for every detail-type of the contract", () => {
    // Prepare
    const expected = CONTRACT_EVENTS.map((event) => kebabDetailType(event.detailType)).sort();

    // Act
    const withFixtures = [...new Set(fixtures.map((fixture) => fixture.folder))].sort();

    // Assess
    expect(fixtureFolders).toEqual(expected);
    expect(withFixtures).toEqual(expected);
  });

  it.each(fixtures)(
    "$folder/$file parses with the current schema of its detail-type",
    ({ folder, detail }) => {
      // Prepare
      const contractEvent = contractEventOfFolder(folder);
      expect(contractEvent, `no detail-type of the contract is named ${folder}`).toBeDefined();

      // Act
      const reason = refusal(contractEvent?.schema as z.ZodType, detail);

      // Assess
      expect(reason).toBe("");
    },
  );

  it.each(fixtures)(
    "$folder/$file keeps every field it gives when parsed",
    ({ folder, detail }) => {
      // Prepare
      const schema = contractEventOfFolder(folder)?.schema as z.ZodType;

      // Act
      const parsed = schema.parse(detail);

      // Assess
      expect(parsed).toMatchObject(detail as Record<string, unknown>);
    },
  );
});

describe("CONTRACT_EVENTS", () => {
  it("lists the seven detail-types of EVENTS.md, in its order, from source kp.secretariat", () => {
    // Act
    const detailTypes = CONTRACT_EVENTS.map((event) => event.detailType);

    // Assess
    expect(detailTypes).toEqual([
      "Meeting Scheduled",
      "Meeting Rescheduled",
      "Meeting Cancelled",
      "Chair Designated",
      "Chair Handover",
      "Contact Upserted",
      "Contact Removed",
    ]);
    expect(new Set(CONTRACT_EVENTS.map((event) => event.source))).toEqual(
      new Set(["kp.secretariat"]),
    );
  });

  it("finds an event by its exact detail-type and nothing for another spelling", () => {
    // Act
    const found = findContractEvent("Chair Handover");
    const kebab = findContractEvent("chair-handover");
    const lowerCase = findContractEvent("chair handover");

    // Assess
    expect(found).toBe(ChairHandover);
    expect(kebab).toBeUndefined();
    expect(lowerCase).toBeUndefined();
  });
});

describe("ids chosen by the secretariat", () => {
  it.each(["abc", "som-9-berlin-2023", "9th-som", "a".repeat(64)])("accepts %j", (meetingId) => {
    // Act
    const reason = refusal(MeetingCancelled.schema, { meetingId });

    // Assess
    expect(reason).toBe("");
  });

  it.each([
    ["too short", "ab"],
    ["too long", "a".repeat(65)],
    ["starting with '-'", "-som-9"],
    ["upper case", "SOM-9-berlin"],
    ["with an underscore", "som_9"],
    ["with a space", "som 9"],
    ["empty", ""],
  ])("refuses a meetingId %s", (_case, meetingId) => {
    // Act
    const reason = refusal(MeetingCancelled.schema, { meetingId });

    // Assess
    expect(reason).toBe(
      "detail.meetingId: must be 3 to 64 characters: a-z, 0-9 and '-', not starting with '-'",
    );
  });

  it("applies the same pattern to contactId", () => {
    // Act
    const reason = refusal(ContactRemoved.schema, { contactId: "DE focal point" });

    // Assess
    expect(reason).toMatch(/^detail\.contactId: must be 3 to 64 characters/);
  });
});

describe("single-line and multi-line text", () => {
  it.each([
    ["title", { ...som9, title: "SOM\r\nBcc: everyone@example.org" }, "detail.title"],
    [
      "venue.city",
      { ...som9, venue: { city: "Berlin\r\nBcc: x", country: "DE" } },
      "detail.venue.city",
    ],
    [
      "venue.name",
      { ...som9, venue: { city: "Berlin", country: "DE", name: "Office\nB" } },
      "detail.venue.name",
    ],
  ])("refuses a line break inside %s", (_field, detail, path) => {
    // Act
    const reason = refusal(MeetingScheduled.schema, detail);

    // Assess
    expect(reason).toBe(`${path}: must be a single line without control characters`);
  });

  it("refuses half a surrogate pair, which no email or calendar can encode (found by the property test)", () => {
    // Act
    const city = refusal(MeetingScheduled.schema, {
      ...som9,
      venue: { city: "Berlin\ud909", country: "DE" },
    });
    const description = refusal(MeetingScheduled.schema, { ...som9, description: "Agenda \udc00" });

    // Assess
    expect(city).toBe(
      "detail.venue.city: must be well-formed Unicode text (it holds half of a surrogate pair)",
    );
    expect(description).toBe(
      "detail.description: must be well-formed Unicode text (it holds half of a surrogate pair)",
    );
    expect(MeetingScheduled.schema.safeParse({ ...som9, title: "Conférence 😀" }).success).toBe(
      true,
    );
  });

  it("refuses a line break inside a contact's name, which ends up in an email header", () => {
    // Act
    const reason = refusal(ContactUpserted.schema, {
      ...erika,
      name: "Erika\r\nBcc: x@example.org",
    });

    // Assess
    expect(reason).toBe("detail.name: must be a single line without control characters");
  });

  it("refuses other control characters in a single-line field", () => {
    // Act
    const reason = refusal(MeetingCancelled.schema, {
      meetingId: "som-9-berlin-2023",
      reason: "Postponed\u0007",
    });

    // Assess
    expect(reason).toBe("detail.reason: must be a single line without control characters");
  });

  it("trims surrounding whitespace, line breaks included, from a single-line field", () => {
    // Act
    const parsed = MeetingScheduled.schema.parse({ ...som9, title: "  9th SOM\r\n" });

    // Assess
    expect(parsed.title).toBe("9th SOM");
  });

  it("refuses a title that is only whitespace", () => {
    // Act
    const reason = refusal(MeetingScheduled.schema, { ...som9, title: "   " });

    // Assess
    expect(reason).toBe("detail.title: must not be empty");
  });

  it("refuses a title longer than 300 characters", () => {
    // Act
    const reason = refusal(MeetingScheduled.schema, { ...som9, title: "x".repeat(301) });

    // Assess
    expect(reason).toBe("detail.title: must be at most 300 characters");
  });

  it("lets a description span lines (CRLF becoming LF) and hold tabs", () => {
    // Prepare
    const description = "Agenda:\r\n\t1. Handover\n\t2. Work plan";

    // Act
    const parsed = MeetingScheduled.schema.parse({ ...som9, description });

    // Assess
    expect(parsed.description).toBe("Agenda:\n\t1. Handover\n\t2. Work plan");
  });

  it("turns a lone carriage return into a line break, so no calendar line can be injected", () => {
    // Act
    const parsed = MeetingScheduled.schema.parse({
      ...som9,
      description: "Agenda\rEND:VEVENT\rBEGIN:VEVENT",
    });

    // Assess
    expect(parsed.description).toBe("Agenda\nEND:VEVENT\nBEGIN:VEVENT");
  });

  it("refuses other control characters in a description", () => {
    // Act
    const reason = refusal(MeetingScheduled.schema, { ...som9, description: "Agenda\u0000" });

    // Assess
    expect(reason).toBe("detail.description: must not contain control characters");
  });
});

describe("meeting times", () => {
  it("refuses a meeting that ends when it starts", () => {
    // Act
    const reason = refusal(MeetingScheduled.schema, { ...som9, endsAt: som9.startsAt });

    // Assess
    expect(reason).toBe("detail.endsAt: endsAt must be after startsAt");
  });

  it("refuses a meeting that ends before it starts", () => {
    // Act
    const reason = refusal(MeetingScheduled.schema, {
      ...som9,
      startsAt: "2023-03-16T17:30",
      endsAt: "2023-03-16T09:00",
    });

    // Assess
    expect(reason).toBe("detail.endsAt: endsAt must be after startsAt");
  });

  it("refuses a rescheduled meeting that ends before it starts", () => {
    // Act
    const reason = refusal(MeetingRescheduled.schema, {
      meetingId: "som-9-berlin-2023",
      startsAt: "2023-03-17T09:00",
      endsAt: "2023-03-16T17:30",
    });

    // Assess
    expect(reason).toBe("detail.endsAt: endsAt must be after startsAt");
  });

  it("accepts a meeting over several days", () => {
    // Act
    const reason = refusal(MeetingScheduled.schema, {
      ...som9,
      startsAt: "2022-05-24T09:00",
      endsAt: "2022-05-25T17:00",
    });

    // Assess
    expect(reason).toBe("");
  });

  it.each([
    ["a day that does not exist", "2023-02-30T09:00"],
    ["hour 24", "2023-03-16T24:00"],
    ["minute 60", "2023-03-16T09:60"],
  ])("refuses a local time on %s", (_case, startsAt) => {
    // Act
    const reason = refusal(MeetingScheduled.schema, { ...som9, startsAt });

    // Assess
    expect(reason).toContain("detail.startsAt: is not a valid date and time");
  });

  it.each([
    ["with seconds", "2023-03-16T09:00:00"],
    ["with an offset", "2023-03-16T09:00Z"],
    ["without a time", "2023-03-16"],
  ])("refuses a local time %s", (_case, startsAt) => {
    // Act
    const reason = refusal(MeetingScheduled.schema, { ...som9, startsAt });

    // Assess
    expect(reason).toContain("detail.startsAt: must be a local date and time YYYY-MM-DDTHH:mm");
  });

  it.each(["Mars/Olympus_Mons", "EST", "Berlin"])(
    "refuses %j as a meeting's time zone",
    (timeZone) => {
      // Act
      const reason = refusal(MeetingScheduled.schema, { ...som9, timeZone });

      // Assess
      expect(reason).toBe(
        `detail.timeZone: ${JSON.stringify(timeZone)} is not an IANA time zone (e.g. Europe/Berlin)`,
      );
    },
  );
});

describe("calendar dates", () => {
  it.each(["2023-02-30", "2023-02-29", "2023-13-01", "2023-00-10"])(
    "refuses %s, which is not in the calendar",
    (effectiveOn) => {
      // Act
      const reason = refusal(ChairHandover.schema, { from: "SS", to: "DE", effectiveOn });

      // Assess
      expect(reason).toBe("detail.effectiveOn: is not a date in the calendar");
    },
  );

  it("accepts 29 February of a leap year", () => {
    // Act
    const reason = refusal(ChairDesignated.schema, { country: "KE", takesOfficeOn: "2024-02-29" });

    // Assess
    expect(reason).toBe("");
  });

  it.each(["0100-01-01", "1999-12-31", "2200-01-01", "9999-12-31"])(
    "refuses %s, outside the years 2000 to 2199 (a calendar cannot carry year 0100 or 10000)",
    (takesOfficeOn) => {
      // Act
      const reason = refusal(ChairDesignated.schema, { country: "KE", takesOfficeOn });

      // Assess
      expect(reason).toBe("detail.takesOfficeOn: must be in the years 2000 to 2199");
    },
  );

  it("refuses a meeting time in year 0100, found by the composition property", () => {
    // Act
    const reason = refusal(MeetingRescheduled.schema, {
      meetingId: "som-9-berlin-2023",
      startsAt: "0100-01-01T00:00",
      endsAt: "0100-01-01T00:01",
    });

    // Assess
    expect(reason).toBe(
      "detail.startsAt: must be in the years 2000 to 2199; detail.endsAt: must be in the years 2000 to 2199",
    );
  });

  it("refuses a date that is not YYYY-MM-DD", () => {
    // Act
    const reason = refusal(ChairDesignated.schema, { country: "KE", takesOfficeOn: "01/03/2024" });

    // Assess
    expect(reason).toContain("detail.takesOfficeOn: must be a date YYYY-MM-DD");
  });
});

describe("member states and organisations", () => {
  it("refuses a country that is not a member state of the Khartoum Process", () => {
    // Act
    const reason = refusal(ChairDesignated.schema, { country: "US" });

    // Assess
    expect(reason).toBe('detail.country: "US" is not a member state of the Khartoum Process');
  });

  it("refuses a member-state code in lower case", () => {
    // Act
    const reason = refusal(ChairDesignated.schema, { country: "ke" });

    // Assess
    expect(reason).toBe('detail.country: "ke" is not a member state of the Khartoum Process');
  });

  it("refuses a Chair Handover from an unknown member state", () => {
    // Act
    const reason = refusal(ChairHandover.schema, {
      from: "XX",
      to: "DE",
      effectiveOn: "2023-03-16",
    });

    // Assess
    expect(reason).toContain('detail.from: "XX" is not a member state of the Khartoum Process');
  });

  it("refuses a Chair Handover to the member state that holds the Chair", () => {
    // Act
    const reason = refusal(ChairHandover.schema, {
      from: "SS",
      to: "SS",
      effectiveOn: "2023-03-16",
    });

    // Assess
    expect(reason).toBe(
      "detail.to: to must differ from from: the Chair cannot be handed to itself",
    );
  });

  it("refuses a contact of an organisation that is not one of the Khartoum Process", () => {
    // Act
    const reason = refusal(ContactUpserted.schema, {
      ...withoutField(erika, "memberState"),
      organisation: "WHO",
    });

    // Assess
    expect(reason).toBe(
      'detail.organisation: "WHO" is not an organisation of the Khartoum Process',
    );
  });

  it("refuses a contact of an unknown member state", () => {
    // Act
    const reason = refusal(ContactUpserted.schema, { ...erika, memberState: "FR-75" });

    // Assess
    expect(reason).toBe(
      'detail.memberState: "FR-75" is not a member state of the Khartoum Process',
    );
  });
});

describe("a meeting's audience", () => {
  it.each(["steering-committee", "all"])("accepts %j", (audience) => {
    // Act
    const parsed = MeetingScheduled.schema.parse({ ...som9, audience });

    // Assess
    expect(parsed.audience).toBe(audience);
  });

  it("accepts a list of member states", () => {
    // Act
    const parsed = MeetingScheduled.schema.parse({
      ...som9,
      audience: { countries: ["SS", "KE"] },
    });

    // Assess
    expect(parsed.audience).toEqual({ countries: ["SS", "KE"] });
  });

  it("refuses an empty list of member states", () => {
    // Act
    const reason = refusal(MeetingScheduled.schema, { ...som9, audience: { countries: [] } });

    // Assess
    expect(reason).toBe("detail.audience.countries: must name at least one member state");
  });

  it("refuses a member state named twice", () => {
    // Act
    const reason = refusal(MeetingScheduled.schema, {
      ...som9,
      audience: { countries: ["SS", "KE", "SS"] },
    });

    // Assess
    expect(reason).toBe("detail.audience.countries: must not repeat a member state");
  });

  it("refuses an unknown member state and names its position", () => {
    // Act
    const reason = refusal(MeetingScheduled.schema, {
      ...som9,
      audience: { countries: ["SS", "XX"] },
    });

    // Assess
    expect(reason).toBe(
      'detail.audience.countries.1: "XX" is not a member state of the Khartoum Process',
    );
  });

  it.each([
    ["another word", "everyone"],
    ["an object without countries", { regions: ["Africa"] }],
    ["countries with another field", { countries: ["SS"], extra: true }],
  ])("refuses %s", (_case, audience) => {
    // Act
    const reason = refusal(MeetingScheduled.schema, { ...som9, audience });

    // Assess
    expect(reason).toMatch(/^detail\.audience/);
  });
});

describe("a meeting's venue and agenda", () => {
  it.each(["de", "DEU", "D", "D1"])("refuses %j as venue.country", (country) => {
    // Act
    const reason = refusal(MeetingScheduled.schema, {
      ...som9,
      venue: { city: "Berlin", country },
    });

    // Assess
    expect(reason).toBe("detail.venue.country: must be an ISO 3166-1 alpha-2 code");
  });

  it.each(["EU", "UN", "XK", "ZZ", "UK", "QO"])(
    "refuses %j as venue.country: not a code ISO 3166-1 assigns to a country",
    (country) => {
      // Act
      const reason = refusal(MeetingScheduled.schema, {
        ...som9,
        venue: { city: "Brussels", country },
      });

      // Assess
      expect(reason).toBe(
        `detail.venue.country: "${country}" is not a country: it must be an ISO 3166-1 alpha-2 code assigned to a country or territory (e.g. KE, MA; not EU, UN or XK)`,
      );
    },
  );

  it("accepts a venue in a country that is not a member state", () => {
    // Act
    const reason = refusal(MeetingScheduled.schema, {
      ...som9,
      venue: { city: "Geneva", country: "CH" },
    });

    // Assess
    expect(reason).toBe("");
  });

  it.each(["https://example.org/agenda.pdf", "http://example.org/agenda.pdf"])(
    "accepts %s as agendaUrl",
    (agendaUrl) => {
      // Act
      const parsed = MeetingScheduled.schema.parse({ ...som9, agendaUrl });

      // Assess
      expect(parsed.agendaUrl).toBe(agendaUrl);
    },
  );

  it.each([
    "javascript:alert(document.cookie)",
    "ftp://example.org/agenda.pdf",
    "data:text/html,<script>alert(1)</script>",
    "file:///etc/passwd",
    "agenda.pdf",
  ])("refuses %s as agendaUrl", (agendaUrl) => {
    // Act
    const reason = refusal(MeetingScheduled.schema, { ...som9, agendaUrl });

    // Assess
    expect(reason).toBe("detail.agendaUrl: must be an http(s) URL");
  });

  it("refuses an unknown kind of meeting", () => {
    // Act
    const reason = refusal(MeetingScheduled.schema, { ...som9, kind: "summit" });

    // Assess
    expect(reason).toMatch(/^detail\.kind: /);
  });
});

describe("Contact Upserted defaults", () => {
  const ssContact = {
    contactId: "ss-focal-point-1",
    name: "Deng Garang",
    email: "deng.garang@example.org",
    memberState: "SS",
  };

  it("defaults language to en, reminders to true and roles to none", () => {
    // Act
    const parsed = ContactUpserted.schema.parse(ssContact);

    // Assess
    expect(parsed).toMatchObject({ language: "en", reminders: true, roles: [] });
  });

  it("defaults the time zone to the capital's of the member state", () => {
    // Act
    const southSudan = ContactUpserted.schema.parse(ssContact);
    const kenya = ContactUpserted.schema.parse({ ...ssContact, memberState: "KE" });

    // Assess
    expect(southSudan.timeZone).toBe("Africa/Juba");
    expect(kenya.timeZone).toBe("Africa/Nairobi");
  });

  it("defaults the time zone of an organisation's contact to Europe/Vienna", () => {
    // Act
    const parsed = ContactUpserted.schema.parse({
      ...withoutField(ssContact, "memberState"),
      organisation: "IOM",
    });

    // Assess
    expect(parsed.timeZone).toBe("Europe/Vienna");
  });

  it("keeps an explicit time zone, language and reminders", () => {
    // Act
    const parsed = ContactUpserted.schema.parse({
      ...ssContact,
      timeZone: "Europe/Brussels",
      language: "ar",
      reminders: false,
    });

    // Assess
    expect(parsed).toMatchObject({ timeZone: "Europe/Brussels", language: "ar", reminders: false });
  });

  it("refuses an invalid time zone", () => {
    // Act
    const reason = refusal(ContactUpserted.schema, { ...ssContact, timeZone: "Africa/Atlantis" });

    // Assess
    expect(reason).toBe(
      'detail.timeZone: "Africa/Atlantis" is not an IANA time zone (e.g. Europe/Berlin)',
    );
  });

  it("refuses a language the notices are not written in", () => {
    // Act
    const reason = refusal(ContactUpserted.schema, { ...ssContact, language: "de" });

    // Assess
    expect(reason).toMatch(/^detail\.language: /);
  });

  it("refuses an unknown role and a repeated role", () => {
    // Act
    const unknown = refusal(ContactUpserted.schema, { ...ssContact, roles: ["minister"] });
    const repeated = refusal(ContactUpserted.schema, {
      ...ssContact,
      roles: ["observer", "observer"],
    });

    // Assess
    expect(unknown).toMatch(/^detail\.roles\.0: /);
    expect(repeated).toBe("detail.roles: must not repeat a role");
  });

  it("refuses an invalid email address", () => {
    // Act
    const reason = refusal(ContactUpserted.schema, { ...ssContact, email: "deng.garang" });

    // Assess
    expect(reason).toBe("detail.email: must be an email address");
  });
});

describe("whom a contact represents", () => {
  it("refuses a contact with both a member state and an organisation", () => {
    // Act
    const reason = refusal(ContactUpserted.schema, { ...erika, organisation: "IOM" });

    // Assess
    expect(reason).toBe(
      "detail.memberState: exactly one of memberState or organisation must be given",
    );
  });

  it("refuses a contact with neither a member state nor an organisation", () => {
    // Act
    const reason = refusal(ContactUpserted.schema, withoutField(erika, "memberState"));

    // Assess
    expect(reason).toBe(
      "detail.memberState: exactly one of memberState or organisation must be given",
    );
  });

  it("accepts a contact of one of the secretariat's bodies", () => {
    // Act
    const parsed = ContactUpserted.schema.parse({
      ...withoutField(erika, "memberState"),
      organisation: "ICMPD",
      roles: ["secretariat-staff"],
    });

    // Assess
    expect(parsed.organisation).toBe("ICMPD");
  });
});

describe("strict objects", () => {
  it.each([
    ["Meeting Scheduled", MeetingScheduled.schema, { ...som9, location: "Berlin" }],
    [
      "Meeting Rescheduled",
      MeetingRescheduled.schema,
      {
        meetingId: "som-9-berlin-2023",
        startsAt: "2023-03-17T09:00",
        endsAt: "2023-03-17T17:30",
        location: "Berlin",
      },
    ],
    ["Meeting Cancelled", MeetingCancelled.schema, { meetingId: "som-9-berlin-2023", location: 1 }],
    ["Chair Designated", ChairDesignated.schema, { country: "KE", location: "Nairobi" }],
    [
      "Chair Handover",
      ChairHandover.schema,
      { from: "SS", to: "DE", effectiveOn: "2023-03-16", location: "Berlin" },
    ],
    ["Contact Upserted", ContactUpserted.schema, { ...erika, location: "Berlin" }],
    ["Contact Removed", ContactRemoved.schema, { contactId: "de-focal-point-1", location: "x" }],
  ])("%s refuses a field the contract does not define", (_detailType, schema, detail) => {
    // Act
    const reason = refusal(schema as z.ZodType, detail);

    // Assess
    expect(reason).toBe('detail: Unrecognized key: "location"');
  });

  it("refuses an unknown field inside the venue", () => {
    // Act
    const reason = refusal(MeetingScheduled.schema, {
      ...som9,
      venue: { city: "Berlin", country: "DE", room: "4.01" },
    });

    // Assess
    expect(reason).toBe('detail.venue: Unrecognized key: "room"');
  });
});

describe("describeIssues", () => {
  it("says a missing field is required", () => {
    // Act
    const reason = refusal(ContactUpserted.schema, withoutField(erika, "name"));

    // Assess
    expect(reason).toBe("detail.name: is required");
  });

  it("joins every issue of a detail with its path", () => {
    // Act
    const reason = refusal(MeetingCancelled.schema, { reason: "x\ny" });

    // Assess
    expect(reason).toBe(
      "detail.meetingId: is required; detail.reason: must be a single line without control characters",
    );
  });

  it("refuses a detail that is not an object", () => {
    // Act
    const reason = refusal(ContactRemoved.schema, ["de-focal-point-1"]);

    // Assess
    expect(reason).toMatch(/^detail: /);
  });
});
