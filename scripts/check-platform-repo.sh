#!/usr/bin/env bash
# Packs the kit and tries it as users get it, from the npm registry and the tarball only:
# 1. a bare project that installs the kit with cdktf and constructs only: the size of its
#    node_modules (must stay well under 150 MB, with no provider package), then an older patch of
#    @cdktf/provider-aws beside it (must install without a peer conflict);
# 2. a copy of examples/platform-repo (laid out as `cdktf init` writes a project) that installs the
#    tarball and its dev tools and synthesizes with `npx cdktf synth`, as its README says.
# Run by .ci/run; needs the npm registry.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
export CHECKPOINT_DISABLE=1
# Terraform warns on every call when TF_CLI_CONFIG_FILE names a missing file.
if [ -n "${TF_CLI_CONFIG_FILE:-}" ] && [ ! -e "$TF_CLI_CONFIG_FILE" ]; then export TF_CLI_CONFIG_FILE=/dev/null; fi

cd "$ROOT"
TARBALL="$WORK/$(npm pack --silent --pack-destination "$WORK" | tail -n 1)"
echo "packed $(basename "$TARBALL")"
# The tarball holds the freshly built entry and no leftovers of older builds (prepack cleans dist/).
CONTENTS="$(tar -tzf "$TARBALL")"
for f in package/dist/index.js package/dist/index.d.ts package/LICENSE package/CHANGELOG.md; do
  grep -qx "$f" <<<"$CONTENTS" || { echo "error: $f is missing from the tarball" >&2; exit 1; }
done
if grep -E '^package/dist/.*\.js$' <<<"$CONTENTS" | sed 's|^package/dist/||; s|\.js$|.ts|' | while read -r src; do [ -f "$ROOT/$src" ] || { echo "stale: dist/${src%.ts}.js has no source $src" >&2; echo x; }; done | grep -q x; then
  echo "error: the tarball holds compiled files without a source (an unclean dist/)" >&2
  exit 1
fi

# 1. The kit with cdktf and constructs only.
mkdir "$WORK/bare" && cd "$WORK/bare"
npm init -y >/dev/null
npm install --no-audit --no-fund "$TARBALL" cdktf@^0.21.0 constructs@^10.4.2 >/dev/null
RUNTIME_MB="$(du -sm node_modules | cut -f1)"
echo "cdktf, constructs and the kit: ${RUNTIME_MB} MB of node_modules"
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

# 2. The platform-repo example, as its README says.
mkdir "$WORK/project"
cd "$ROOT"
git ls-files -z examples/platform-repo | while IFS= read -r -d '' f; do cp "$f" "$WORK/project/${f#examples/platform-repo/}"; done
cd "$WORK/project"
npm install --no-audit --no-fund "$TARBALL" >/dev/null
npm install --no-audit --no-fund >/dev/null
npx cdktf synth >/dev/null
test -s cdktf.out/stacks/scalr-platform/cdk.tf.json
grep -q '"scalr_agent_pool"' cdktf.out/stacks/scalr-platform/cdk.tf.json
grep -q '"scalr_workspace"' cdktf.out/stacks/teams/cdk.tf.json
echo "platform-repo example: synthesized from the packed package with npx cdktf synth"
