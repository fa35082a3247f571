#!/usr/bin/env bash
# Builds the five container images from deploy/Dockerfile, as docker-compose.yml does, and checks
# that each runs as a non-root user. Needs a Docker engine: without one it says so and exits 0,
# as the rest of the deployment is checked by tests/WardLink.DeploymentTests (part of ./test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! docker info >/dev/null 2>&1; then
  echo "skipped: no Docker engine (docker info failed); the images were not built"
  exit 0
fi

tag="${WARDLINK_IMAGE_TAG:-local}"
for project in services/WardLink.Incidents services/WardLink.Patrols services/WardLink.Tips services/WardLink.Partners gateway/WardLink.Gateway; do
  assembly="${project##*/}"
  image="wardlink/$(tr '[:upper:]' '[:lower:]' <<<"${assembly#WardLink.}"):$tag"
  echo "==> $image from $project"
  docker build --quiet -f deploy/Dockerfile --build-arg "PROJECT=$project" --build-arg "ASSEMBLY=$assembly" -t "$image" . >/dev/null
  uid="$(docker run --rm --entrypoint id "$image" -u)"
  if [[ "$uid" == 0 ]]; then
    echo "error: $image runs as root" >&2
    exit 1
  fi
  echo "    built, runs as uid $uid"
done
echo "all images built"
