import { App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { readSettings } from "./settings.js";
import { StatefulStack } from "./stateful-stack.js";
import { StatelessStack } from "./stateless-stack.js";

/** The whole system as ops deploy it; `npm start` runs this same assembly locally. */
export function buildApp(app = new App()) {
  const settings = readSettings(app.node);
  const stateful = new StatefulStack(app, "KpStateful", { settings });
  const stateless = new StatelessStack(app, "KpStateless", { stateful, settings });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stateful, stateless };
}
