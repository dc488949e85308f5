import { awsPythonProgram } from "./aws-python";
import { VM_LIBEXEC_DIR } from "./scripts";

/** The journald shipper on the VM (Python 3, standard library only). */
export const VM_LOGS_SHIPPER = `${VM_LIBEXEC_DIR}/aws-logs-shipper`;
/** The shipper's service. */
export const VM_LOGS_UNIT = "scalr-agent-logs.service";
/** Where the shipper keeps the journal cursor of the last event CloudWatch Logs accepted (systemd `StateDirectory=`). */
export const VM_LOGS_STATE_DIR = "/var/lib/scalr-agent-logs";

/**
 * Ships the journal of the kit's units (the agent and its token fetch, Docker, the drain watcher,
 * first boot) to a CloudWatch Logs group with the instance role, one log stream per instance and
 * unit (`<instance-id>/<unit>`).
 *
 * Why a shipper of its own rather than the Amazon CloudWatch agent: the agent is not packaged for
 * every OS the kit supports (Ubuntu and Rocky images lack it) and its journald input is not
 * documented; installing it means a download per boot. Why not Docker's `awslogs` log driver: it
 * covers only containers, not the Docker daemon, the token fetch or the drain watcher, and it does
 * not apply to the legacy package mode; the agent's container runs attached (`docker run` without
 * `-d`) under its unit, so its output is in the journal already. One path for everything.
 *
 * How: `journalctl -o json --follow` for the units
 * (https://www.freedesktop.org/software/systemd/man/latest/journalctl.html: `--after-cursor`,
 * `-o json`), batched into `PutLogEvents` calls signed with the instance role (the AWS code is the
 * kit's shared Python part, `aws-python.ts`). The cursor of the last accepted event is written only
 * after CloudWatch Logs accepted the batch, so a restart resumes without loss (duplicates are
 * possible after a crash between the call and the write). A log stream is created on first use
 * (`CreateLogStream`; `ResourceAlreadyExistsException` is fine).
 *
 * `PutLogEvents` limits (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html):
 * at most 10,000 events and 1,048,576 bytes per call (the UTF-8 messages plus 26 bytes per event),
 * events in chronological order spanning at most 24 hours, no sequence token needed. Each message
 * is cut to 256 KiB (the per-event limit: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html).
 *
 * `AWS_ENDPOINT_URL_CLOUDWATCH_LOGS` overrides the endpoint and `--journalctl` the program (tests).
 * A failed call is retried with backoff (the reader stops reading meanwhile, journald keeps the
 * events); errors go to the shipper's own journal, which it does not ship.
 */
export const AWS_LOGS_SHIPPER_PY = awsPythonProgram(
  "Ships the journal of the Scalr agent's units to CloudWatch Logs using the instance role.",
  ["argparse", "queue", "subprocess", "sys", "threading", "time", "urllib.error"],
  `
MAX_EVENTS = 10000
MAX_BATCH_BYTES = 1048576
EVENT_OVERHEAD = 26
MAX_MESSAGE_BYTES = 262144 - EVENT_OVERHEAD
MAX_SPAN_MS = 23 * 3600 * 1000
END = object()


class Logs:
    """CloudWatch Logs calls with the instance role's credentials, refreshed every few minutes."""

    def __init__(self, group):
        self.group = group
        self.creds = None
        self.region = None
        self.fetched = 0
        self.streams = set()

    def call(self, action, payload):
        if self.creds is None or time.monotonic() - self.fetched > 300:
            self.creds, self.region = instance_credentials()
            self.fetched = time.monotonic()
        url = endpoint_for("logs", "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", self.region)
        headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Logs_20140328." + action}
        return json.loads(signed_post(url, "logs", self.region, self.creds, headers, json.dumps(payload).encode()) or "{}")

    def ensure_stream(self, stream):
        if stream in self.streams:
            return
        try:
            self.call("CreateLogStream", {"logGroupName": self.group, "logStreamName": stream})
        except urllib.error.HTTPError as e:
            if "ResourceAlreadyExistsException" not in error_type(e):
                raise
        self.streams.add(stream)

    def put(self, stream, events):
        self.ensure_stream(stream)
        answer = self.call("PutLogEvents", {"logGroupName": self.group, "logStreamName": stream, "logEvents": events})
        rejected = answer.get("rejectedLogEventsInfo")
        if rejected:
            print("scalr-agent logs: CloudWatch Logs rejected events of %s: %s" % (stream, json.dumps(rejected, sort_keys=True)), file=sys.stderr)


def error_type(e):
    """The AWS error type of an HTTPError (its body is read once and kept)."""
    if not hasattr(e, "aws_type"):
        try:
            e.aws_type = str(json.loads(e.read().decode() or "{}").get("__type", "HTTP %s" % e.code))
        except ValueError:
            e.aws_type = "HTTP %s" % e.code
    return e.aws_type


# Worth retrying: throttling, outages, a stream deleted meanwhile, and credentials or permissions
# that are not there yet (the instance role and its policy can be late at boot).
RETRIED = ("Throttling", "ServiceUnavailable", "ResourceNotFound", "ExpiredToken", "UnrecognizedClient", "InvalidSignature", "AccessDenied", "HTTP 5")


def message_of(entry):
    """The journal's MESSAGE: a string, or an array of bytes when it is not valid UTF-8."""
    m = entry.get("MESSAGE")
    if isinstance(m, list):
        m = bytes(b & 0xFF for b in m if isinstance(b, int)).decode("utf-8", "replace")
    if not isinstance(m, str) or m == "":
        return None
    raw = m.encode("utf-8")
    if len(raw) > MAX_MESSAGE_BYTES:
        m = raw[:MAX_MESSAGE_BYTES].decode("utf-8", "ignore")
    return m


def unit_of(entry):
    # systemd's own lines about a unit carry UNIT; a service's lines carry _SYSTEMD_UNIT.
    return str(entry.get("UNIT") or entry.get("_SYSTEMD_UNIT") or "journal").replace(":", "_").replace("*", "_")


def batches(pending):
    """Splits one stream's events into PutLogEvents calls within the API's limits."""
    pending.sort(key=lambda e: e["timestamp"])
    batch, size = [], 0
    for event in pending:
        n = len(event["message"].encode("utf-8")) + EVENT_OVERHEAD
        if batch and (len(batch) >= MAX_EVENTS or size + n > MAX_BATCH_BYTES or event["timestamp"] - batch[0]["timestamp"] > MAX_SPAN_MS):
            yield batch
            batch, size = [], 0
        batch.append(event)
        size += n
    if batch:
        yield batch


def read_cursor(path):
    try:
        with open(path) as f:
            return f.read().strip() or None
    except OSError:
        return None


def write_cursor(path, cursor):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(cursor)
    os.replace(tmp, path)


def reader(stream, lines):
    for line in stream:
        lines.put(line)
    lines.put(END)


def flush(logs, pending, cursor, cursor_file):
    """Sends everything pending, retrying until CloudWatch Logs accepts it; then records the cursor."""
    delay = 2
    for stream in sorted(pending):
        for batch in batches(pending[stream]):
            while True:
                try:
                    logs.put(stream, batch)
                    delay = 2
                    break
                except (urllib.error.URLError, OSError, ValueError, KeyError, IndexError) as e:
                    detail = error_type(e) if isinstance(e, urllib.error.HTTPError) else type(e).__name__
                    if "ResourceNotFoundException" in detail:
                        logs.streams.discard(stream)
                    if isinstance(e, urllib.error.HTTPError):
                        logs.creds = None
                    if isinstance(e, urllib.error.HTTPError) and e.code < 500 and not any(r in detail for r in RETRIED):
                        # A request CloudWatch Logs will never accept (a bad event): drop it, or it blocks the journal for good.
                        print("scalr-agent logs: dropping %d events of %s: %s" % (len(batch), stream, detail), file=sys.stderr)
                        break
                    print("scalr-agent logs: PutLogEvents to %s failed (%s), retrying in %ss" % (stream, detail, delay), file=sys.stderr)
                    time.sleep(delay)
                    delay = min(delay * 2, 60)
    pending.clear()
    if cursor:
        write_cursor(cursor_file, cursor)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--log-group", required=True)
    parser.add_argument("--unit", action="append", required=True, help="a unit whose journal is shipped (repeatable)")
    parser.add_argument("--cursor-file", required=True)
    parser.add_argument("--flush-seconds", type=float, default=5)
    parser.add_argument("--journalctl", default="journalctl")
    args = parser.parse_args()

    instance_id = imds("/latest/meta-data/instance-id", imds_token()).strip()
    logs = Logs(args.log_group)
    command = [args.journalctl, "--output=json", "--follow", "--no-pager"] + ["--unit=" + u for u in args.unit]
    cursor = read_cursor(args.cursor_file)
    # From the last accepted event on; on the first run, this boot's events from the start.
    command += ["--after-cursor=" + cursor] if cursor else ["--boot", "--no-tail"]
    journal = subprocess.Popen(command, stdout=subprocess.PIPE, universal_newlines=True, errors="replace")
    lines = queue.Queue(maxsize=MAX_EVENTS)
    threading.Thread(target=reader, args=(journal.stdout, lines), daemon=True).start()

    pending, count, last_cursor = {}, 0, None
    deadline = time.monotonic() + args.flush_seconds
    while True:
        try:
            line = lines.get(timeout=max(0.05, deadline - time.monotonic()))
        except queue.Empty:
            line = None
        if line is END:
            flush(logs, pending, last_cursor, args.cursor_file)
            return journal.wait()
        if line:
            try:
                entry = json.loads(line)
            except ValueError:
                entry = None
            if isinstance(entry, dict):
                message = message_of(entry)
                if message is not None:
                    timestamp = int(int(entry.get("__REALTIME_TIMESTAMP", time.time() * 1e6)) / 1000)
                    pending.setdefault(instance_id + "/" + unit_of(entry), []).append({"timestamp": timestamp, "message": message})
                    count += 1
                last_cursor = entry.get("__CURSOR") or last_cursor
        if count >= MAX_EVENTS or time.monotonic() >= deadline:
            flush(logs, pending, last_cursor, args.cursor_file)
            count = 0
            deadline = time.monotonic() + args.flush_seconds
`,
);
