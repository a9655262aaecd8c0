import { describe, expect, it } from "vitest";
import { contactsFromCsv } from "../../cli/contacts-csv.js";

function csv(...lines: string[]): string {
  return `${lines.join("\n")}\n`;
}

describe("contactsFromCsv", () => {
  it("makes one Contact Upserted per row, labelled with its line", () => {
    // Prepare
    const text = csv(
      "contactId,name,email,memberState,roles,language,timeZone,reminders",
      "de-focal-point-1,Erika Mustermann,erika.mustermann@example.de,DE,focal-point,en,Europe/Berlin,true",
      "ss-focal-point-1,Deng Garang,deng.garang@example.org,SS,,,,",
    );

    // Act
    const { events, refused } = contactsFromCsv(text);

    // Assess
    expect(refused).toEqual([]);
    expect(events).toEqual([
      {
        detailType: "Contact Upserted",
        label: "line 2",
        detail: {
          contactId: "de-focal-point-1",
          name: "Erika Mustermann",
          email: "erika.mustermann@example.de",
          memberState: "DE",
          roles: ["focal-point"],
          language: "en",
          timeZone: "Europe/Berlin",
          reminders: true,
        },
      },
      {
        detailType: "Contact Upserted",
        label: "line 3",
        detail: {
          contactId: "ss-focal-point-1",
          name: "Deng Garang",
          email: "deng.garang@example.org",
          memberState: "SS",
        },
      },
    ]);
  });

  it("takes the columns in any order", () => {
    // Prepare
    const text = csv(
      "organisation,email,name,contactId",
      "IOM,ana.ruiz@example.org,Ana Ruiz,iom-observer-1",
    );

    // Act
    const { events } = contactsFromCsv(text);

    // Assess
    expect(events[0]?.detail).toEqual({
      contactId: "iom-observer-1",
      name: "Ana Ruiz",
      email: "ana.ruiz@example.org",
      organisation: "IOM",
    });
  });

  it("trims spaces around header names and values", () => {
    // Prepare
    const text = csv(
      " contactId , name , email , memberState ",
      " ke-1 , Amina Otieno , amina@example.org , KE ",
    );

    // Act
    const { events } = contactsFromCsv(text);

    // Assess
    expect(events[0]?.detail).toEqual({
      contactId: "ke-1",
      name: "Amina Otieno",
      email: "amina@example.org",
      memberState: "KE",
    });
  });

  it("splits roles on ';'", () => {
    // Prepare
    const text = csv(
      "contactId,name,email,memberState,roles",
      "de-focal-point-1,Erika Mustermann,erika@example.de,DE,focal-point; senior-official;",
    );

    // Act
    const { events } = contactsFromCsv(text);

    // Assess
    expect(events[0]?.detail).toMatchObject({ roles: ["focal-point", "senior-official"] });
  });

  it("reads quoted fields holding commas and quotes", () => {
    // Prepare
    const text = csv(
      "contactId,name,email,memberState",
      'de-focal-point-1,"Mustermann, Erika ""Riki""",erika@example.de,DE',
    );

    // Act
    const { events } = contactsFromCsv(text);

    // Assess
    expect(events[0]?.detail).toMatchObject({ name: 'Mustermann, Erika "Riki"' });
  });

  it("ignores a byte order mark, as spreadsheet programs write one", () => {
    // Prepare
    const text = `\uFEFF${csv("contactId,name,email,memberState", "de-1,Erika Mustermann,erika@example.de,DE")}`;

    // Act
    const { events, refused } = contactsFromCsv(text);

    // Assess
    expect(refused).toEqual([]);
    expect(events[0]?.detail).toMatchObject({ contactId: "de-1" });
  });

  it("skips blank lines and still counts them in line numbers", () => {
    // Prepare
    const text = csv(
      "contactId,name,email,memberState",
      "",
      "de-1,Erika Mustermann,erika@example.de,DE",
      "",
      "",
      "ke-1,Amina Otieno,amina@example.org,KE",
      "",
    );

    // Act
    const { events, refused } = contactsFromCsv(text);

    // Assess
    expect(refused).toEqual([]);
    expect(events.map((event) => event.label)).toEqual(["line 3", "line 6"]);
  });

  it("accepts CRLF line endings", () => {
    // Prepare
    const text =
      "contactId,name,email,memberState\r\nde-1,Erika Mustermann,erika@example.de,DE\r\n";

    // Act
    const { events } = contactsFromCsv(text);

    // Assess
    expect(events[0]?.detail).toMatchObject({ memberState: "DE" });
  });

  it.each([
    ["yes", true],
    ["no", false],
    ["true", true],
    ["false", false],
    ["YES", true],
    ["False", false],
    ["1", true],
    ["0", false],
  ])("reads reminders %j as %j", (reminders, expected) => {
    // Prepare
    const text = csv(
      "contactId,name,email,memberState,reminders",
      `de-1,Erika Mustermann,erika@example.de,DE,${reminders}`,
    );

    // Act
    const { events } = contactsFromCsv(text);

    // Assess
    expect(events[0]?.detail).toMatchObject({ reminders: expected });
  });

  it("refuses a reminders value that is neither yes nor no", () => {
    // Prepare
    const text = csv(
      "contactId,name,email,memberState,reminders",
      "de-1,Erika Mustermann,erika@example.de,DE,maybe",
    );

    // Act
    const { events, refused } = contactsFromCsv(text);

    // Assess
    expect(events).toEqual([]);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ line: 2, contactId: "de-1" });
    expect(refused[0]?.reason).toMatch(/^detail\.reminders: /);
  });

  it("refuses a row the contract refuses, with its line and reason, and keeps the others", () => {
    // Prepare
    const text = csv(
      "contactId,name,email,memberState",
      "de-1,Erika Mustermann,erika@example.de,DE",
      "xx-1,Nobody,nobody@example.org,XX",
      "ke-1,Amina Otieno,amina-at-example.org,KE",
      "ss-1,Deng Garang,deng@example.org,SS",
    );

    // Act
    const { events, refused } = contactsFromCsv(text);

    // Assess
    expect(events.map((event) => event.label)).toEqual(["line 2", "line 5"]);
    expect(refused).toEqual([
      {
        line: 3,
        contactId: "xx-1",
        reason: 'detail.memberState: "XX" is not a member state of the Khartoum Process',
      },
      { line: 4, contactId: "ke-1", reason: "detail.email: must be an email address" },
    ]);
  });

  it("refuses a row without a contactId and reports no contactId for it", () => {
    // Prepare
    const text = csv("contactId,name,email,memberState", ",Erika Mustermann,erika@example.de,DE");

    // Act
    const { refused } = contactsFromCsv(text);

    // Assess
    expect(refused).toEqual([{ line: 2, reason: "detail.contactId: is required" }]);
  });

  it("refuses a contactId repeated after its first row, naming that row's line", () => {
    // Prepare
    const text = csv(
      "contactId,name,email,memberState",
      "de-1,Erika Mustermann,erika@example.de,DE",
      "ke-1,Amina Otieno,amina@example.org,KE",
      "de-1,Erika Musterfrau,erika.musterfrau@example.de,DE",
    );

    // Act
    const { events, refused } = contactsFromCsv(text);

    // Assess
    expect(events.map((event) => event.label)).toEqual(["line 2", "line 3"]);
    expect(events[0]?.detail).toMatchObject({ name: "Erika Mustermann" });
    expect(refused).toEqual([
      { line: 4, contactId: "de-1", reason: "contactId de-1 already appears on line 2" },
    ]);
  });

  it("throws a clear error naming the missing columns", () => {
    // Prepare
    const text = csv("contactId,memberState", "de-1,DE");

    // Act
    const reading = () => contactsFromCsv(text);

    // Assess
    expect(reading).toThrow(
      "The CSV header is not usable: missing column(s) name, email. Columns: contactId,name,email,memberState,organisation,roles,language,timeZone,reminders",
    );
  });

  it("throws a clear error naming the unknown columns", () => {
    // Prepare
    const text = csv(
      "contactId,name,email,memberState,phone",
      "de-1,Erika,erika@example.de,DE,+49",
    );

    // Act
    const reading = () => contactsFromCsv(text);

    // Assess
    expect(reading).toThrow(/^The CSV header is not usable: unknown column\(s\) phone\. Columns: /);
  });

  it("names both missing and unknown columns, such as a misspelt one", () => {
    // Prepare
    const text = csv("contactId,name,e-mail,memberState", "de-1,Erika,erika@example.de,DE");

    // Act
    const reading = () => contactsFromCsv(text);

    // Assess
    expect(reading).toThrow("missing column(s) email; unknown column(s) e-mail");
  });

  it("returns nothing for an empty file", () => {
    // Act
    const parsed = contactsFromCsv("");

    // Assess
    expect(parsed).toEqual({ events: [], refused: [] });
  });
});
