import { CfnOutput, Fn, Stack } from "aws-cdk-lib";
import { PublicHostedZone } from "aws-cdk-lib/aws-route53";
import { EmailIdentity, Identity, MailFromBehaviorOnMxFailure } from "aws-cdk-lib/aws-ses";
import { Construct } from "constructs";

export interface SendingIdentityProps {
  /** The sender's domain, verified with Easy DKIM. */
  domain: string;
  /** The custom MAIL FROM domain, a subdomain of `domain`. */
  mailFromDomain: string;
  /** The domain's Route 53 public hosted zone: when given, the records are created in it. */
  hostedZone?: { id: string; name: string };
}

/**
 * The domain the system sends as: an SES identity with Easy DKIM (three CNAMEs) and a custom MAIL
 * FROM domain (an MX for bounces and an SPF TXT), so receivers see aligned SPF and DKIM. With a
 * hosted zone the records are created; without one the deploy prints them (the stack's outputs),
 * with a recommended DMARC record either way.
 */
export class SendingIdentity extends Construct {
  readonly identity: EmailIdentity;

  constructor(scope: Construct, id: string, props: SendingIdentityProps) {
    super(scope, id);
    const zone =
      props.hostedZone === undefined
        ? undefined
        : PublicHostedZone.fromHostedZoneAttributes(this, "Zone", {
            hostedZoneId: props.hostedZone.id,
            zoneName: props.hostedZone.name,
          });
    this.identity = new EmailIdentity(this, "Domain", {
      identity:
        zone === undefined ? Identity.domain(props.domain) : Identity.publicHostedZone(zone),
      mailFromDomain: props.mailFromDomain,
      // Without the MX, SES would send with its own MAIL FROM rather than refuse: mail still goes.
      mailFromBehaviorOnMxFailure: MailFromBehaviorOnMxFailure.USE_DEFAULT_VALUE,
    });

    const outputs: { id: string; description: string; value: string }[] = [];
    if (zone === undefined) {
      this.identity.dkimRecords.forEach((dkim, index) => {
        outputs.push({
          id: `Dkim${index + 1}`,
          description: `DNS record to create: Easy DKIM ${index + 1} of 3`,
          value: Fn.join("", [dkim.name, " CNAME ", dkim.value]),
        });
      });
      outputs.push(
        {
          id: "MailFromMx",
          description: "DNS record to create: the MAIL FROM domain's MX (bounces come back here)",
          value: `${props.mailFromDomain} MX 10 feedback-smtp.${Stack.of(this).region}.amazonses.com`,
        },
        {
          id: "MailFromSpf",
          description: "DNS record to create: the MAIL FROM domain's SPF",
          value: `${props.mailFromDomain} TXT "v=spf1 include:amazonses.com ~all"`,
        },
      );
    }
    outputs.push({
      id: "Dmarc",
      description:
        "Recommended DNS record (create it unless the domain has one): DMARC, reports only, to start",
      value: `_dmarc.${props.domain} TXT "v=DMARC1; p=none; rua=mailto:dmarc-reports@${props.domain}"`,
    });
    for (const output of outputs) {
      new CfnOutput(this, output.id, { description: output.description, value: output.value });
    }
  }
}
