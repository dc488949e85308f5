import { awsPythonProgram } from "./aws-python";

/**
 * The AWS Secrets Manager token fetcher installed on the VM, as Python 3 source (standard library
 * only; the AWS client part is shared with the lifecycle helper, see `aws-python.ts`). It signs one
 * `GetSecretValue` call with the instance role's credentials read through IMDSv2.
 *
 * It prints the token on stdout and nothing else; errors go to stderr and never include the token.
 * `AWS_ENDPOINT_URL_SECRETS_MANAGER` overrides the endpoint (tests).
 */
export const AWS_SECRET_FETCHER_PY = awsPythonProgram(
  "Prints an AWS Secrets Manager secret (the Scalr agent pool token) using the instance role.",
  ["argparse", "sys", "time", "urllib.error"],
  `
def get_secret(secret_id, region, creds):
    url = endpoint_for("secretsmanager", "AWS_ENDPOINT_URL_SECRETS_MANAGER", region)
    headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "secretsmanager.GetSecretValue"}
    body = json.dumps({"SecretId": secret_id}).encode()
    return json.loads(signed_post(url, "secretsmanager", region, creds, headers, body))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--secret-id", required=True, help="secret ARN or name")
    parser.add_argument("--region", help="default: the region in the ARN, else the instance's region")
    parser.add_argument("--json-key", help="field of a JSON secret that holds the token")
    parser.add_argument("--deadline-seconds", type=int, default=600)
    args = parser.parse_args()

    deadline = time.monotonic() + args.deadline_seconds
    delay = 2
    while True:
        try:
            creds, instance_region = instance_credentials()
            region = args.region
            if not region and args.secret_id.startswith("arn:"):
                region = args.secret_id.split(":")[3]
            secret = get_secret(args.secret_id, region or instance_region, creds)
            break
        except (urllib.error.URLError, OSError, ValueError, KeyError, IndexError) as e:
            # The instance role can take seconds to appear and the network a while to come up: retry.
            detail = "HTTP %s" % e.code if isinstance(e, urllib.error.HTTPError) else type(e).__name__
            if time.monotonic() + delay > deadline:
                print("scalr-agent token: giving up reading %s: %s" % (args.secret_id, detail), file=sys.stderr)
                return 1
            print("scalr-agent token: reading %s failed (%s), retrying in %ss" % (args.secret_id, detail, delay), file=sys.stderr)
            time.sleep(delay)
            delay = min(delay * 2, 30)

    value = secret.get("SecretString")
    if value is None:
        print("scalr-agent token: %s has no SecretString" % args.secret_id, file=sys.stderr)
        return 1
    if args.json_key:
        try:
            value = json.loads(value)[args.json_key]
        except (ValueError, KeyError, TypeError):
            print("scalr-agent token: %s is not JSON with the field %s" % (args.secret_id, args.json_key), file=sys.stderr)
            return 1
    sys.stdout.write(str(value).strip())
    return 0
`,
);
