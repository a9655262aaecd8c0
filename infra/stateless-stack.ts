import { Duration, Stack, type StackProps, Validations } from "aws-cdk-lib";
import { Table } from "aws-cdk-lib/aws-dynamodb";
import { type EventPattern, Match, Rule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import { type IQueue, Queue } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { AUDIENCE_INDEX } from "../shared/adapters/table-keys.js";
import {
  ContactRemoved,
  ContactUpserted,
  type ContractEvent,
  DETAIL_TYPES,
  SOURCE,
} from "../shared/contract/index.js";
import { WorkflowFunction } from "./constructs/workflow-function.js";
import type { StatefulStack } from "./stateful-stack.js";

export interface StatelessStackProps extends StackProps {
  stateful: StatefulStack;
}

/** The functions and the rules that route the secretariat's events to them. */
export class StatelessStack extends Stack {
  readonly functions: WorkflowFunction[] = [];
  private readonly stateful: StatefulStack;
  /** Imported, so the rules do not write the queue's policy into the stateful stack (a cycle). */
  private readonly undeliveredEvents: IQueue;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    this.stateful = props.stateful;
    this.undeliveredEvents = Queue.fromQueueArn(
      this,
      "UndeliveredEvents",
      props.stateful.undeliveredEvents.queueArn,
    );

    this.route(ContactUpserted, "contact-upserted");
    this.route(ContactRemoved, "contact-removed");
    // A detail-type outside the contract would match no rule and vanish: keep it as rejected.
    this.addWorkflow("reject-unknown-event", {
      source: [SOURCE],
      detailType: Match.anythingBut(...DETAIL_TYPES),
    });

    // Imported by ARN, the table grants its items only, not every index (<table>/index/*):
    // the one index the functions query is granted by name.
    const table = Table.fromTableArn(this, "Table", this.stateful.table.tableArn);
    for (const fn of this.functions) {
      table.grantReadWriteData(fn);
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: ["dynamodb:Query"],
          resources: [`${this.stateful.table.tableArn}/index/${AUDIENCE_INDEX}`],
        }),
      );
    }

    Validations.of(this).acknowledge(
      {
        id: "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
        reason:
          "AWSLambdaBasicExecutionRole only lets a function write its own logs; it is AWS's documented minimum.",
      },
      {
        id: "AwsSolutions-IAM5[Resource::*]",
        reason: "X-Ray's PutTraceSegments and PutTelemetryRecords take no resource.",
      },
      {
        id: "AwsSolutions-L1",
        reason:
          "Node.js 22 is the runtime the project targets and tests on (Lambda's supported LTS line).",
      },
    );
  }

  private route(contractEvent: ContractEvent, functionId: string): WorkflowFunction {
    return this.addWorkflow(functionId, {
      source: [contractEvent.source],
      detailType: [contractEvent.detailType],
    });
  }

  private addWorkflow(functionId: string, eventPattern: EventPattern): WorkflowFunction {
    const { stateful } = this;
    const fn = new WorkflowFunction(this, functionId, {
      deadLetterQueue: stateful.failedEvents,
      environment: { TABLE_NAME: stateful.table.tableName },
    });
    this.functions.push(fn);
    new Rule(this, `${functionId}-rule`, {
      eventBus: stateful.eventBus,
      eventPattern,
      targets: [
        new LambdaFunction(fn, {
          retryAttempts: 185,
          maxEventAge: Duration.hours(24),
          deadLetterQueue: this.undeliveredEvents,
        }),
      ],
    });
    return fn;
  }
}
