import { awsPythonProgram } from "./aws-python";

/**
 * The Auto Scaling lifecycle helper installed on the VM, as Python 3 source (standard library only;
 * the AWS client part is shared with the token fetcher, see `aws-python.ts`). The drain watcher
 * calls it once Auto Scaling terminates the instance (it polls the target lifecycle state itself,
 * with curl):
 *
 * - `heartbeat --group G --hook H`: `RecordLifecycleActionHeartbeat` for this instance;
 * - `complete --group G --hook H --result CONTINUE`: `CompleteLifecycleAction` for this instance.
 *
 * The lifecycle calls are signed Query API requests with the instance role's credentials. They
 * retry throttling, 5xx and network errors for `--deadline-seconds`, and fail at once on other
 * errors (such as "no active lifecycle action"), printing AWS's error code.
 * `AWS_ENDPOINT_URL_AUTO_SCALING` overrides the endpoint (tests).
 */
export const AWS_LIFECYCLE_HELPER_PY = awsPythonProgram(
  "Answers this instance's Auto Scaling termination lifecycle hook (heartbeat, complete).",
  ["argparse", "re", "sys", "time", "urllib.error", "urllib.parse"],
  `
ACTIONS = {"heartbeat": "RecordLifecycleActionHeartbeat", "complete": "CompleteLifecycleAction"}


def lifecycle_call(action, params, token):
    creds, region = instance_credentials(token)
    instance_id = imds("/latest/meta-data/instance-id", token).strip()
    form = dict(params, Action=action, InstanceId=instance_id, Version="2011-01-01")
    body = urllib.parse.urlencode(sorted(form.items())).encode()
    url = endpoint_for("autoscaling", "AWS_ENDPOINT_URL_AUTO_SCALING", region)
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    signed_post(url, "autoscaling", region, creds, headers, body)
    return instance_id


def aws_error(e):
    """AWS's error code from a Query API error response, and whether retrying can help."""
    try:
        text = e.read().decode()
    except (OSError, ValueError):
        text = ""
    match = re.search(r"<Code>([^<]+)</Code>", text)
    code = match.group(1) if match else "HTTP %s" % e.code
    return code, e.code >= 500 or e.code == 429 or "Throttl" in code


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["heartbeat", "complete"])
    parser.add_argument("--group", help="Auto Scaling group name")
    parser.add_argument("--hook", help="lifecycle hook name")
    parser.add_argument("--result", choices=["CONTINUE", "ABANDON"], default="CONTINUE")
    parser.add_argument("--deadline-seconds", type=int, default=60)
    args = parser.parse_args()

    if not args.group or not args.hook:
        parser.error("--group and --hook are required for %s" % args.command)
    params = {"AutoScalingGroupName": args.group, "LifecycleHookName": args.hook}
    if args.command == "complete":
        params["LifecycleActionResult"] = args.result
    action = ACTIONS[args.command]
    deadline = time.monotonic() + args.deadline_seconds
    delay = 2
    while True:
        try:
            instance_id = lifecycle_call(action, params, imds_token())
            print("scalr-agent drain: %s %s for %s" % (action, args.result if args.command == "complete" else "sent", instance_id))
            return 0
        except urllib.error.HTTPError as e:
            detail, retry = aws_error(e)
        except (urllib.error.URLError, OSError, ValueError, KeyError, IndexError) as e:
            detail, retry = type(e).__name__, True
        if not retry or time.monotonic() + delay > deadline:
            print("scalr-agent drain: %s failed: %s" % (action, detail), file=sys.stderr)
            return 1
        print("scalr-agent drain: %s failed (%s), retrying in %ss" % (action, detail, delay), file=sys.stderr)
        time.sleep(delay)
        delay = min(delay * 2, 15)
`,
);
