import { AgentSettings } from "../../../agent/settings/agent-settings";
import { AgentTokenSource } from "../../../agent/settings/token-source";
import { VmInstallMode, VmOperatingSystem, VmTokenFetch, VmUserDataOptions, VM_OPERATING_SYSTEMS } from "../../../agent/vm";

/** A self-signed test certificate body (never trusted anywhere; only its shape matters). */
export const TEST_CA_PEM = [
  "-----BEGIN CERTIFICATE-----",
  "MIIBszCCAVmgAwIBAgIUQ2FLaXRUZXN0Q0EwMDAwMDAwMDAwMDAwCgYIKoZIzj0EAwIw",
  "FDESMBAGA1UEAwwJa2l0LXRlc3QwHhcNMjUwMTAxMDAwMDAwWhcNMzUwMTAxMDAwMDAw",
  "-----END CERTIFICATE-----",
].join("\n");

/** One golden scenario: settings and options, every field with its own value so copy-paste bugs show. */
export interface Scenario {
  readonly name: string;
  readonly settings: AgentSettings;
  readonly options: Omit<VmUserDataOptions, "os">;
  readonly oses: readonly VmOperatingSystem[];
}

const docker: VmInstallMode = "docker";

export const SCENARIOS: readonly Scenario[] = [
  {
    name: "minimal",
    settings: {
      scalrUrl: "https://minimal-acct.scalr.io",
      token: AgentTokenSource.fromAwsSecretsManager("arn:aws:secretsmanager:eu-west-1:111122223333:secret:scalr/minimal-token-Ab12Cd"),
    },
    options: {},
    oses: VM_OPERATING_SYSTEMS,
  },
  {
    name: "proxy",
    settings: {
      scalrUrl: "https://proxy-acct.scalr.io",
      token: AgentTokenSource.fromAwsSecretsManager("arn:aws:secretsmanager:us-east-2:444455556666:secret:scalr/proxy-token-Ef34Gh", { jsonKey: "poolToken" }),
      name: "proxied-agent-2",
      concurrency: 3,
      proxy: { http: "http://proxy.corp.example:3128", https: "http://secure-proxy.corp.example:3129", noProxy: [".corp.example", "10.20.0.0/16"] },
      containerTask: { memoryLimitMiB: 4096, cpuLimit: 2.5 },
    },
    options: { installMode: docker },
    oses: VM_OPERATING_SYSTEMS,
  },
  {
    name: "custom-ca",
    settings: {
      scalrUrl: "https://ca-acct.scalr.io",
      token: AgentTokenSource.fromFile("/run/secrets/ignored-by-tokenFetch"),
      dataDir: "/srv/scalr-data",
      cacheDir: "/srv/scalr-cache",
      caBundle: { pem: TEST_CA_PEM },
      containerTask: { caBundle: { path: "/etc/pki/custom/task-ca.pem" }, imageRegistry: "mirror.example.com/scalr-mirror/" },
      shutdown: { gracePeriodSeconds: 1800 },
    },
    options: { tokenFetch: VmTokenFetch.command("gcloud secrets versions access latest --secret=scalr-agent-token") },
    oses: VM_OPERATING_SYSTEMS,
  },
  {
    name: "vcs",
    settings: {
      scalrUrl: "https://vcs-acct.scalr.io",
      token: AgentTokenSource.fromFile("/var/lib/cloud-secrets/scalr-vcs-token"),
      poolKind: "vcs",
      name: "vcs-relay-1",
      logFormat: "plain",
      debug: true,
      shutdown: { mode: "graceful", gracePeriodSeconds: 90 },
    },
    options: {},
    oses: VM_OPERATING_SYSTEMS,
  },
  {
    name: "legacy-package",
    settings: {
      scalrUrl: "https://legacy-acct.scalr.io",
      token: AgentTokenSource.fromAwsSecretsManager("arn:aws:secretsmanager:ap-southeast-2:777788889999:secret:scalr/legacy-settings-Ij56Kl"),
      name: "legacy-agent-7",
      proxy: { http: "http://legacy-proxy.example:8080" },
      shutdown: { gracePeriodSeconds: 2400 },
    },
    options: {
      installMode: "package",
      tokenFetch: VmTokenFetch.awsSecretsManager("scalr/legacy-pool-token", { region: "ap-southeast-2" }),
      // The legacy units' journal: the packaged agent, its Docker and the token unit.
      logShipping: { logGroupName: "/legacy/agent-logs", flushSeconds: 11 },
    },
    oses: ["rocky-9", "ubuntu-22.04"],
  },
  {
    // What VmAgentFleet renders: the drain watcher, its lifecycle helper, and the proxy drop-in linked into it.
    name: "autoscaling-drain",
    settings: {
      scalrUrl: "https://drain-acct.scalr.io",
      token: AgentTokenSource.fromFile("/run/ignored-by-tokenFetch"),
      concurrency: 4,
      proxy: { https: "http://drain-proxy.example:3130" },
      shutdown: { gracePeriodSeconds: 5400 },
    },
    options: {
      tokenFetch: VmTokenFetch.awsSecretsManager("scalr-agent/drain-fleet/pool-token"),
      autoScalingDrain: { autoScalingGroupName: "drain-fleet", lifecycleHookName: "drain-hook-9", pollIntervalSeconds: 7, heartbeatIntervalSeconds: 240 },
      logShipping: { logGroupName: "/scalr-agent/drain-fleet" },
    },
    oses: ["amazon-linux-2023", "ubuntu-24.04"],
  },
  {
    // An agent image pulled from an ECR pull-through cache with the instance role (AgentImageMirror).
    name: "ecr-mirror",
    settings: {
      scalrUrl: "https://mirror-acct.scalr.io",
      token: AgentTokenSource.fromAwsSecretsManager("arn:aws:secretsmanager:ap-southeast-2:777788889999:secret:scalr/mirror-token-Mn56Op"),
      image: {
        registry: "777788889999.dkr.ecr.ap-southeast-2.amazonaws.com",
        repository: "hub-cache/scalr/agent",
        tag: "1.4.0",
        digest: `sha256:${"0f1e2d3c4b5a6978".repeat(4)}`,
        ecr: { accountId: "777788889999", region: "ap-southeast-2", pullThroughCache: true },
      },
      proxy: { https: "http://mirror-proxy.example:3131" },
    },
    options: {},
    oses: VM_OPERATING_SYSTEMS,
  },
];
