import { IMAGE_CA_BUNDLE_PATH, renderAgentDockerfile } from "../../../agent/docker";
import { AgentSettings, AgentTokenSource } from "../../../agent/settings";
import { KitValidationError } from "../../../core/validation";
import { expectGolden } from "../../support/golden";
import { PROXY_AGENT, RUN_AGENT, TOKEN_CANARY, VCS_AGENT, dockerfileProblems } from "./fixtures";

const LABELS = {
  version: "1.4.0-corp.3",
  revision: "0c1d2e3f",
  source: "https://git.example.com/platform/scalr-agent-image",
  created: "2026-01-31T12:00:00Z",
  vendor: "Example Corp",
};

describe("renderAgentDockerfile", () => {
  test("golden: PEM bundle, Docker Hub base, provenance labels", () => {
    const recipe = renderAgentDockerfile(PROXY_AGENT, { labels: LABELS });
    expectGolden("docker/image/Dockerfile", recipe.dockerfile);
    expect(recipe.contextFiles).toEqual({ "ca-bundle.crt": "-----BEGIN CERTIFICATE-----\nMIIBcorp\n-----END CERTIFICATE-----\n" });
    expect(recipe.caBundlePath).toBe(IMAGE_CA_BUNDLE_PATH);
  });

  test("needs no token: the image holds none, and the recipe is the same with or without one", () => {
    const withoutToken = Object.fromEntries(Object.entries(PROXY_AGENT).filter(([k]) => k !== "token")) as Omit<AgentSettings, "token">;
    expect(renderAgentDockerfile(withoutToken, { labels: LABELS })).toEqual(renderAgentDockerfile(PROXY_AGENT, { labels: LABELS }));
    expect(renderAgentDockerfile(withoutToken).dockerfile).not.toContain("/dev/null");
  });

  test("golden: base pinned by digest, bundle path in the image from the settings", () => {
    const settings: AgentSettings = { ...VCS_AGENT, caBundle: { path: "/etc/ssl/certs/corp.pem" } };
    const recipe = renderAgentDockerfile(settings, { caBundleFile: "corp.pem" });
    expectGolden("docker/image-digest/Dockerfile", recipe.dockerfile);
    expect(recipe.contextFiles).toEqual({});
    expect(recipe.dockerfile).toContain(`FROM scalr/agent:1.4.0@sha256:${"ab".repeat(32)}\n`);
    expect(recipe.labels["org.opencontainers.image.base.digest"]).toBe(`sha256:${"ab".repeat(32)}`);
    expect(recipe.labels["org.opencontainers.image.base.name"]).toBe(`docker.io/scalr/agent:1.4.0@sha256:${"ab".repeat(32)}`);
    expect(recipe.dockerfile).toContain("COPY --chmod=0644 corp.pem /etc/ssl/certs/corp.pem\n");
  });

  test("passes dockerfile-utils' validator (the Docker builder's checks) for every variant", () => {
    for (const settings of [PROXY_AGENT, { ...RUN_AGENT, caBundle: { path: "/etc/ssl/certs/corp.pem" } }]) {
      expect(dockerfileProblems(renderAgentDockerfile(settings, { labels: { ...LABELS, description: 'Quotes " and \\ and $HOME stay literal' } }).dockerfile)).toEqual([]);
    }
  });

  test("the validator can fail: a broken instruction is reported", () => {
    const broken = renderAgentDockerfile(PROXY_AGENT).dockerfile.replace("COPY --chmod=0644", "COPY --chmodd=0644");
    expect(dockerfileProblems(broken)).toEqual([expect.stringContaining("Unknown flag: chmodd")]);
  });

  test("the agent is pointed at the bundle with SCALR_AGENT_CA_CERT and SSL_CERT_FILE, the image's ENTRYPOINT/CMD untouched", () => {
    const { dockerfile } = renderAgentDockerfile(PROXY_AGENT);
    expect(dockerfile).toContain(`ENV SCALR_AGENT_CA_CERT=${IMAGE_CA_BUNDLE_PATH} \\\n    SSL_CERT_FILE=${IMAGE_CA_BUNDLE_PATH}\n`);
    expect(dockerfile).not.toMatch(/^(ENTRYPOINT|CMD|USER|RUN)\b/m);
  });

  test("default labels: title, description and the base image only (no timestamp)", () => {
    expect(renderAgentDockerfile(PROXY_AGENT).labels).toEqual({
      "org.opencontainers.image.title": "scalr-agent",
      "org.opencontainers.image.description": "Scalr agent (scalr/agent:1.4.0) with a CA bundle",
      "org.opencontainers.image.base.name": "docker.io/scalr/agent:1.4.0",
    });
  });

  test("the token source does not matter and never appears", () => {
    const arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:scalr-token-AbCdEf";
    const recipe = renderAgentDockerfile({ ...PROXY_AGENT, token: AgentTokenSource.fromAwsSecretsManager(arn) });
    expect(JSON.stringify(recipe)).not.toContain(arn);
    expect(JSON.stringify(recipe)).not.toContain(TOKEN_CANARY);
  });

  test("fails without a CA bundle, with an unpinned base, a bad label and a path the Dockerfile would rewrite", () => {
    let error: KitValidationError | undefined;
    try {
      renderAgentDockerfile({ ...RUN_AGENT, caBundle: undefined, image: "scalr/agent" }, { labels: { created: "yesterday", title: "a\nb" } }, { subject: "image/corp" });
    } catch (e) {
      error = e as KitValidationError;
    }
    expect(error?.issues.map((i) => i.field)).toEqual(["image", "labels.title", "labels.created", "caBundle"]);
    expect(() => renderAgentDockerfile({ ...RUN_AGENT, caBundle: { path: "/etc/$X/ca.pem" } })).toThrow(
      "renderAgentDockerfile: `caBundle.path` must be an absolute path of letters, digits and '._@+-/' here",
    );
  });
});
