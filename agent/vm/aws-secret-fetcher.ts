/**
 * The AWS Secrets Manager token fetcher installed on the VM, as Python 3 source.
 *
 * Why Python with only its standard library: every supported image runs cloud-init, which is a
 * Python 3 program, so `/usr/bin/python3` is always there (3.9 on Amazon Linux 2023 and Rocky 9,
 * 3.10/3.12 on Ubuntu) on x86_64 and arm64 alike. The AWS CLI is not: Ubuntu and Rocky images lack
 * it, and installing it means a 60 MB download per boot of every instance. curl's `--aws-sigv4`
 * does not sign `X-Amz-Target` on the curl versions of Rocky 9 and Ubuntu 22.04, and running the
 * CLI in a container cannot reach IMDS with the hop limit of 1 the fleet sets. So the fetcher signs
 * one `GetSecretValue` call itself (Signature Version 4, ~40 lines), with credentials of the
 * instance role read through IMDSv2.
 *
 * It prints the token on stdout and nothing else; errors go to stderr and never include the token.
 * Standard AWS SDK variables `AWS_EC2_METADATA_SERVICE_ENDPOINT` and
 * `AWS_ENDPOINT_URL_SECRETS_MANAGER` override the endpoints (tests use them; systemd starts the
 * fetcher with a clean environment, so they are unset on the VM).
 */
export const AWS_SECRET_FETCHER_PY = `#!/usr/bin/python3
"""Prints an AWS Secrets Manager secret (the Scalr agent pool token) using the instance role."""
import argparse
import datetime
import hashlib
import hmac
import json
import os
import sys
import time
import urllib.error
import urllib.request

IMDS = os.environ.get("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://169.254.169.254").rstrip("/")
# IMDS is always reached directly, whatever the proxy settings say.
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))
# Secrets Manager goes through HTTPS_PROXY/NO_PROXY from the environment (the proxy drop-in).
VIA_PROXY = urllib.request.build_opener()


def imds(path, token, method="GET", headers=None):
    h = {"X-aws-ec2-metadata-token": token} if token else {}
    h.update(headers or {})
    req = urllib.request.Request(IMDS + path, method=method, headers=h)
    with DIRECT.open(req, timeout=5) as resp:
        return resp.read().decode()


def instance_credentials():
    token = imds("/latest/api/token", None, "PUT", {"X-aws-ec2-metadata-token-ttl-seconds": "300"})
    role = imds("/latest/meta-data/iam/security-credentials/", token).splitlines()[0].strip()
    creds = json.loads(imds("/latest/meta-data/iam/security-credentials/" + role, token))
    region = imds("/latest/meta-data/placement/region", token).strip()
    return creds, region


def _hmac(key, msg):
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def sigv4_authorization(method, host, path, query, headers, body, region, service, access_key, secret_key, amz_date):
    """Signature Version 4 Authorization header; headers must include host and x-amz-date."""
    lower = {k.lower(): " ".join(str(v).split()) for k, v in headers.items()}
    names = sorted(lower)
    canonical_headers = "".join("%s:%s\\n" % (k, lower[k]) for k in names)
    signed = ";".join(names)
    request = "\\n".join([method, path, query, canonical_headers, signed, hashlib.sha256(body).hexdigest()])
    scope = "%s/%s/%s/aws4_request" % (amz_date[:8], region, service)
    to_sign = "\\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(request.encode()).hexdigest()])
    key = _hmac(_hmac(_hmac(_hmac(("AWS4" + secret_key).encode(), amz_date[:8]), region), service), "aws4_request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s" % (access_key, scope, signed, signature)


def endpoint_for(region):
    override = os.environ.get("AWS_ENDPOINT_URL_SECRETS_MANAGER")
    if override:
        return override.rstrip("/")
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return "https://secretsmanager.%s.%s" % (region, suffix)


def get_secret(secret_id, region, creds):
    url = endpoint_for(region)
    host = url.split("://", 1)[1].split("/", 1)[0]
    body = json.dumps({"SecretId": secret_id}).encode()
    amz_date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    headers = {
        "Content-Type": "application/x-amz-json-1.1",
        "Host": host,
        "X-Amz-Date": amz_date,
        "X-Amz-Security-Token": creds["Token"],
        "X-Amz-Target": "secretsmanager.GetSecretValue",
    }
    headers["Authorization"] = sigv4_authorization(
        "POST", host, "/", "", headers, body, region, "secretsmanager", creds["AccessKeyId"], creds["SecretAccessKey"], amz_date
    )
    req = urllib.request.Request(url + "/", data=body, method="POST", headers=headers)
    with VIA_PROXY.open(req, timeout=10) as resp:
        return json.loads(resp.read().decode())


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


if __name__ == "__main__":
    sys.exit(main())
`;
