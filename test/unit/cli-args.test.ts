import { describe, expect, it } from "vitest";
import { detailFromFlags, parseArgs } from "../../cli/args.js";

describe("parseArgs", () => {
  it("takes the word after --flag as its value", () => {
    // Act
    const { flags, positionals } = parseArgs(["put", "contact-removed", "--contactId", "de-1"]);

    // Assess
    expect(positionals).toEqual(["put", "contact-removed"]);
    expect(flags).toEqual(new Map([["contactId", "de-1"]]));
  });

  it("takes the value after '=' in --flag=value, up to the end of the word", () => {
    // Act
    const { flags } = parseArgs([
      "--venue.city=Addis Ababa",
      "--agendaUrl=https://example.org/a?b=c",
      "--reason=",
    ]);

    // Assess
    expect(flags.get("venue.city")).toBe("Addis Ababa");
    expect(flags.get("agendaUrl")).toBe("https://example.org/a?b=c");
    expect(flags.get("reason")).toBe("");
  });

  it("keeps a value that starts with '-' or spans lines", () => {
    // Act
    const { flags } = parseArgs(["--description", "Line one\nLine two", "--reason", "-"]);

    // Assess
    expect(flags.get("description")).toBe("Line one\nLine two");
    expect(flags.get("reason")).toBe("-");
  });

  it.each(["json", "aws", "dry-run", "help"])(
    "reads --%s as a flag that takes no value",
    (name) => {
      // Act
      const { flags, positionals } = parseArgs([`--${name}`, "contacts", "list"]);

      // Assess
      expect(flags.get(name)).toBe(true);
      expect(positionals).toEqual(["contacts", "list"]);
    },
  );

  it("reads -h as --help", () => {
    // Act
    const { flags, positionals } = parseArgs(["-h"]);

    // Assess
    expect(flags.get("help")).toBe(true);
    expect(positionals).toEqual([]);
  });

  it("mixes positionals, valued flags and boolean flags in any order", () => {
    // Act
    const { flags, positionals } = parseArgs([
      "--json",
      "contacts",
      "--table",
      "kp-table",
      "import",
      "contacts.csv",
      "--dry-run",
    ]);

    // Assess
    expect(positionals).toEqual(["contacts", "import", "contacts.csv"]);
    expect(flags).toEqual(
      new Map<string, string | true>([
        ["json", true],
        ["table", "kp-table"],
        ["dry-run", true],
      ]),
    );
  });

  it("keeps the last value of a flag given twice", () => {
    // Act
    const { flags } = parseArgs(["--name", "Erika", "--name", "Erich"]);

    // Assess
    expect(flags.get("name")).toBe("Erich");
  });

  it("throws when the last flag has no value", () => {
    // Act
    const parsing = () => parseArgs(["put", "contact-removed", "--contactId"]);

    // Assess
    expect(parsing).toThrow("--contactId needs a value");
  });

  it("returns nothing for no arguments", () => {
    // Act
    const { flags, positionals } = parseArgs([]);

    // Assess
    expect(positionals).toEqual([]);
    expect(flags.size).toBe(0);
  });
});

describe("detailFromFlags", () => {
  it("makes one field per flag", () => {
    // Prepare
    const { flags } = parseArgs(["--contactId", "de-1", "--name", "Erika Mustermann"]);

    // Act
    const detail = detailFromFlags(flags);

    // Assess
    expect(detail).toEqual({ contactId: "de-1", name: "Erika Mustermann" });
  });

  it("nests dotted paths into objects", () => {
    // Prepare
    const { flags } = parseArgs([
      "--venue.city",
      "Berlin",
      "--venue.country",
      "DE",
      "--venue.name=Federal Foreign Office",
    ]);

    // Act
    const detail = detailFromFlags(flags);

    // Assess
    expect(detail).toEqual({
      venue: { city: "Berlin", country: "DE", name: "Federal Foreign Office" },
    });
  });

  it("reads roles as a comma-separated list", () => {
    // Prepare
    const { flags } = parseArgs(["--roles", "focal-point, observer,"]);

    // Act
    const detail = detailFromFlags(flags);

    // Assess
    expect(detail).toEqual({ roles: ["focal-point", "observer"] });
  });

  it("reads audience.countries as a comma-separated list inside audience", () => {
    // Prepare
    const { flags } = parseArgs(["--audience.countries", "SS,KE"]);

    // Act
    const detail = detailFromFlags(flags);

    // Assess
    expect(detail).toEqual({ audience: { countries: ["SS", "KE"] } });
  });

  it("reads a single role as a list of one", () => {
    // Prepare
    const { flags } = parseArgs(["--roles=observer"]);

    // Act
    const detail = detailFromFlags(flags);

    // Assess
    expect(detail.roles).toEqual(["observer"]);
  });

  it("keeps audience a word when it is not a list", () => {
    // Prepare
    const { flags } = parseArgs(["--audience", "steering-committee"]);

    // Act
    const detail = detailFromFlags(flags);

    // Assess
    expect(detail).toEqual({ audience: "steering-committee" });
  });

  it.each([
    ["true", true],
    ["false", false],
  ])("reads reminders %s as a boolean", (value, expected) => {
    // Prepare
    const { flags } = parseArgs(["--reminders", value]);

    // Act
    const detail = detailFromFlags(flags);

    // Assess
    expect(detail).toEqual({ reminders: expected });
  });

  it("leaves other words for reminders as they are, for the contract to refuse", () => {
    // Prepare
    const { flags } = parseArgs(["--reminders", "sometimes"]);

    // Act
    const detail = detailFromFlags(flags);

    // Assess
    expect(detail).toEqual({ reminders: "sometimes" });
  });

  it("keeps 'true' and 'false' as text in fields that are not booleans", () => {
    // Prepare
    const { flags } = parseArgs(["--reason", "false"]);

    // Act
    const detail = detailFromFlags(flags);

    // Assess
    expect(detail).toEqual({ reason: "false" });
  });
});

describe("detailFromFlags and unsafe keys", () => {
  it("refuses a path through __proto__ rather than touching Object.prototype", () => {
    // Prepare
    const { flags } = parseArgs(["--__proto__.polluted", "yes"]);

    // Act
    const act = () => detailFromFlags(flags);

    // Assess
    expect(act).toThrow("--__proto__.polluted is not a field");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("parseArgs and a flag missing its value", () => {
  it("refuses to take the next flag as the value, so --dry-run cannot become a reason", () => {
    // Act
    const act = () =>
      parseArgs(["put", "meeting-cancelled", "--meetingId", "m-1", "--reason", "--dry-run"]);

    // Assess
    expect(act).toThrow("--reason needs a value");
  });

  it("still takes a value that starts with -- when it is given with =", () => {
    // Act
    const { flags } = parseArgs(["--reason=--postponed--"]);

    // Assess
    expect(flags.get("reason")).toBe("--postponed--");
  });
});
