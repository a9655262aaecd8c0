import { describe, expect, it } from "vitest";
import { cutMarker, jsonText } from "../../shared/domain/json-text.js";
import { ERASED_CUT_EVENT, erasePersonalDataFromText } from "../../shared/domain/personal-data.js";
import { boundedReason, MAX_REASON_LENGTH } from "../../shared/domain/rejections.js";

describe("jsonText", () => {
  it("writes what JSON.stringify writes for an ordinary event", () => {
    // Prepare
    const event = { id: "e-1", detail: { name: 'Amina "A" Otieno', roles: ["x", null], n: 1.5 } };

    // Act
    const { text, cut } = jsonText(event);

    // Assess
    expect(text).toBe(JSON.stringify(event));
    expect(cut).toBe(false);
  });

  it("writes a value nested 100,000 levels deep, where JSON.stringify overflows the stack", () => {
    // Prepare
    let deep: unknown = [];
    for (let level = 0; level < 100_000; level += 1) deep = [deep];

    // Act
    const { text } = jsonText(deep);

    // Assess
    expect(() => JSON.stringify(deep)).toThrow(RangeError);
    expect(text).toBe(`${"[".repeat(100_001)}${"]".repeat(100_001)}`);
  });

  it("keeps a number beyond a double as 1e400, which reads back as the same Infinity", () => {
    // Act
    const { text } = jsonText({ big: JSON.parse("1e400"), small: JSON.parse("-1e400") });

    // Assess
    expect(JSON.parse(text)).toEqual({ big: Infinity, small: -Infinity });
  });

  it("cuts past the byte budget on a whole character and ends with the marker", () => {
    // Prepare
    const event = { detail: { text: "م".repeat(1000) } };

    // Act
    const { text, cut } = jsonText(event, 500);

    // Assess
    expect(cut).toBe(true);
    expect(Buffer.byteLength(text, "utf8")).toBeLessThanOrEqual(500);
    expect(text.endsWith(cutMarker(500))).toBe(true);
    expect(text).not.toContain("\uFFFD");
  });
});

describe("erasePersonalDataFromText", () => {
  it("erases name and email from an event kept as text", () => {
    // Prepare
    const text = JSON.stringify({
      id: "e-1",
      detail: { contactId: "de-1", name: "Erika", email: "erika@example.de", memberState: "DE" },
    });

    // Act
    const erased = JSON.parse(erasePersonalDataFromText(text, 10_000));

    // Assess
    expect(erased).toEqual({
      id: "e-1",
      detail: { contactId: "de-1", memberState: "DE", erased: ["name", "email"] },
    });
  });

  it("keeps nothing of an event that was cut, since its personal data cannot be picked out", () => {
    // Prepare
    const { text } = jsonText({ detail: { contactId: "de-1", name: "Erika".repeat(200) } }, 300);

    // Act
    const erased = erasePersonalDataFromText(text, 10_000);

    // Assess
    expect(erased).toBe(ERASED_CUT_EVENT);
    expect(erased).not.toContain("Erika");
  });
});

describe("boundedReason", () => {
  it("leaves a reason of up to 1,000 characters as it is, and cuts a longer one with an ellipsis", () => {
    // Act
    const short = boundedReason("detail.email: must be an email address");
    const long = boundedReason("x".repeat(5000));

    // Assess
    expect(short).toBe("detail.email: must be an email address");
    expect(long).toHaveLength(MAX_REASON_LENGTH);
    expect(long.endsWith("…")).toBe(true);
  });
});
