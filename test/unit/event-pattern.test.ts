import { describe, expect, it } from "vitest";
import {
  InvalidEventPatternError,
  matchesEventPattern,
  missingTestEventFields,
  parseEventPattern,
} from "../../local/event-pattern.js";

// Patterns and events below are the examples of the Amazon EventBridge user guide unless a test
// says otherwise; Event Ruler (github.com/aws/event-ruler) is the engine EventBridge runs on and
// settles what the guide leaves open.

function matches(pattern: unknown, event: unknown): boolean {
  return matchesEventPattern(parseEventPattern(pattern), event);
}

function envelope(fields: Record<string, unknown>): Record<string, unknown> {
  return {
    version: "0",
    id: "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
    "detail-type": "EC2 Instance State-change Notification",
    source: "aws.ec2",
    account: "111122223333",
    time: "2017-12-22T18:43:48Z",
    region: "us-west-1",
    resources: ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
    detail: {},
    ...fields,
  };
}

function withDetail(detail: Record<string, unknown>): Record<string, unknown> {
  return envelope({ detail });
}

function invalidReason(pattern: unknown): string {
  try {
    parseEventPattern(pattern);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidEventPatternError);
    return (error as InvalidEventPatternError).message;
  }
  throw new Error("expected the pattern to be rejected");
}

// "Amazon EventBridge event patterns"
describe("event pattern structure", () => {
  const ec2Terminated = withDetail({ "instance-id": "i-1234567890abcdef0", state: "terminated" });
  const terminationPattern = {
    source: ["aws.ec2"],
    "detail-type": ["EC2 Instance State-change Notification"],
    detail: { state: ["terminated"] },
  };

  it("matches the documented EC2 instance-termination event", () => {
    expect(matches(terminationPattern, ec2Terminated)).toBe(true);
  });

  it("requires every field of the pattern to match (AND)", () => {
    const running = withDetail({ "instance-id": "i-1234567890abcdef0", state: "running" });
    expect(matches(terminationPattern, running)).toBe(false);
  });

  it("matches when the event value is any of the listed values (OR)", () => {
    const pattern = { source: ["aws.ec2", "aws.fargate"] };
    expect(matches(pattern, envelope({ source: "aws.fargate" }))).toBe(true);
    expect(matches(pattern, envelope({ source: "aws.s3" }))).toBe(false);
  });

  it("ignores event fields the pattern does not mention", () => {
    expect(matches({ source: ["aws.ec2"] }, ec2Terminated)).toBe(true);
  });

  it("does not match when a pattern field is absent from the event", () => {
    const pattern = { detail: { "instance-type": ["t3.micro"] } };
    expect(matches(pattern, ec2Terminated)).toBe(false);
  });

  it("requires the same nesting in the event as in the pattern", () => {
    expect(matches({ state: ["terminated"] }, ec2Terminated)).toBe(false);
    expect(matches({ detail: { state: ["terminated"] } }, envelope({ detail: "terminated" }))).toBe(
      false,
    );
  });

  it("compares strings exactly, without case folding", () => {
    expect(matches({ source: ["AWS.EC2"] }, ec2Terminated)).toBe(false);
  });

  it("accepts the pattern as a JSON string", () => {
    const json = JSON.stringify(terminationPattern);
    expect(parseEventPattern(json)).toEqual(terminationPattern);
    expect(matches(json, ec2Terminated)).toBe(true);
  });

  it("uses the last occurrence of a key repeated in the JSON text", () => {
    const json =
      '{"detail": {"location": [{"prefix": "us-"}], "location": [{"anything-but": "us-east"}]}}';
    expect(matches(json, withDetail({ location: "eu-west" }))).toBe(true);
    expect(matches(json, withDetail({ location: "us-east" }))).toBe(false);
  });
});

// "Matching events on event field values", "Matching null values and empty strings"
describe("exact values", () => {
  const autoscaling = envelope({
    source: "aws.autoscaling",
    "detail-type": "EC2 Instance Launch Successful",
    resources: [],
    detail: { eventVersion: "", responseElements: null },
  });

  it("matches an empty string", () => {
    expect(matches({ detail: { eventVersion: [""] } }, autoscaling)).toBe(true);
  });

  it("matches a JSON null", () => {
    const pattern = {
      source: ["aws.autoscaling"],
      "detail-type": ["EC2 Instance Launch Successful"],
      detail: { responseElements: [null] },
    };
    expect(matches(pattern, autoscaling)).toBe(true);
  });

  it("does not treat null and the empty string as interchangeable", () => {
    expect(matches({ detail: { responseElements: [""] } }, autoscaling)).toBe(false);
    expect(matches({ detail: { eventVersion: [null] } }, autoscaling)).toBe(false);
  });

  it("does not match null against an absent field", () => {
    expect(matches({ detail: { requestParameters: [null] } }, autoscaling)).toBe(false);
  });

  it("matches numbers by value, so 300 matches 300.0 and 3.0e2", () => {
    const pattern = { detail: { count: [300] } };
    expect(matches(pattern, JSON.parse('{"detail": {"count": 300.0}}'))).toBe(true);
    expect(matches(pattern, JSON.parse('{"detail": {"count": 3.0e2}}'))).toBe(true);
    expect(matches(pattern, withDetail({ count: 301 }))).toBe(false);
  });

  it("keeps JSON types apart: numbers, strings and booleans never match each other", () => {
    expect(matches({ detail: { count: [300] } }, withDetail({ count: "300" }))).toBe(false);
    expect(matches({ detail: { count: ["300"] } }, withDetail({ count: 300 }))).toBe(false);
    expect(matches({ detail: { enabled: [true] } }, withDetail({ enabled: "true" }))).toBe(false);
    expect(matches({ detail: { enabled: [true] } }, withDetail({ enabled: true }))).toBe(true);
  });

  it("matches the documented Macie severity score and count", () => {
    const macie = withDetail({ severity: { score: 1, description: "Low" }, count: 2 });
    const pattern = { detail: { severity: { score: [1] }, count: [2] } };
    expect(matches(pattern, macie)).toBe(true);
    expect(matches(pattern, withDetail({ severity: { score: 7 }, count: 2 }))).toBe(false);
  });
});

// "Arrays in Amazon EventBridge event patterns"
describe("arrays in events", () => {
  const resourcesPattern = {
    resources: [
      "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
      "arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f",
      "arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f",
    ],
  };

  it("matches when the pattern and event arrays intersect", () => {
    const event = envelope({
      resources: [
        "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate",
        "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
      ],
    });
    expect(matches(resourcesPattern, event)).toBe(true);
  });

  it("does not match when the intersection is empty", () => {
    const event = envelope({ resources: ["arn:aws:ec2:us-east-1:999999999999:instance/i-0"] });
    expect(matches(resourcesPattern, event)).toBe(false);
  });

  it("applies operators to each element of an event array", () => {
    const event = withDetail({ files: ["a.txt", "b.png"] });
    expect(matches({ detail: { files: [{ suffix: ".png" }] } }, event)).toBe(true);
    expect(matches({ detail: { files: [{ suffix: ".gif" }] } }, event)).toBe(false);
  });

  // Event Ruler README, "JSON Array Matching".
  it("matches a nested pattern against any object of an event array", () => {
    const event = {
      employees: [
        { firstName: "John", lastName: "Doe" },
        { firstName: "Anna", lastName: "Smith" },
        { firstName: "Peter", lastName: "Jones" },
      ],
    };
    expect(matches({ employees: { firstName: ["Anna"] } }, event)).toBe(true);
    expect(matches({ employees: { firstName: ["Anna"], lastName: ["Jones"] } }, event)).toBe(false);
    expect(matches({ employees: { firstName: ["Anna"], lastName: ["Smith"] } }, event)).toBe(true);
  });
});

// "Content filtering in Amazon EventBridge event patterns"
describe("prefix and suffix matching", () => {
  it("matches a prefix of the time field", () => {
    const pattern = { time: [{ prefix: "2017-10-02" }] };
    expect(matches(pattern, envelope({ time: "2017-10-02T18:43:48Z" }))).toBe(true);
    expect(matches(pattern, envelope({ time: "2017-10-03T18:43:48Z" }))).toBe(false);
  });

  it("matches Auto Scaling events from European regions", () => {
    const pattern = { source: ["aws.autoscaling"], region: [{ prefix: "eu-" }] };
    expect(matches(pattern, envelope({ source: "aws.autoscaling", region: "eu-west-1" }))).toBe(
      true,
    );
    expect(matches(pattern, envelope({ source: "aws.autoscaling", region: "us-east-1" }))).toBe(
      false,
    );
  });

  it("applies prefix matching only to string values", () => {
    expect(matches({ detail: { code: [{ prefix: "12" }] } }, withDetail({ code: 123 }))).toBe(
      false,
    );
  });

  it("matches every string with an empty prefix", () => {
    expect(matches({ source: [{ prefix: "" }] }, envelope({ source: "anything" }))).toBe(true);
  });

  it("matches a prefix regardless of case with equals-ignore-case", () => {
    const pattern = { detail: { service: [{ prefix: { "equals-ignore-case": "EventB" } }] } };
    expect(matches(pattern, withDetail({ service: "EventBridge" }))).toBe(true);
    expect(matches(pattern, withDetail({ service: "EVENTBRIDGE" }))).toBe(true);
    expect(matches(pattern, withDetail({ service: "EventSource" }))).toBe(false);
  });

  it("matches the .png file extension as a suffix", () => {
    const pattern = { FileName: [{ suffix: ".png" }] };
    expect(matches(pattern, { FileName: "image.png" })).toBe(true);
    expect(matches(pattern, { FileName: "image.PNG" })).toBe(false);
    expect(matches(pattern, { FileName: "image.jpg" })).toBe(false);
  });

  it("matches a suffix regardless of case with equals-ignore-case", () => {
    const pattern = { detail: { FileName: [{ suffix: { "equals-ignore-case": ".png" } }] } };
    expect(matches(pattern, withDetail({ FileName: "image.PNG" }))).toBe(true);
    expect(matches(pattern, withDetail({ FileName: "image.Png" }))).toBe(true);
    expect(matches(pattern, withDetail({ FileName: "image.jpg" }))).toBe(false);
  });
});

describe("equals-ignore-case matching", () => {
  it("matches a name regardless of case", () => {
    const pattern = { detail: { Name: [{ "equals-ignore-case": "alice" }] } };
    expect(matches(pattern, withDetail({ Name: "Alice" }))).toBe(true);
    expect(matches(pattern, withDetail({ Name: "ALICE" }))).toBe(true);
    expect(matches(pattern, withDetail({ Name: "Alicia" }))).toBe(false);
  });
});

describe("anything-but matching", () => {
  it("matches any state except a single string", () => {
    const pattern = { detail: { state: [{ "anything-but": "initializing" }] } };
    expect(matches(pattern, withDetail({ state: "running" }))).toBe(true);
    expect(matches(pattern, withDetail({ state: "initializing" }))).toBe(false);
  });

  it("matches any number except a single number", () => {
    const pattern = { detail: { "x-limit": [{ "anything-but": 123 }] } };
    expect(matches(pattern, withDetail({ "x-limit": 301.8 }))).toBe(true);
    expect(matches(pattern, withDetail({ "x-limit": 123 }))).toBe(false);
  });

  it("excludes every string of a list", () => {
    const pattern = { detail: { state: [{ "anything-but": ["stopped", "overloaded"] }] } };
    expect(matches(pattern, withDetail({ state: "running" }))).toBe(true);
    expect(matches(pattern, withDetail({ state: "stopped" }))).toBe(false);
    expect(matches(pattern, withDetail({ state: "overloaded" }))).toBe(false);
  });

  it("excludes every number of a list, compared by value", () => {
    const pattern = { detail: { "x-limit": [{ "anything-but": [100, 200, 300] }] } };
    expect(matches(pattern, withDetail({ "x-limit": 150 }))).toBe(true);
    expect(matches(pattern, JSON.parse('{"detail": {"x-limit": 300.0}}'))).toBe(false);
  });

  it("excludes values that start with a prefix", () => {
    const pattern = { detail: { state: [{ "anything-but": { prefix: "init" } }] } };
    expect(matches(pattern, withDetail({ state: "running" }))).toBe(true);
    expect(matches(pattern, withDetail({ state: "initializing" }))).toBe(false);
  });

  it("excludes values that end with a suffix", () => {
    const pattern = { FileName: [{ "anything-but": { suffix: ".png" } }] };
    expect(matches(pattern, { FileName: "notes.txt" })).toBe(true);
    expect(matches(pattern, { FileName: "image.png" })).toBe(false);
  });

  it("excludes values regardless of case with equals-ignore-case", () => {
    const single = {
      detail: { state: [{ "anything-but": { "equals-ignore-case": "initializing" } }] },
    };
    expect(matches(single, withDetail({ state: "INITIALIZING" }))).toBe(false);
    expect(matches(single, withDetail({ state: "running" }))).toBe(true);
    const list = {
      detail: { state: [{ "anything-but": { "equals-ignore-case": ["Stopped", "Overloaded"] } }] },
    };
    expect(matches(list, withDetail({ state: "OVERLOADED" }))).toBe(false);
    expect(matches(list, withDetail({ state: "running" }))).toBe(true);
  });

  it("excludes file paths that match a wildcard", () => {
    const pattern = { FilePath: [{ "anything-but": { wildcard: "*/lib/*" } }] };
    expect(matches(pattern, { FilePath: "/usr/bin/tool" })).toBe(true);
    expect(matches(pattern, { FilePath: "/usr/lib/libc.so" })).toBe(false);
    const list = { FilePath: [{ "anything-but": { wildcard: ["*/lib/*", "*/bin/*"] } }] };
    expect(matches(list, { FilePath: "/usr/bin/tool" })).toBe(false);
    expect(matches(list, { FilePath: "/home/me/notes.txt" })).toBe(true);
  });

  it("does not match an event that lacks the field", () => {
    const pattern = { detail: { state: [{ "anything-but": "initializing" }] } };
    expect(matches(pattern, withDetail({}))).toBe(false);
  });

  it("matches a null value, which is not one of the excluded strings", () => {
    const pattern = { detail: { foo: [{ "anything-but": ["baz"] }] } };
    expect(matches(pattern, withDetail({ foo: null }))).toBe(true);
  });

  it("matches an event array when at least one element is not excluded", () => {
    const pattern = { detail: { tags: [{ "anything-but": "blocked" }] } };
    expect(matches(pattern, withDetail({ tags: ["blocked", "ok"] }))).toBe(true);
    expect(matches(pattern, withDetail({ tags: ["blocked"] }))).toBe(false);
  });
});

describe("numeric matching", () => {
  // Event Ruler README sample event, the one the guide's numeric example is written for.
  const ruler = withDetail({
    "c-count": 5,
    "d-count": 3,
    "x-limit": 301.8,
    "source-ip": "10.0.0.33",
    "instance-id": "i-000000aaaaaa00000",
    state: "running",
  });
  const pattern = {
    detail: {
      "c-count": [{ numeric: [">", 0, "<=", 5] }],
      "d-count": [{ numeric: ["<", 10] }],
      "x-limit": [{ numeric: ["=", 3.018e2] }],
    },
  };

  it("matches only events that satisfy every numeric field", () => {
    expect(matches(pattern, ruler)).toBe(true);
    expect(matches(pattern, withDetail({ "c-count": 5, "d-count": 10, "x-limit": 301.8 }))).toBe(
      false,
    );
  });

  it("honours open and closed range ends", () => {
    const range = { detail: { "c-count": [{ numeric: [">", 0, "<=", 5] }] } };
    expect(matches(range, withDetail({ "c-count": 0 }))).toBe(false);
    expect(matches(range, withDetail({ "c-count": 0.5 }))).toBe(true);
    expect(matches(range, withDetail({ "c-count": 5 }))).toBe(true);
    expect(matches(range, withDetail({ "c-count": 5.000001 }))).toBe(false);
  });

  it("supports >= and a price between 10 (exclusive) and 20 (inclusive)", () => {
    expect(matches({ Price: [{ numeric: [">=", 10] }] }, { Price: 10 })).toBe(true);
    const between = { Price: [{ numeric: [">", 10, "<=", 20] }] };
    expect(matches(between, { Price: 20 })).toBe(true);
    expect(matches(between, { Price: 10 })).toBe(false);
    expect(matches({ Price: [{ numeric: ["=", 100] }] }, { Price: 100 })).toBe(true);
  });

  it("works only with JSON numbers", () => {
    expect(matches({ Price: [{ numeric: ["<", 10] }] }, { Price: "5" })).toBe(false);
  });
});

describe("IP address matching", () => {
  const pattern = { detail: { sourceIPAddress: [{ cidr: "10.0.0.0/24" }] } };

  it("matches IPv4 addresses inside the CIDR block", () => {
    expect(matches(pattern, withDetail({ sourceIPAddress: "10.0.0.0" }))).toBe(true);
    expect(matches(pattern, withDetail({ sourceIPAddress: "10.0.0.255" }))).toBe(true);
    expect(matches(pattern, withDetail({ sourceIPAddress: "10.0.1.1" }))).toBe(false);
  });

  it("does not match values that are not IP addresses", () => {
    expect(matches(pattern, withDetail({ sourceIPAddress: "10.0.0.x" }))).toBe(false);
    expect(matches(pattern, withDetail({ sourceIPAddress: 167772160 }))).toBe(false);
  });

  it("matches IPv6 addresses", () => {
    const v6 = { detail: { sourceIPAddress: [{ cidr: "2001:db8::/32" }] } };
    expect(matches(v6, withDetail({ sourceIPAddress: "2001:db8:85a3::8a2e:370:7334" }))).toBe(true);
    expect(matches(v6, withDetail({ sourceIPAddress: "2001:db9::1" }))).toBe(false);
    expect(matches(v6, withDetail({ sourceIPAddress: "10.0.0.1" }))).toBe(false);
  });
});

describe("exists matching", () => {
  const pending = withDetail({ "instance-id": "i-abcd1111", state: "pending" });
  const nestedCount = withDetail({ "c-count": { c1: 100 } });

  it("matches an event that has detail.state", () => {
    expect(matches({ detail: { state: [{ exists: true }] } }, pending)).toBe(true);
  });

  it("does not match exists:true when detail.state is missing", () => {
    expect(matches({ detail: { state: [{ exists: true }] } }, nestedCount)).toBe(false);
  });

  it("matches exists:false when the field is absent", () => {
    expect(matches({ detail: { "c-count": [{ exists: false }] } }, pending)).toBe(true);
    expect(matches({ detail: { state: [{ exists: false }] } }, pending)).toBe(false);
  });

  it("matches exists:false when the field is an object, because exists only sees leaves", () => {
    expect(matches({ detail: { "c-count": [{ exists: false }] } }, nestedCount)).toBe(true);
    expect(matches({ detail: { "c-count": [{ exists: true }] } }, nestedCount)).toBe(false);
  });

  it("matches exists:false when the parent object is missing too", () => {
    expect(matches({ detail: { "c-count": [{ exists: false }] } }, { source: "x" })).toBe(true);
  });

  it("counts a JSON null as present but an empty array as absent", () => {
    expect(matches({ UserID: [{ exists: true }] }, { UserID: null })).toBe(true);
    expect(matches({ tags: [{ exists: true }] }, { tags: [] })).toBe(false);
    expect(matches({ tags: [{ exists: false }] }, { tags: [] })).toBe(true);
  });
});

describe("wildcard matching", () => {
  const pngInDir = { FileName: [{ wildcard: "dir/*.png" }] };

  it("matches any .png file located within the folder dir", () => {
    expect(matches(pngInDir, { FileName: "dir/image.png" })).toBe(true);
    expect(matches(pngInDir, { FileName: "dir/sub/image.png" })).toBe(true);
    expect(matches(pngInDir, { FileName: "dir/image.jpg" })).toBe(false);
    expect(matches(pngInDir, { FileName: "other/dir/image.png" })).toBe(false);
  });

  it("lets a wildcard match zero characters", () => {
    expect(matches(pngInDir, { FileName: "dir/.png" })).toBe(true);
  });

  it("supports several wildcards in one value", () => {
    const pattern = { EventBusArn: [{ wildcard: "arn:aws:events:us-east-1:*:event-bus/*" }] };
    const arn = "arn:aws:events:us-east-1:123456789012:event-bus/orders";
    expect(matches(pattern, { EventBusArn: arn })).toBe(true);
    expect(matches(pattern, { EventBusArn: arn.replace("us-east-1", "eu-west-1") })).toBe(false);
    expect(
      matches({ source: [{ wildcard: "Simple*Service" }] }, { source: "SimpleQueueService" }),
    ).toBe(true);
  });

  it("treats an escaped star as a literal character", () => {
    const pattern = { detail: { note: [{ wildcard: "5\\*" }] } };
    expect(matches(pattern, withDetail({ note: "5*" }))).toBe(true);
    expect(matches(pattern, withDetail({ note: "50" }))).toBe(false);
  });

  it("applies only to string values", () => {
    expect(matches({ detail: { code: [{ wildcard: "*" }] } }, withDetail({ code: 7 }))).toBe(false);
    expect(matches({ detail: { code: [{ wildcard: "*" }] } }, withDetail({ code: "" }))).toBe(true);
  });
});

describe("$or matching", () => {
  const cloudwatch = {
    source: ["aws.cloudwatch"],
    $or: [{ metricName: ["CPUUtilization", "ReadLatency"] }, { namespace: ["AWS/EC2", "AWS/ES"] }],
  };

  it("matches when any branch matches, together with sibling fields", () => {
    expect(matches(cloudwatch, { source: "aws.cloudwatch", metricName: "ReadLatency" })).toBe(true);
    expect(matches(cloudwatch, { source: "aws.cloudwatch", namespace: "AWS/ES" })).toBe(true);
    expect(matches(cloudwatch, { source: "aws.cloudwatch", namespace: "AWS/S3" })).toBe(false);
    expect(matches(cloudwatch, { source: "aws.ec2", metricName: "ReadLatency" })).toBe(false);
  });

  it("matches Location New York or Day Monday", () => {
    const pattern = { $or: [{ Location: ["New York"] }, { Day: ["Monday"] }] };
    expect(matches(pattern, { Location: "Paris", Day: "Monday" })).toBe(true);
    expect(matches(pattern, { Location: "Paris", Day: "Tuesday" })).toBe(false);
  });

  it("works inside a nested object with numeric branches", () => {
    const pattern = {
      detail: {
        $or: [
          { "c-count": [{ numeric: [">", 0, "<=", 5] }] },
          { "d-count": [{ numeric: ["<", 10] }] },
          { "x-limit": [{ numeric: ["=", 3.018e2] }] },
        ],
      },
    };
    expect(matches(pattern, withDetail({ "x-limit": 301.8 }))).toBe(true);
    expect(matches(pattern, withDetail({ "c-count": 9, "d-count": 10 }))).toBe(false);
  });

  it("nests $or inside a branch that has an AND", () => {
    const pattern = {
      source: ["aws.cloudwatch"],
      $or: [
        { metricName: ["CPUUtilization"] },
        {
          metricType: ["MetricType"],
          namespace: ["AWS/EC2"],
          $or: [{ metricId: [1234] }, { spaceId: [1000] }],
        },
      ],
    };
    const base = { source: "aws.cloudwatch", metricType: "MetricType", namespace: "AWS/EC2" };
    expect(matches(pattern, { ...base, spaceId: 1000 })).toBe(true);
    expect(matches(pattern, { ...base, spaceId: 1001 })).toBe(false);
  });
});

describe("complex pattern with multiple matchers", () => {
  it("combines prefix, anything-but, numeric and cidr", () => {
    const pattern = {
      time: [{ prefix: "2017-10-02" }],
      detail: {
        state: [{ "anything-but": "initializing" }],
        "c-count": [{ numeric: [">", 0, "<=", 5] }],
        "d-count": [{ numeric: ["<", 10] }],
        "x-limit": [{ "anything-but": [100, 200, 300] }],
        "source-ip": [{ cidr: "10.0.0.0/8" }],
      },
    };
    const detail = { "c-count": 5, "d-count": 3, "x-limit": 301.8, "source-ip": "10.0.0.33" };
    const event = envelope({
      time: "2017-10-02T16:24:49Z",
      detail: { ...detail, state: "running" },
    });
    expect(matches(pattern, event)).toBe(true);
    const initializing = { ...event, detail: { ...detail, state: "initializing" } };
    expect(matches(pattern, initializing)).toBe(false);
  });
});

describe("pattern validation", () => {
  it.each([
    ["an empty pattern", {}, "Empty objects are not allowed"],
    ["a nested empty object", { detail: {} }, "Empty objects are not allowed"],
    ["a bare string leaf", { source: "aws.ec2" }, '"source" must be an object or an array'],
    ["a bare number leaf", { detail: { count: 5 } }, '"count" must be an object or an array'],
    ["an empty value array", { source: [] }, "Empty arrays are not allowed"],
    ["a nested array value", { source: [["aws.ec2"]] }, "Match value must be String"],
    ["an unknown operator", { source: [{ contains: "ec2" }] }, "Unrecognized match type contains"],
    ["two operators in one object", { source: [{ prefix: "a", suffix: "b" }] }, "Only one key"],
    ["a numeric string operand", { n: [{ numeric: [">", "5"] }] }, "Value of > must be numeric"],
    ["an unknown numeric operator", { n: [{ numeric: ["!=", 5] }] }, "Unrecognized numeric range"],
    ["an upper bound first", { n: [{ numeric: ["<", 10, ">", 0] }] }, "Too many elements"],
    ["an empty numeric range", { n: [{ numeric: [">", 5, "<", 5] }] }, "Bottom must be less"],
    ["a non-boolean exists", { n: [{ exists: "true" }] }, "exists match pattern must be"],
    ["a non-string prefix", { n: [{ prefix: 5 }] }, "prefix match pattern must be a string"],
    ["a mixed anything-but list", { n: [{ "anything-but": ["a", 1] }] }, "mixed type"],
    ["a null anything-but", { n: [{ "anything-but": null }] }, "Value of anything-but must be"],
    ["an empty anything-but prefix", { n: [{ "anything-but": { prefix: "" } }] }, "must not be"],
    ["anything-but numeric", { n: [{ "anything-but": { numeric: [">", 1] } }] }, "Unsupported"],
    ["consecutive wildcards", { n: [{ wildcard: "a**b" }] }, "Consecutive wildcard characters"],
    ["an invalid wildcard escape", { n: [{ wildcard: "a\\b" }] }, "Invalid escape character"],
    ["a CIDR without mask", { ip: [{ cidr: "10.0.0.1" }] }, "one '/' required"],
    ["a CIDR with a bad address", { ip: [{ cidr: "10.0.0.256/24" }] }, "Invalid IP address"],
    ["a $or with one branch", { $or: [{ a: ["1"] }] }, "at least 2 objects"],
    ["a $or that is not an array", { $or: { a: ["1"] } }, "$or must be followed by an array"],
    ["a reserved name inside $or", { $or: [{ numeric: [1] }, { b: ["2"] }] }, "reserved keyword"],
  ])("rejects %s", (_name, pattern, reason) => {
    const message = invalidReason(pattern);
    expect(message.startsWith("Event pattern is not valid. Reason: ")).toBe(true);
    expect(message).toContain(reason);
  });

  it("rejects malformed JSON text and non-object patterns", () => {
    expect(invalidReason("{source: [")).toContain("Malformed JSON");
    expect(invalidReason('["aws.ec2"]')).toContain("Filter is not an object");
    expect(invalidReason(42)).toContain("Filter is not an object");
  });

  it("names the offending field in the message", () => {
    expect(invalidReason({ detail: { state: [{ numeric: ["<", "x"] }] } })).toContain(
      '(at "detail.state")',
    );
  });

  it("refuses to match with a pattern that was never validated", () => {
    expect(() => matchesEventPattern({ source: "aws.ec2" }, envelope({}))).toThrow(
      InvalidEventPatternError,
    );
  });

  it("does not match events that are not JSON objects", () => {
    expect(matches({ source: [{ exists: false }] }, "not an event")).toBe(false);
    expect(matches({ source: [{ exists: false }] }, [])).toBe(false);
  });
});

// TestEventPattern API reference, "Event" parameter.
describe("TestEventPattern required event fields", () => {
  it("accepts an event with id, account, source, time, region and detail-type", () => {
    expect(missingTestEventFields(envelope({}))).toBeUndefined();
  });

  it("does not require resources", () => {
    const { resources: _resources, ...withoutResources } = envelope({});
    expect(missingTestEventFields(withoutResources)).toBeUndefined();
  });

  it("names every missing field", () => {
    const { id: _id, time: _time, ...rest } = envelope({});
    const message = missingTestEventFields(rest);
    expect(message).toContain("Parameter Event is not valid");
    expect(message).toContain("id");
    expect(message).toContain("time");
    expect(message).not.toContain("source");
  });

  it("rejects an event that is not a JSON object", () => {
    expect(missingTestEventFields("{}")).toContain("Parameter Event is not valid");
    expect(missingTestEventFields(null)).toContain("Parameter Event is not valid");
  });
});
