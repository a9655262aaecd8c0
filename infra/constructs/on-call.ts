import { Annotations } from "aws-cdk-lib";
import type { Alarm } from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import { ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Key } from "aws-cdk-lib/aws-kms";
import { Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import { Construct } from "constructs";

export interface OnCallProps {
  /** Who receives every alarm. */
  emails: readonly string[];
}

/**
 * Where every alarm goes: one encrypted SNS topic with the on-call addresses subscribed. An alarm
 * notifies when it goes into ALARM and again when it is OK, so the person knows it cleared.
 */
export class OnCall extends Construct {
  readonly topic: Topic;

  constructor(scope: Construct, id: string, props: OnCallProps) {
    super(scope, id);
    // A customer managed key: CloudWatch cannot publish to a topic under the AWS managed key.
    const key = new Key(this, "Key", {
      description: "Encrypts the alarms topic of the Khartoum Process notification system",
      enableKeyRotation: true,
    });
    key.grant(
      new ServicePrincipal("cloudwatch.amazonaws.com"),
      "kms:Decrypt",
      "kms:GenerateDataKey*",
    );
    this.topic = new Topic(this, "Alarms", {
      displayName: "Khartoum Process alarms",
      masterKey: key,
      enforceSSL: true,
    });
    for (const email of props.emails) this.topic.addSubscription(new EmailSubscription(email));
    if (props.emails.length === 0) {
      Annotations.of(this).addWarning(
        "No alarmEmails in context: the alarms reach no one (deploy with -c alarmEmails=you@example.org)",
      );
    }
  }

  /** The alarm tells the on-call person when it fires and when it clears. */
  notify(alarm: Alarm): Alarm {
    const action = new SnsAction(this.topic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    return alarm;
  }
}
