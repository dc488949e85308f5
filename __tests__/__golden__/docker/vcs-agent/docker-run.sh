#!/bin/sh
# Scalr vcs agent on a Docker host, rendered by cdktf-scalr-kit from AgentSettings (the same agent as compose.yaml).
# The pool token is read from /root/vcs-token.env; stop with: docker stop scalr-agent (shutdown mode "graceful", SIGKILL after 90 s).
set -eu
docker rm --force scalr-agent >/dev/null 2>&1 || true
exec docker run --detach \
  --name scalr-agent \
  --restart unless-stopped \
  --env-file /root/vcs-token.env \
  --env SCALR_AGENT_DATA_DIR=/var/lib/scalr-agent \
  --env SCALR_AGENT_DEBUG=false \
  --env SCALR_AGENT_DISCONNECT_ON_STOP=true \
  --env SCALR_AGENT_LOG_FORMAT=json \
  --env SCALR_AGENT_NAME=vcs-relay-1 \
  --env SCALR_AGENT_WORKER_GRACE_SHUTDOWN_TIMEOUT=80 \
  --env SCALR_AGENT_WORKER_ON_STOP_ACTION=grace-shutdown \
  --env SCALR_URL=https://vcs.scalr.io \
  --stop-timeout 90 \
  --log-opt max-size=50m \
  --log-opt max-file=3 \
  scalr/agent:1.4.0@sha256:abababababababababababababababababababababababababababababababab run
