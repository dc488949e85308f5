/**
 * The AWS client code shared by the kit's Python programs on the VM (the Secrets Manager token
 * fetcher and the Auto Scaling lifecycle helper): IMDSv2, the instance role's credentials,
 * Signature Version 4 and one signed POST. Each program is one self-contained file on the VM
 * (`python3 <file>`, nothing to install), built here from this common part plus its own `main`,
 * so the signing code exists once in the kit.
 *
 * Why Python with only its standard library: every supported image runs cloud-init, which is a
 * Python 3 program, so `/usr/bin/python3` is always there (3.9 on Amazon Linux 2023 and Rocky 9,
 * 3.10/3.12 on Ubuntu) on x86_64 and arm64 alike. The AWS CLI is not: Ubuntu and Rocky images lack
 * it, and installing it means a 60 MB download per boot of every instance. curl's `--aws-sigv4`
 * does not sign `X-Amz-Target` on the curl versions of Rocky 9 and Ubuntu 22.04, and running the
 * CLI in a container cannot reach IMDS with the hop limit of 1 the fleet sets.
 *
 * Standard AWS SDK variables override the endpoints: `AWS_EC2_METADATA_SERVICE_ENDPOINT` and
 * `AWS_ENDPOINT_URL_<SERVICE>` (tests use them; systemd starts the programs with a clean
 * environment, so they are unset on the VM). IMDS is always reached directly; AWS APIs go through
 * `HTTPS_PROXY`/`NO_PROXY` from the environment (the proxy drop-in).
 */
const AWS_PY_COMMON = `IMDS = os.environ.get("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://169.254.169.254").rstrip("/")
# IMDS is always reached directly, whatever the proxy settings say.
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))
# AWS APIs go through HTTPS_PROXY/NO_PROXY from the environment (the proxy drop-in).
VIA_PROXY = urllib.request.build_opener()


def imds(path, token, method="GET", headers=None):
    h = {"X-aws-ec2-metadata-token": token} if token else {}
    h.update(headers or {})
    req = urllib.request.Request(IMDS + path, method=method, headers=h)
    with DIRECT.open(req, timeout=5) as resp:
        return resp.read().decode()


def imds_token():
    return imds("/latest/api/token", None, "PUT", {"X-aws-ec2-metadata-token-ttl-seconds": "300"})


def instance_credentials(token=None):
    token = token or imds_token()
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


def endpoint_for(service, env_name, region):
    override = os.environ.get(env_name)
    if override:
        return override.rstrip("/")
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return "https://%s.%s.%s" % (service, region, suffix)


def signed_post(url, service, region, creds, headers, body):
    """POSTs body to url signed with the instance role's credentials; returns the response text."""
    host = url.split("://", 1)[1].split("/", 1)[0]
    amz_date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    h = dict(headers)
    h.update({"Host": host, "X-Amz-Date": amz_date, "X-Amz-Security-Token": creds["Token"]})
    h["Authorization"] = sigv4_authorization("POST", host, "/", "", h, body, region, service, creds["AccessKeyId"], creds["SecretAccessKey"], amz_date)
    req = urllib.request.Request(url + "/", data=body, method="POST", headers=h)
    with VIA_PROXY.open(req, timeout=10) as resp:
        return resp.read().decode()`;

/** Standard-library modules the common part needs; a program adds its own. */
const COMMON_IMPORTS = ["datetime", "hashlib", "hmac", "json", "os", "urllib.request"];

/**
 * One Python 3 program for the VM: shebang, docstring, imports, the common AWS part, then `main`
 * (which must define `def main():` returning an exit code).
 */
export function awsPythonProgram(docstring: string, imports: readonly string[], body: string): string {
  const all = [...new Set([...COMMON_IMPORTS, ...imports])].sort();
  return `#!/usr/bin/python3
"""${docstring}"""
${all.map((m) => `import ${m}`).join("\n")}

${AWS_PY_COMMON}


${body.trim()}


if __name__ == "__main__":
    sys.exit(main())
`;
}
