import { describe, expect, it } from "vitest";
import { signLocalToken, verifyLocalToken } from "../../local/console-local.js";
import {
  checkedEvent,
  consoleUserOf,
  groupsOf,
  InvalidConsoleEvent,
  putterOf,
  putterResource,
} from "../../shared/domain/console.js";

describe("the console's users, roles and putters", () => {
  it("reads the groups claim as the token carries it and as the HTTP API's authorizer hands it over", () => {
    expect(groupsOf(["officers", "viewers"])).toEqual(["officers", "viewers"]);
    expect(groupsOf("[officers viewers]")).toEqual(["officers", "viewers"]);
    expect(groupsOf(undefined)).toEqual([]);
  });

  it("makes an officer of a member of both groups, and no user of someone in neither", () => {
    expect(
      consoleUserOf({ "cognito:username": "amina", "cognito:groups": "[viewers officers]" }),
    ).toEqual({
      username: "amina",
      role: "officer",
    });
    expect(consoleUserOf({ "cognito:username": "jo", "cognito:groups": "[viewers]" })?.role).toBe(
      "viewer",
    );
    expect(
      consoleUserOf({ "cognito:username": "eve", "cognito:groups": "[admins]" }),
    ).toBeUndefined();
    expect(consoleUserOf(undefined)).toBeUndefined();
  });

  it("names the putter in the event's resources and reads the name back", () => {
    const resource = putterResource(
      { username: "amina@au.int", role: "officer" },
      "arn:aws:kp-console:eu-central-1:1",
    );
    expect(resource).toBe("arn:aws:kp-console:eu-central-1:1:user/amina%40au.int");
    expect(putterOf(["arn:aws:events:x", resource])).toBe("amina@au.int");
    expect(putterOf([])).toBeUndefined();
  });

  it("checks an event by the contract's schema, each problem with its field", () => {
    expect(() =>
      checkedEvent({ detailType: "Contact Removed", detail: { contactId: "x" } }),
    ).toThrow(InvalidConsoleEvent);
    const refused = (() => {
      try {
        return checkedEvent({
          detailType: "Chair Designated",
          detail: { country: "DE", takesOfficeOn: "2030-02-30" },
        });
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(InvalidConsoleEvent);
    expect((refused as InvalidConsoleEvent).issues).toEqual([
      { path: "takesOfficeOn", message: "is not a date in the calendar" },
    ]);
    expect(
      checkedEvent({ detailType: "Chair Designated", detail: { country: "DE" } }).detail,
    ).toEqual({
      country: "DE",
    });
    expect(() => checkedEvent({ detailType: "Meeting Moved", detail: {} })).toThrow(
      /not a detail-type/,
    );
  });

  it("accepts a local token until it expires, and none signed with another secret", () => {
    const now = new Date("2030-01-01T08:00:00Z");
    const token = signLocalToken("secret", "viewer", now, 3600);
    const claims = verifyLocalToken("secret", `Bearer ${token}`, new Date("2030-01-01T08:59:59Z"));
    expect(claims?.["cognito:groups"]).toBe("[viewers]");
    expect(
      verifyLocalToken("secret", `Bearer ${token}`, new Date("2030-01-01T09:00:00Z")),
    ).toBeUndefined();
    expect(verifyLocalToken("other", `Bearer ${token}`, now)).toBeUndefined();
    expect(verifyLocalToken("secret", undefined, now)).toBeUndefined();
  });
});
