import { App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { DEFAULT_EVENT_BUS_NAME } from "../shared/contract/index.js";
import { StatefulStack } from "./stateful-stack.js";
import { StatelessStack } from "./stateless-stack.js";

/** The whole system as ops deploy it; `npm start` runs this same assembly locally. */
export function buildApp(app = new App()) {
  const eventBusName = app.node.tryGetContext("eventBusName") ?? DEFAULT_EVENT_BUS_NAME;
  const stateful = new StatefulStack(app, "KpStateful", { eventBusName });
  const stateless = new StatelessStack(app, "KpStateless", { stateful });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stateful, stateless };
}
