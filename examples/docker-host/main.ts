import { Construct } from "constructs";
import { IMAGE_CA_BUNDLE_PATH, renderAgentDockerfile, renderDockerHost } from "../../agent/docker";
import { AgentSettings } from "../../agent/settings/agent-settings";
import { AgentTokenSource } from "../../agent/settings/token-source";
import { AgentPoolStack } from "../../stacks/agent-pool-stack";
import { StackFiles } from "./stack-files";

/** The stack's name, and its folder in `cdktf.out/stacks/`. */
export const DOCKER_HOST_STACK = "docker-host";

/** The Scalr agent version the image is built on (a pinned `scalr/agent` tag). */
const AGENT_VERSION = "1.4.0";

/** The image the recipe builds, as pushed to the team's registry; the host runs it. */
const CORP_IMAGE = `registry.example.com/platform/scalr-agent:${AGENT_VERSION}-corp.1`;

/** The env file on the host that holds `SCALR_AGENT_TOKEN=<token>`; the rendered files only name it. */
export const BASTION_TOKEN_ENV_FILE = "/etc/scalr-agent/token.env";

/**
 * Stack `docker-host`: a run agent on a Docker host the kit does not manage (a bastion behind a
 * TLS-intercepting proxy), and the agent image it runs, with the corporate CA baked in.
 *
 * Terraform manages the Scalr side: the agent pool `bastion` and its token, a sensitive output
 * (`BastionPool_token_bastion`). `cdktf synth` writes, next to the stack's configuration:
 *
 * - `cdktf.out/stacks/docker-host/image/Dockerfile`: builds on `scalr/agent:1.4.0`, copies the CA
 *   bundle the team puts beside it as `ca-bundle.crt` (private and public CAs) and labels the image;
 * - `cdktf.out/stacks/docker-host/host/compose.yaml`, `docker-run.sh` (the same agent with
 *   `docker run`) and `agent.env.example`, the template of the token's env file. None holds the
 *   token: Compose and `docker run` read it from `/etc/scalr-agent/token.env` on the host.
 *
 * Set `scalr_hostname` and `scalr_token` (or SCALR_HOSTNAME / SCALR_TOKEN) to deploy, and
 * `scalrUrl` below to the same account; then build and push the image, copy `host/` to the
 * bastion, and write the token there (docs/docker-hosts.md, "A complete example").
 */
export function dockerHostExample(scope: Construct): AgentPoolStack {
  const stack = new AgentPoolStack(scope, DOCKER_HOST_STACK, {
    pools: { BastionPool: { name: "bastion", tokens: ["bastion"] } },
  });
  const token = AgentTokenSource.fromFile(BASTION_TOKEN_ENV_FILE);
  const scalrUrl = "https://example.scalr.io";

  // The image: Scalr's agent with the CA bundle at the path its agent-local chart uses.
  const image: AgentSettings = {
    scalrUrl,
    token,
    image: `scalr/agent:${AGENT_VERSION}`,
    caBundle: { path: IMAGE_CA_BUNDLE_PATH },
  };
  const recipe = renderAgentDockerfile(
    image,
    {
      caBundleFile: "ca-bundle.crt",
      labels: {
        title: "scalr-agent-corp",
        version: `${AGENT_VERSION}-corp.1`,
        source: "https://git.example.com/platform/scalr-agent-image",
        vendor: "Example Corp",
      },
    },
    { subject: `${stack.node.path}/Image` },
  );
  new StackFiles(stack, "Image", { directory: "image", files: { Dockerfile: { content: recipe.dockerfile } } });

  // The host: a run agent of the pool, running that image. The image sets SCALR_AGENT_CA_CERT
  // itself, so the settings give no CA bundle (a `caBundle.path` would be bound from the host).
  const host: AgentSettings = {
    scalrUrl,
    token,
    name: "bastion-1",
    concurrency: 2,
    image: CORP_IMAGE,
    proxy: { http: "http://proxy.corp.example:3128", noProxy: [".corp.example", "10.0.0.0/8"] },
    shutdown: { mode: "drain", gracePeriodSeconds: 1800 },
  };
  const files = renderDockerHost(host, { containerName: "scalr-agent" }, { subject: `${stack.node.path}/Host` });
  new StackFiles(stack, "Host", {
    directory: "host",
    files: {
      "compose.yaml": { content: files.composeYaml },
      "docker-run.sh": { content: files.dockerRunScript, mode: 0o755 },
      "agent.env.example": { content: files.tokenEnvFileExample },
    },
  });
  return stack;
}
