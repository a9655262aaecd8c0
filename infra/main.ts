import { prepareConsoleBuild } from "./console-build.js";
import { prepareFunctionBundles } from "./function-bundles.js";

// The functions' bundles (esbuild) and the console (Vite) are built while the CDK app loads,
// each into its cache; the stacks then copy them into their assets.
const builds = Promise.all([prepareFunctionBundles(), prepareConsoleBuild()]);
const { buildApp } = await import("./app.js");
await builds;
buildApp().app.synth();
