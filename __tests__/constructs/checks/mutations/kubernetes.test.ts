// Mutation corpus of the Kubernetes rules (KIT-K8S-1/2/3): the same violation written in every
// form a `helm_release` of Scalr's charts can take — values as JSON, YAML (block, flow, anchors,
// aliases, merge keys, YAML 1.1 booleans), several documents, `set`/`set_list`/`set_sensitive`,
// `Fn.jsonencode`/`Fn.yamlencode`, the chart named by repository alias, OCI reference or URL, raw
// resources and escape hatches on HelmAgent, values known only at apply time — each with a
// compliant twin. HelmAgent's refusal of the same weakenings in `extraValues` is tested here too.
import { Release } from "@cdktf/provider-helm/lib/release";
import { Fn, TerraformResource, TerraformStack, TerraformVariable, Testing } from "cdktf";
import { stringify } from "yaml";
import { KitRule, KIT_RULES, SynthesizedStack } from "../../../../constructs/checks";
import { KIT_K8S_1 } from "../../../../constructs/checks/rules/kubernetes/k8s-metadata-service-blocked";
import { KIT_K8S_2 } from "../../../../constructs/checks/rules/kubernetes/k8s-non-root";
import { KIT_K8S_3 } from "../../../../constructs/checks/rules/kubernetes/k8s-pod-hardened";
import { helmAgent, violations } from "../rule-helpers";
import { renderHelmValues } from "../../../../agent/k8s";
import { messageOf } from "../../../support/errors";
import { minimal } from "../../../agent/k8s/fixtures";

type Values = Record<string, unknown>;
type Build = (stack: TerraformStack) => void;
interface Form {
  readonly form: string;
  readonly build: Build;
}

/** The rule's findings: through KitChecks when the rule is registered, else the rule alone. */
function findings(rule: KitRule, build: Build): string[] {
  if (KIT_RULES.includes(rule)) return violations(rule, build);
  const stack = new TerraformStack(Testing.app(), "stack");
  build(stack);
  return rule.check(SynthesizedStack.of(stack)).map((f) => `${rule.id} ${f.path}: ${f.message}`);
}

const release = (s: TerraformStack, chart: string, config: Partial<ConstructorParameters<typeof Release>[2]> = {}) =>
  new Release(s, "Release", { name: "agent", chart, repository: "https://scalr.github.io/agent-helm/", ...config });

/** Leaves of `v` as Helm `set` paths. */
function leaves(v: unknown, prefix = ""): [string, unknown][] {
  if (v !== null && typeof v === "object" && !Array.isArray(v)) {
    return Object.entries(v).flatMap(([k, x]) => leaves(x, prefix === "" ? k.replace(/\./g, "\\.") : `${prefix}.${k.replace(/\./g, "\\.")}`));
  }
  if (Array.isArray(v) && v.some((x) => x !== null && typeof x === "object")) return v.flatMap((x, i) => leaves(x, `${prefix}[${i}]`));
  return [[prefix, v]];
}
const hcl = (v: unknown): unknown => v; // Fn.jsonencode/yamlencode take the object itself

/** Every way of giving `values` to a release of `chart`, by form name. */
function valueForms(chart: string, v: Values): Form[] {
  const first = Object.keys(v)[0] as string;
  const objectKeys = Object.keys(v).filter((k) => v[k] !== null && typeof v[k] === "object" && !Array.isArray(v[k]));
  const forms: Form[] = [
    { form: "values: JSON", build: (s) => release(s, chart, { values: [JSON.stringify(v)] }) },
    { form: "values: JSON with whitespace", build: (s) => release(s, chart, { values: [`\n  ${JSON.stringify(v, null, 4)}\n`] }) },
    { form: "values: YAML block", build: (s) => release(s, chart, { values: [stringify(v)] }) },
    { form: "values: YAML flow", build: (s) => release(s, chart, { values: [stringify(v, { collectionStyle: "flow" })] }) },
    { form: "values: YAML with comments and a document marker", build: (s) => release(s, chart, { values: [`# agent values\n---\n${stringify(v)}`] }) },
    { form: "values: YAML anchor + root merge key (<<: *anchor)", build: (s) => release(s, chart, { values: [`_shared: &b ${JSON.stringify(v)}\n<<: *b\n`] }) },
    { form: "values: YAML alias (*anchor) for a key", build: (s) => release(s, chart, { values: [`_shared: &b ${JSON.stringify(v[first])}\n${first}: *b\n`] }) },
    { form: "values: a later document overrides an earlier one", build: (s) => release(s, chart, { values: ["{}", stringify(v)] }) },
    { form: "values: Fn.jsonencode", build: (s) => release(s, chart, { values: [Fn.jsonencode(hcl(v))] }) },
    { form: "values: Fn.yamlencode", build: (s) => release(s, chart, { values: [Fn.yamlencode(hcl(v))] }) },
    { form: "set (type auto)", build: (s) => release(s, chart, { set: leaves(v).map(([name, value]) => ({ name, value: Array.isArray(value) ? `{${value.join(",")}}` : String(value) })) }) },
    { form: "set_sensitive", build: (s) => release(s, chart, { setSensitive: leaves(v).filter(([, x]) => !Array.isArray(x)).map(([name, value]) => ({ name, value: String(value) })), setList: leaves(v).filter(([, x]) => Array.isArray(x)).map(([name, value]) => ({ name, value: (value as unknown[]).map(String) })) }) },
    { form: "set via addOverride (raw JSON)", build: (s) => release(s, chart).addOverride("set", leaves(v).map(([name, value]) => ({ name, value: Array.isArray(value) ? `{${value.join(",")}}` : String(value) }))) },
    { form: "raw helm_release (TerraformResource + overrides)", build: (s) => rawRelease(s, chart, { values: [JSON.stringify(v)] }) },
    { form: "chart by repository alias (scalr/…)", build: (s) => release(s, `scalr/${chart}`, { values: [JSON.stringify(v)] }) },
    { form: "chart by OCI reference", build: (s) => release(s, `oci://ghcr.io/scalr/charts/${chart}`, { repository: undefined, values: [JSON.stringify(v)] }) },
    { form: "chart by OCI reference with tag", build: (s) => release(s, `oci://ghcr.io/scalr/charts/${chart}:0.6.5`, { repository: undefined, values: [JSON.stringify(v)] }) },
    { form: "chart by OCI repository + name", build: (s) => release(s, chart, { repository: "oci://ghcr.io/scalr/charts", values: [JSON.stringify(v)] }) },
    { form: "chart by packaged URL (.tgz)", build: (s) => release(s, `https://github.com/Scalr/agent-helm/releases/download/${chart}-0.6.5/${chart}-0.6.5.tgz`, { repository: undefined, values: [JSON.stringify(v)] }) },
    { form: "chart by local path", build: (s) => release(s, `./charts/${chart}/`, { repository: undefined, values: [JSON.stringify(v)] }) },
  ];
  for (const k of objectKeys) {
    forms.push({ form: `values: YAML merge key inside ${k} (${k}: {<<: *anchor})`, build: (s) => release(s, chart, { values: [`_shared: &b ${JSON.stringify(v[k])}\n${k}:\n  <<: *b\n`, JSON.stringify(Object.fromEntries(Object.entries(v).filter(([x]) => x !== k)))] }) });
  }
  return forms;
}

function rawRelease(s: TerraformStack, chart: string, body: Values): TerraformResource {
  const r = new TerraformResource(s, "Release", { terraformResourceType: "helm_release" });
  for (const [k, v] of Object.entries({ name: "agent", chart, ...body })) r.addOverride(k, v);
  return r;
}

/** Forms whose values are known only at apply time: they must fail closed (the same for every rule). */
function unknownForms(chart: string): Form[] {
  const variable = (s: TerraformStack) => new TerraformVariable(s, "v", {}).stringValue;
  return [
    { form: "unknown: values document is a variable", build: (s) => release(s, chart, { values: [variable(s)] }) },
    { form: "unknown: values document is file()", build: (s) => release(s, chart, { values: [Fn.file("values.yaml")] }) },
    { form: "unknown: values document is templatefile()", build: (s) => release(s, chart, { values: [Fn.templatefile("values.tftpl", {})] }) },
    { form: "unknown: values list is a local (addOverride)", build: (s) => release(s, chart).addOverride("values", "${local.values}") },
    { form: "unknown: set list is a local (addOverride)", build: (s) => release(s, chart).addOverride("set", "${local.sets}") },
    { form: "unknown: set name is a variable", build: (s) => release(s, chart, { values: [JSON.stringify(SAFE[chart as keyof typeof SAFE])], set: [{ name: variable(s), value: "true" }] }) },
    { form: "unknown: chart is a variable", build: (s) => release(s, variable(s), { values: ["{}"] }) },
    { form: "unknown: chart is a variable with HCL whitespace", build: (s) => release(s, "${ var.chart }", { values: ["{}"] }) },
  ];
}

/** Values every rule accepts, per chart. */
const SAFE = {
  "agent-local": { allowMetadataService: false, securityContext: { runAsNonRoot: true, runAsUser: 1000, privileged: false, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } },
  "agent-job": {},
} as const;

function corpus(rule: KitRule, chart: string, bad: Values, good: Values, extraBad: Form[] = [], extraGood: Form[] = []): void {
  const violating = [...valueForms(chart, bad), ...unknownForms(chart), ...extraBad];
  const compliant = [...valueForms(chart, good), ...extraGood];
  describe(`${rule.id} ${rule.name}: ${violating.length} violating forms, ${compliant.length} compliant twins`, () => {
    test.each(violating.map((f) => [f.form, f] as const))("fires: %s", (_name, f) => {
      const found = findings(rule, f.build);
      expect(found.length).toBeGreaterThan(0);
      for (const line of found) expect(line.startsWith(`${rule.id} `)).toBe(true);
      if (f.form.startsWith("unknown:")) for (const line of found) expect(line).toMatch(/cannot be (confirmed at synth time|read).*acknowledge KIT-K8S-\d with a reason/);
    });
    test.each(compliant.map((f) => [f.form, f] as const))("passes: %s", (_name, f) => {
      expect(findings(rule, f.build)).toEqual([]);
    });
  });
}

// KIT-K8S-1: the metadata service stays blocked.
corpus(KIT_K8S_1, "agent-local", { ...SAFE["agent-local"], allowMetadataService: true }, SAFE["agent-local"], [
  { form: "YAML 1.1 boolean (allowMetadataService: yes)", build: (s) => release(s, "agent-local", { values: ["allowMetadataService: yes\n"] }) },
  { form: "set value TRUE (any case)", build: (s) => release(s, "agent-local", { values: [JSON.stringify(SAFE["agent-local"])], set: [{ name: "allowMetadataService", value: "TRUE" }] }) },
  { form: "set overrides a hardened values document", build: (s) => release(s, "agent-local", { values: [JSON.stringify(SAFE["agent-local"])], set: [{ name: "allowMetadataService", value: "true" }] }) },
  { form: "set_sensitive overrides set", build: (s) => release(s, "agent-local", { set: [{ name: "allowMetadataService", value: "false" }], setSensitive: [{ name: "allowMetadataService", value: "true" }] }) },
  { form: "merge key with the explicit key left to the anchor", build: (s) => release(s, "agent-local", { values: ["_d: &d {allowMetadataService: true}\n<<: *d\n"] }) },
  { form: "unknown: value of the key is a reference", build: (s) => release(s, "agent-local", { values: ['allowMetadataService: "${var.allow}"\n'] }) },
  { form: "unknown: set value is a reference", build: (s) => release(s, "agent-local", { set: [{ name: "allowMetadataService", value: "${var.allow}" }] }) },
  { form: "agent-job: task.allowMetadataService through set", build: (s) => release(s, "agent-job", { set: [{ name: "task.allowMetadataService", value: "true" }] }) },
  { form: "agent-k8s: chart default (restrictMetadataService false)", build: (s) => release(s, "oci://registry.example.com/mirror/agent-k8s@sha256:abcdef0123", { repository: undefined }) },
  { form: "escape hatch: addOverride on HelmAgent's release values", build: (s) => helmAgent(s, { chart: "agent-local" }).release.addOverride("set", [{ name: "allowMetadataService", value: "true" }]) },
], [
  { form: "explicit key overrides the merged anchor", build: (s) => release(s, "agent-local", { values: ["_d: &d {allowMetadataService: true}\n<<: *d\nallowMetadataService: false\n"] }) },
  { form: "set false overrides a true document", build: (s) => release(s, "agent-local", { values: ["allowMetadataService: true"], set: [{ name: "allowMetadataService", value: "false" }] }) },
  { form: "YAML 1.1 boolean (allowMetadataService: no)", build: (s) => release(s, "agent-local", { values: ["allowMetadataService: no\n"] }) },
  { form: "HelmAgent (agent-local)", build: (s) => void helmAgent(s, { chart: "agent-local" }) },
  { form: "not a Scalr chart (by URL)", build: (s) => release(s, "https://charts.example.com/other-chart-1.0.0.tgz", { repository: undefined, values: ["allowMetadataService: true"] }) },
]);

// KIT-K8S-2: no container runs as root.
const ROOT = { securityContext: { runAsUser: 0, runAsNonRoot: false } };
corpus(KIT_K8S_2, "agent-local", ROOT, SAFE["agent-local"], [
  { form: "hardened values deleted with null (securityContext: null)", build: (s) => release(s, "agent-local", { values: ["securityContext: null\npodSecurityContext: null\n"] }) },
  { form: "runAsUser '0' as a string", build: (s) => release(s, "agent-local", { values: ['securityContext: {runAsUser: "0", runAsNonRoot: "false"}\n'] }) },
  { form: "YAML 1.1 boolean (runAsNonRoot: off) without runAsUser", build: (s) => release(s, "agent-local", { values: ["securityContext: {runAsNonRoot: off, runAsUser: null}\npodSecurityContext: {runAsNonRoot: off}\n"] }) },
  { form: "agent-job runner root through set", build: (s) => release(s, "agent-job", { set: [{ name: "task.runner.securityContext.runAsUser", value: "0" }] }) },
  { form: "agent-job: a sidecar's security context elsewhere in the values", build: (s) => release(s, "agent-job", { values: [JSON.stringify({ task: { sidecars: [{ name: "x", securityContext: { runAsUser: 0 } }] } })] }) },
  { form: "unknown: runAsUser is a reference", build: (s) => release(s, "agent-local", { values: ['securityContext: {runAsUser: "${var.uid}"}\n'] }) },
  { form: "unknown: runAsNonRoot is a reference (HCL whitespace)", build: (s) => release(s, "agent-local", { set: [{ name: "securityContext.runAsNonRoot", value: "${ var.non_root }" }] }) },
], [
  { form: "HelmAgent (agent-job)", build: (s) => void helmAgent(s, { chart: "agent-job" }) },
  { form: "agent-job chart defaults", build: (s) => release(s, "oci://ghcr.io/scalr/charts/agent-job:0.6.5", { repository: undefined }) },
]);

// KIT-K8S-3: the pod is not weakened. One corpus per weakening, then the forms of one of them.
corpus(KIT_K8S_3, "agent-local", { securityContext: { privileged: true } }, { securityContext: { privileged: false, readOnlyRootFilesystem: true } }, [
  ...(
    [
      ["allowPrivilegeEscalation: true", { securityContext: { allowPrivilegeEscalation: true } }],
      ["capabilities.add SYS_ADMIN", { securityContext: { capabilities: { add: ["SYS_ADMIN"] } } }],
      ["capabilities.add cap_net_raw (prefix, lower case)", { securityContext: { capabilities: { add: ["cap_net_raw"] } } }],
      ["capabilities.add ALL", { securityContext: { capabilities: { add: ["ALL"] } } }],
      ["hostNetwork", { podSecurityContext: { hostNetwork: true } }],
      ["hostPID as a string", { hostPID: "true" }],
      ["hostIPC", { hostIPC: true }],
      ["hostPort", { extraPorts: [{ containerPort: 80, hostPort: 80 }] }],
      ["hostPath volume (extraVolumes)", { extraVolumes: [{ name: "host", hostPath: { path: "/" } }] }],
      ["Docker socket volume", { extraVolumes: [{ name: "docker", hostPath: { path: "/var/run/docker.sock", type: "Socket" } }] }],
      ["Docker socket in an environment variable", { extraEnv: { DOCKER_HOST: "unix:///var/run/docker.sock" } }],
      ["containerd socket", { extraVolumeMounts: [{ name: "cri", mountPath: "/run/containerd/containerd.sock" }] }],
      ["procMount Unmasked", { securityContext: { procMount: "Unmasked" } }],
      ["seccomp Unconfined", { securityContext: { seccompProfile: { type: "Unconfined" } } }],
      ["AppArmor Unconfined", { podSecurityContext: { appArmorProfile: { type: "Unconfined" } } }],
      ["SELinux spc_t", { securityContext: { seLinuxOptions: { type: "spc_t" } } }],
    ] as const
  ).flatMap(([name, v]): Form[] => [
    { form: `${name} (JSON)`, build: (s) => release(s, "agent-local", { values: [JSON.stringify(v)] }) },
    { form: `${name} (set)`, build: (s) => release(s, "agent-local", { set: leaves(v).map(([n, x]) => ({ name: n, value: Array.isArray(x) ? `{${x.join(",")}}` : String(x) })) }) },
  ]),
  { form: "privileged: yes (YAML 1.1)", build: (s) => release(s, "agent-local", { values: ["securityContext:\n  privileged: yes\n"] }) },
  { form: "capabilities.add through set_list", build: (s) => release(s, "agent-local", { setList: [{ name: "securityContext.capabilities.add", value: ["SYS_ADMIN"] }] }) },
  { form: "hostPath through set with an index", build: (s) => release(s, "agent-local", { set: [{ name: "extraVolumes[0].name", value: "h" }, { name: "extraVolumes[0].hostPath.path", value: "/var/lib" }] }) },
  { form: "agent-job task runner privileged (loose values)", build: (s) => release(s, "agent-job", { values: [JSON.stringify({ task: { runner: { securityContext: { privileged: true } } } })] }) },
  { form: "agent-k8s by URL with hostNetwork", build: (s) => release(s, "https://example.com/charts/agent-k8s-0.6.5.tgz?sig=x", { repository: undefined, values: ["hostNetwork: true"] }) },
  { form: "escape hatch: addOverride on HelmAgent's release", build: (s) => helmAgent(s, { chart: "agent-local" }).release.addOverride("set_list", [{ name: "securityContext.capabilities.add", value: ["NET_ADMIN"] }]) },
  { form: "unknown: privileged is a reference", build: (s) => release(s, "agent-local", { values: ['securityContext: {privileged: "${var.privileged}"}\n'] }) },
  { form: "unknown: capabilities.add is a reference", build: (s) => release(s, "agent-local", { set: [{ name: "securityContext.capabilities.add", value: "${var.caps}" }] }) },
], [
  { form: "capabilities.add NET_BIND_SERVICE (Restricted allows it)", build: (s) => release(s, "agent-local", { values: [JSON.stringify({ securityContext: { capabilities: { add: ["NET_BIND_SERVICE"], drop: ["ALL"] } } })] }) },
  { form: "emptyDir volume", build: (s) => release(s, "agent-local", { values: [JSON.stringify({ extraVolumes: [{ name: "tmp", emptyDir: {} }] })] }) },
  { form: "seccomp RuntimeDefault, SELinux container_t", build: (s) => release(s, "agent-local", { values: [JSON.stringify({ securityContext: { seccompProfile: { type: "RuntimeDefault" }, seLinuxOptions: { type: "container_t" } } })] }) },
  { form: "hostNetwork: false", build: (s) => release(s, "agent-local", { values: ["hostNetwork: false\n"] }) },
  { form: "HelmAgent (each chart)", build: (s) => void helmAgent(s, { chart: "agent-local" }) },
  { form: "HelmAgent agent-k8s", build: (s) => void helmAgent(s, { chart: "agent-k8s" }) },
  { form: "HelmAgent agent-job", build: (s) => void helmAgent(s, { chart: "agent-job" }) },
  { form: "not a Scalr chart with hostNetwork", build: (s) => release(s, "oci://registry.example.com/charts/node-exporter", { repository: undefined, values: ["hostNetwork: true"] }) },
]);

describe("HelmAgent refuses extraValues that weaken the hardened pod", () => {
  const settings = minimal;
  const refused: [string, "agent-local" | "agent-k8s" | "agent-job", Values, RegExp][] = [
    ["added capabilities", "agent-local", { securityContext: { capabilities: { add: ["SYS_ADMIN"] } } }, /`extraValues\.securityContext\.capabilities\.add` weakens the hardened pod \(added capabilities SYS_ADMIN\)/],
    ["privileged on agent-job's runner", "agent-job", { task: { runner: { securityContext: { privileged: true } } } }, /`extraValues\.task\.runner\.securityContext\.privileged` weakens the hardened pod \(privileged: true\)/],
    ["allowPrivilegeEscalation on agent-job's runner", "agent-job", { task: { runner: { securityContext: { allowPrivilegeEscalation: true } } } }, /allowPrivilegeEscalation: true/],
    ["root on agent-job's runner", "agent-job", { task: { runner: { securityContext: { runAsUser: 0 } } } }, /runAsUser: 0 \(root\)/],
    ["runAsNonRoot false on agent-job's pods", "agent-job", { task: { podSecurityContext: { runAsNonRoot: false } } }, /runAsNonRoot: false/],
    ["a hostPath volume", "agent-local", { extraVolumes: [{ name: "h", hostPath: { path: "/" } }] }, /`extraValues\.extraVolumes\[0\]\.hostPath` weakens the hardened pod \(a hostPath volume\)/],
    ["the Docker socket", "agent-local", { extraVolumeMounts: [{ name: "d", mountPath: "/var/run/docker.sock" }] }, /container runtime socket \(docker\.sock\)/],
    ["host networking on agent-job's tasks", "agent-job", { task: { hostNetwork: true } }, /`extraValues\.task\.hostNetwork` weakens the hardened pod \(hostNetwork: true\)/],
    ["host PID on agent-job's tasks", "agent-job", { task: { hostPID: true } }, /hostPID: true/],
    ["a hardened value the kit sets (reported once, as a conflict)", "agent-local", { securityContext: { privileged: true } }, /^[^\n]*`extraValues\.securityContext\.privileged` is set by the kit \(HelmAgent's hardened defaults\) and cannot be replaced[^\n]*$/],
  ];
  test.each(refused)("refuses %s", (_name, chart, extraValues, message) => {
    expect(messageOf(() => renderHelmValues({ chart, settings, extraValues }, { subject: "k8s/Agent" }))).toMatch(message);
  });

  test("refuses a weakening given as a Terraform reference", () => {
    const stack = new TerraformStack(Testing.app(), "stack");
    const v = new TerraformVariable(stack, "v", {});
    expect(messageOf(() => renderHelmValues({ chart: "agent-job", settings, extraValues: { task: { hostNetwork: v.stringValue } } }, { subject: "k8s/Agent" }))).toMatch(
      /`extraValues\.task\.hostNetwork` must be a literal: hostNetwork: true known only at apply time/,
    );
  });

  test("lets through what keeps the pod hardened", () => {
    expect(() =>
      renderHelmValues(
        { chart: "agent-local", settings, extraValues: { securityContext: { readOnlyRootFilesystem: true, capabilities: { add: ["NET_BIND_SERVICE"] } }, extraVolumes: [{ name: "tmp", emptyDir: {} }] } },
        { subject: "k8s/Agent" },
      ),
    ).not.toThrow();
  });
});
