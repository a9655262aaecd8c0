import { Aws, CfnOutput, Duration, Stack, type StackProps, Validations } from "aws-cdk-lib";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import { BlockPublicAccess, Bucket, BucketEncryption } from "aws-cdk-lib/aws-s3";
import { ReceiptRuleSet, TlsPolicy } from "aws-cdk-lib/aws-ses";
import { Lambda, LambdaInvocationType, S3 } from "aws-cdk-lib/aws-ses-actions";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import {
  WORKFLOW_FUNCTION_ACKNOWLEDGEMENTS,
  WorkflowFunction,
} from "./constructs/workflow-function.js";
import type { RsvpSettings } from "./rsvp-settings.js";

export interface ReceivingStackProps extends StackProps {
  settings: RsvpSettings;
  eventBusName: string;
}

/** Where SES stores a received message: the function reads it under this prefix and SES's id. */
export const REPLY_KEY_PREFIX = "replies/";

/**
 * SES receiving for the organizer address, in a region where SES receives mail: each message
 * is stored encrypted in S3 for a few days, then read by `receive-reply`, which hands the answer
 * to the main region's bus as a Reply Received event.
 */
export class ReceivingStack extends Stack {
  readonly bucket: Bucket;
  readonly ruleSet: ReceiptRuleSet;

  constructor(scope: Construct, id: string, props: ReceivingStackProps) {
    super(scope, id, props);
    const { settings } = props;

    this.bucket = new Bucket(this, "ReceivedMail", {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // A received message holds personal data and is read once: kept only a few days.
      lifecycleRules: [{ expiration: Duration.days(settings.receivedMailDays) }],
    });

    const failed = new Queue(this, "FailedReplies", {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    Validations.of(failed).acknowledge({
      id: "AwsSolutions-SQS3",
      reason: "This queue is itself a dead-letter queue.",
    });

    new CfnOutput(this, "FailedRepliesQueueUrl", { value: failed.queueUrl });

    const mainBusArn = `arn:${Aws.PARTITION}:events:${settings.mainRegion}:${Aws.ACCOUNT_ID}:event-bus/${props.eventBusName}`;
    const receiver = new WorkflowFunction(this, "receive-reply", {
      deadLetterQueue: failed,
      environment: {
        REPLY_BUCKET: this.bucket.bucketName,
        REPLY_KEY_PREFIX,
        MAIN_EVENT_BUS_ARN: mainBusArn,
        MAIN_REGION: settings.mainRegion,
      },
    });
    // GetObject only (a grantRead would add List* and GetBucket*).
    receiver.addToRolePolicy(
      new PolicyStatement({
        actions: ["s3:GetObject"],
        resources: [this.bucket.arnForObjects(`${REPLY_KEY_PREFIX}*`)],
      }),
    );
    receiver.addToRolePolicy(
      new PolicyStatement({ actions: ["events:PutEvents"], resources: [mainBusArn] }),
    );

    this.ruleSet = new ReceiptRuleSet(this, "Replies", {
      rules: [
        {
          recipients: [settings.replyAddress],
          scanEnabled: true,
          tlsPolicy: TlsPolicy.REQUIRE,
          actions: [
            new S3({ bucket: this.bucket, objectKeyPrefix: REPLY_KEY_PREFIX }),
            new Lambda({ function: receiver, invocationType: LambdaInvocationType.EVENT }),
          ],
        },
      ],
    });

    Validations.of(this).acknowledge(
      ...WORKFLOW_FUNCTION_ACKNOWLEDGEMENTS,
      {
        id: "AwsSolutions-IAM5[Resource::<ReceivedMailFFEFE2F1.Arn>/replies/*]",
        reason: `The function reads only the objects under ${REPLY_KEY_PREFIX} (S3 grants name them with a wildcard).`,
      },
      {
        id: "AwsSolutions-S1",
        reason:
          "Each object is one received message, written by SES and read once by the function within seconds; CloudTrail data events are the audit trail if one is needed.",
      },
    );
  }
}
