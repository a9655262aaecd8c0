import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ["default", "json"],
    outputFile: { json: ".vitest/results.json" },
    // The functions' metrics (EMF lines) are not printed by tests that run handlers in-process.
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      TZ: "UTC",
      POWERTOOLS_METRICS_DISABLED: "true",
    },
    coverage: {
      include: ["shared/**", "functions/**", "local/**", "cli/**", "infra/**"],
      thresholds: { lines: 80 },
    },
  },
});
