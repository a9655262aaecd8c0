#!/usr/bin/env node
// `./bin/kp ...` or `npm run kp -- ...`: runs the CLI's TypeScript through tsx.
import { register } from "tsx/esm/api";

register();
await import("../cli/main.ts");
