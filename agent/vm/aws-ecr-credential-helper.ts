import { awsPythonProgram } from "./aws-python";

/** The credential helper's name: Docker runs `docker-credential-<name>` for the registries `credHelpers` maps to it. */
export const VM_ECR_CREDENTIAL_HELPER_NAME = "scalr-ecr";
/** Where the helper is installed: on the PATH systemd gives services (/usr/local/bin first; https://www.freedesktop.org/software/systemd/man/latest/systemd.exec.html, "$PATH"). */
export const VM_ECR_CREDENTIAL_HELPER = `/usr/local/bin/docker-credential-${VM_ECR_CREDENTIAL_HELPER_NAME}`;
/** The Docker client configuration the agent's unit uses (`DOCKER_CONFIG`): only `credHelpers`, no credential. */
export const VM_DOCKER_CONFIG_DIR = "/etc/scalr-agent/docker";

/**
 * A Docker credential helper for Amazon ECR, as Python 3 source (standard library only; the AWS
 * client part is shared with the token fetcher, see `aws-python.ts`). Docker's client runs it for
 * the registries `credHelpers` maps to it, so the host's Docker pulls the agent image from ECR with
 * the instance role, and no registry password is ever written to disk or to user data.
 *
 * The protocol (https://docs.docker.com/reference/cli/docker/login/#credential-helper-protocol):
 * `get` reads the server URL on stdin and prints `{"ServerURL", "Username", "Secret"}`; a server
 * it has no credentials for gets "credentials not found in native keychain" and exit status 1.
 * `store` and `erase` keep nothing (the token is fetched at every pull); `list` lists nothing.
 *
 * The token comes from ECR's `GetAuthorizationToken` (a base64 `AWS:<password>` valid for 12
 * hours: https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_GetAuthorizationToken.html)
 * on the API endpoint of the registry's region, signed with the instance role's credentials read
 * through IMDSv2. `AWS_ENDPOINT_URL_ECR` overrides the endpoint (tests).
 */
export const AWS_ECR_CREDENTIAL_HELPER_PY = awsPythonProgram(
  "Docker credential helper: an Amazon ECR authorization token for the instance role.",
  ["base64", "re", "sys", "time", "urllib.error"],
  `
# <account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn] (https://docs.aws.amazon.com/AmazonECR/latest/userguide/Registries.html)
ECR_HOST = re.compile(r"^(\\d{12})\\.dkr\\.ecr(?:-fips)?\\.([a-z0-9-]+)\\.amazonaws\\.com(?:\\.cn)?$")
NOT_FOUND = "credentials not found in native keychain"


def registry_host(server_url):
    host = server_url.strip()
    if "://" in host:
        host = host.split("://", 1)[1]
    return host.split("/", 1)[0]


def authorization_token(account, region, creds):
    url = endpoint_for("api.ecr", "AWS_ENDPOINT_URL_ECR", region)
    headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken"}
    body = json.dumps({"registryIds": [account]}).encode()
    data = json.loads(signed_post(url, "ecr", region, creds, headers, body))["authorizationData"][0]
    user, _, secret = base64.b64decode(data["authorizationToken"]).decode().partition(":")
    if not secret:
        raise ValueError("malformed authorization token")
    return user, secret


def get(server_url):
    match = ECR_HOST.match(registry_host(server_url))
    if not match:
        print(NOT_FOUND)
        return 1
    account, region = match.group(1), match.group(2)
    deadline = time.monotonic() + 60
    delay = 2
    while True:
        try:
            creds, _ = instance_credentials()
            user, secret = authorization_token(account, region, creds)
            break
        except (urllib.error.URLError, OSError, ValueError, KeyError, IndexError) as e:
            # The instance role and the network can be late at boot: retry for a minute.
            detail = "HTTP %s" % e.code if isinstance(e, urllib.error.HTTPError) else type(e).__name__
            if time.monotonic() + delay > deadline:
                print("docker-credential-scalr-ecr: no ECR token for %s: %s" % (account, detail), file=sys.stderr)
                return 1
            time.sleep(delay)
            delay = min(delay * 2, 15)
    sys.stdout.write(json.dumps({"ServerURL": server_url.strip(), "Username": user, "Secret": secret}))
    return 0


def main():
    action = sys.argv[1] if len(sys.argv) > 1 else ""
    if action == "get":
        return get(sys.stdin.read())
    if action in ("store", "erase"):
        # Nothing is stored: a token is fetched at every pull.
        sys.stdin.read()
        return 0
    if action == "list":
        sys.stdout.write("{}")
        return 0
    print("usage: docker-credential-scalr-ecr get|store|erase|list", file=sys.stderr)
    return 1
`,
);
