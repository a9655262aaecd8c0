import { App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { stackNames } from "../shared/platform/stages.js";
import { ConsoleStack } from "./console-stack.js";
import { ReceivingStack } from "./receiving-stack.js";
import { readRsvpSettings } from "./rsvp-settings.js";
import { RsvpStack } from "./rsvp-stack.js";
import { readSettings } from "./settings.js";
import { StatefulStack } from "./stateful-stack.js";
import { StatelessStack } from "./stateless-stack.js";

/** The whole system as ops deploy it; `npm start` runs this same assembly locally. */
export function buildApp(app = new App()) {
  const settings = readSettings(app.node);
  const rsvpSettings = readRsvpSettings(app.node);
  // Each stage (-c stage=staging) is a copy of its own; prod keeps the original stack names.
  const names = stackNames(settings.stage);
  const stateful = new StatefulStack(app, names.stateful, { settings });
  const stateless = new StatelessStack(app, names.stateless, { stateful, settings });
  const rsvp = new RsvpStack(app, names.rsvp, { stateful, settings: rsvpSettings });
  rsvp.wire(stateless, rsvpSettings);
  const receiving = new ReceivingStack(app, names.receiving, {
    env: { region: rsvpSettings.receivingRegion },
    settings: rsvpSettings,
    eventBusName: settings.eventBusName,
  });
  const console = new ConsoleStack(app, names.console, { stateful, stateless, settings });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stateful, stateless, rsvp, receiving, console };
}
