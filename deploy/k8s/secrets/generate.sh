#!/usr/bin/env bash
# Writes deploy/k8s/secrets/db-<service>.env (git-ignored) with a random password for each
# service's PostgreSQL role, unless the file exists. kustomize turns them into the Secrets
# wardlink-db-<service>; keep the files (or the Secrets) safe: they are the only copy.
set -euo pipefail
cd "$(dirname "$0")"
for service in incidents patrols tips partners; do
  file="db-$service.env"
  if [[ -e "$file" ]]; then
    echo "kept $file"
    continue
  fi
  umask 077
  printf 'username=%s\npassword=%s\n' "$service" "$(openssl rand -hex 24)" > "$file"
  echo "wrote $file"
done
