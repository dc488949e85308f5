#!/bin/sh
# Scalr run agent on a Docker host, rendered by cdktf-scalr-kit from AgentSettings (the same agent as compose.yaml).
# The pool token is read from /etc/scalr-agent/token.env; stop with: docker stop scalr-agent (shutdown mode "drain", SIGKILL after 1800 s).
set -eu
docker rm --force scalr-agent >/dev/null 2>&1 || true
exec docker run --detach \
  --name scalr-agent \
  --restart unless-stopped \
  --env-file /etc/scalr-agent/token.env \
  --env HTTPS_PROXY=http://proxy.corp.example:3128 \
  --env HTTP_PROXY=http://proxy.corp.example:3128 \
  --env NO_PROXY=localhost,127.0.0.1,::1,169.254.169.254,metadata.google.internal,.corp.example,10.0.0.0/8 \
  --env SCALR_AGENT_CONCURRENCY=2 \
  --env SCALR_AGENT_DATA_DIR=/var/lib/scalr-agent \
  --env SCALR_AGENT_DEBUG=false \
  --env SCALR_AGENT_DISCONNECT_ON_STOP=true \
  --env SCALR_AGENT_DRIVER=docker \
  --env SCALR_AGENT_LOG_FORMAT=json \
  --env SCALR_AGENT_NAME=bastion-1 \
  --env SCALR_AGENT_WORKER_DRAIN_TIMEOUT=1730 \
  --env SCALR_AGENT_WORKER_GRACE_SHUTDOWN_TIMEOUT=60 \
  --env SCALR_AGENT_WORKER_ON_STOP_ACTION=drain \
  --env SCALR_URL=https://example.scalr.io \
  --env http_proxy=http://proxy.corp.example:3128 \
  --env https_proxy=http://proxy.corp.example:3128 \
  --env no_proxy=localhost,127.0.0.1,::1,169.254.169.254,metadata.google.internal,.corp.example,10.0.0.0/8 \
  --mount type=bind,source=/var/run/docker.sock,target=/var/run/docker.sock \
  --mount type=bind,source=/var/lib/scalr-agent,target=/var/lib/scalr-agent \
  --stop-timeout 1800 \
  --log-opt max-size=50m \
  --log-opt max-file=3 \
  registry.example.com/platform/scalr-agent:1.4.0-corp.1 run
