#!/usr/bin/env bash
# Packs the kit, installs the tarball into a copy of examples/platform-repo (a project laid out as
# `cdktf init` writes one, consuming the kit only as an installed package) and synthesizes it.
# Prints the size of the runtime node_modules (cdktf, constructs and the kit, no provider package).
# Run by .ci/run; needs the npm registry.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
export CHECKPOINT_DISABLE=1
# Terraform warns on every call when TF_CLI_CONFIG_FILE names a missing file.
if [ -n "${TF_CLI_CONFIG_FILE:-}" ] && [ ! -e "$TF_CLI_CONFIG_FILE" ]; then export TF_CLI_CONFIG_FILE=/dev/null; fi

cd "$ROOT"
TARBALL="$(npm pack --silent --pack-destination "$WORK" | tail -n 1)"
echo "packed $TARBALL"

mkdir "$WORK/project"
git ls-files -z examples/platform-repo | while IFS= read -r -d '' f; do cp "$f" "$WORK/project/${f#examples/platform-repo/}"; done
cd "$WORK/project"

# What a user installs: the kit with cdktf and constructs only.
npm install --no-audit --no-fund --omit=dev "$WORK/$TARBALL" >/dev/null
RUNTIME_MB="$(du -sm node_modules | cut -f1)"
echo "runtime node_modules: ${RUNTIME_MB} MB (cdktf, constructs, cdktf-scalr-kit and their dependencies)"
if [ "$RUNTIME_MB" -ge 150 ]; then
  echo "error: the kit's runtime install must stay well under 150 MB" >&2
  exit 1
fi
for p in @cdktf/provider-aws @cdktf/provider-kubernetes @cdktf/provider-helm; do
  if [ -d "node_modules/$p" ]; then echo "error: $p was installed although it is an optional peer" >&2; exit 1; fi
done

# A project on an older patch of the supported provider major installs it without a peer conflict
# (ERESOLVE): the kit's peer ranges accept it.
npm install --no-audit --no-fund @cdktf/provider-aws@21.21.0 >/dev/null
node -e 'const v = require("@cdktf/provider-aws/package.json").version; if (v !== "21.21.0") { console.error("got @cdktf/provider-aws " + v); process.exit(1); } console.log("@cdktf/provider-aws 21.21.0 installs beside the kit")'

# Then the project's own dev tools (TypeScript), and synth with the kit's pinned cdktf CLI.
npm install --no-audit --no-fund >/dev/null
"$ROOT/node_modules/.bin/cdktf" synth >/dev/null
test -s cdktf.out/stacks/scalr-platform/cdk.tf.json
grep -q '"scalr_agent_pool"' cdktf.out/stacks/scalr-platform/cdk.tf.json
grep -q '"scalr_workspace"' cdktf.out/stacks/teams/cdk.tf.json
echo "platform-repo example: synthesized from the packed package"
