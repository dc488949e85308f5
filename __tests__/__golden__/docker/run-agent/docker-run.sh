#!/bin/sh
# Scalr run agent on a Docker host, rendered by cdktf-scalr-kit from AgentSettings (the same agent as compose.yaml).
# The pool token is read from /etc/scalr-agent/token.env; stop with: docker stop scalr-agent (shutdown mode "drain", SIGKILL after 1800 s).
set -eu
docker rm --force scalr-agent >/dev/null 2>&1 || true
exec docker run --detach \
  --name scalr-agent \
  --restart unless-stopped \
  --env-file /etc/scalr-agent/token.env \
  --env SCALR_AGENT_CACHE_DIR=/var/cache/scalr-agent \
  --env SCALR_AGENT_CA_CERT=/etc/pki/corp-bundle.pem \
  --env SCALR_AGENT_CONCURRENCY=3 \
  --env SCALR_AGENT_CONTAINER_TASK_CPU_LIMIT=2 \
  --env SCALR_AGENT_CONTAINER_TASK_IMAGE=registry.example.com/scalr/runner:0.2.0 \
  --env SCALR_AGENT_CONTAINER_TASK_IMAGE_MODE=golden \
  --env SCALR_AGENT_CONTAINER_TASK_MEM_LIMIT=4096 \
  --env SCALR_AGENT_DATA_DIR=/srv/scalr-agent \
  --env SCALR_AGENT_DEBUG=false \
  --env SCALR_AGENT_DISCONNECT_ON_STOP=true \
  --env SCALR_AGENT_DRIVER=docker \
  --env SCALR_AGENT_HOOKS_DIR=/opt/scalr-hooks \
  --env SCALR_AGENT_LOG_FORMAT=plain \
  --env SCALR_AGENT_NAME=bastion-7 \
  --env 'SCALR_AGENT_PROVIDER_NETWORK_MIRRORS=[{"url":"https://mirror.example.com/providers/","include":["registry.terraform.io/hashicorp/*"]}]' \
  --env SCALR_AGENT_WORKER_DRAIN_TIMEOUT=1730 \
  --env SCALR_AGENT_WORKER_GRACE_SHUTDOWN_TIMEOUT=60 \
  --env SCALR_AGENT_WORKER_ON_STOP_ACTION=drain \
  --env SCALR_URL=https://acme.scalr.io \
  --env SSL_CERT_FILE=/etc/pki/corp-bundle.pem \
  --env 'TEAM_PRICE=5$ per run' \
  --mount type=bind,source=/var/run/docker.sock,target=/var/run/docker.sock \
  --mount type=bind,source=/srv/scalr-agent,target=/srv/scalr-agent \
  --mount type=bind,source=/var/cache/scalr-agent,target=/var/cache/scalr-agent \
  --mount type=bind,source=/opt/scalr-hooks,target=/opt/scalr-hooks,readonly \
  --mount type=bind,source=/etc/pki/corp-bundle.pem,target=/etc/pki/corp-bundle.pem,readonly \
  --stop-timeout 1800 \
  --log-opt max-size=50m \
  --log-opt max-file=3 \
  registry.example.com/scalr/agent:1.4.0 run
