#!/bin/sh
# Each WardLink service's own RabbitMQ user wardlink_<service>, tagged `management` (it reads its
# error queues' depth) and allowed on the virtual host "/" only what permissions.txt (beside this
# file) says, through the management API. Idempotent. deploy/local-infra.sh and docker-compose.yml
# (rabbitmq-users) run it; needs curl.
#
#   RABBITMQ_MANAGEMENT=http://host:15672 RABBITMQ_ADMIN_USER=… RABBITMQ_ADMIN_PASSWORD=… \
#   INCIDENTS_RABBITMQ_PASSWORD=… PATROLS_RABBITMQ_PASSWORD=… TIPS_RABBITMQ_PASSWORD=… \
#   PARTNERS_RABBITMQ_PASSWORD=… deploy/rabbitmq/users.sh
set -eu
permissions="$(dirname "$0")/permissions.txt"
: "${RABBITMQ_MANAGEMENT:?set RABBITMQ_MANAGEMENT (http://host:port of the management API)}"
: "${RABBITMQ_ADMIN_USER:?set RABBITMQ_ADMIN_USER}"
: "${RABBITMQ_ADMIN_PASSWORD:?set RABBITMQ_ADMIN_PASSWORD}"

# A JSON string's contents: backslashes and quotes escaped.
json() { printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g'; }

# The regular expression of one service's permission.
regex() { awk -v service="$1" -v permission="$2" '$1 == service && $2 == permission { print $3 }' "$permissions"; }

put() {
  # Retried while the management API is still starting.
  curl -sS --fail-with-body -m 10 --retry 10 --retry-connrefused --retry-delay 2 -u "$RABBITMQ_ADMIN_USER:$RABBITMQ_ADMIN_PASSWORD" -X PUT \
    -H 'Content-Type: application/json' --data "$2" "${RABBITMQ_MANAGEMENT%/}/api/$1" >/dev/null
}

for service in $(awk '!/^#/ && NF { print $1 }' "$permissions" | uniq); do
  variable="$(printf '%s' "$service" | tr '[:lower:]' '[:upper:]')_RABBITMQ_PASSWORD"
  eval "password=\${$variable:-}"
  [ -n "$password" ] || { echo "users.sh: set $variable" >&2; exit 1; }
  put "users/wardlink_$service" "{\"password\":\"$(json "$password")\",\"tags\":\"management\"}"
  put "permissions/%2F/wardlink_$service" \
    "{\"configure\":\"$(json "$(regex "$service" configure)")\",\"write\":\"$(json "$(regex "$service" write)")\",\"read\":\"$(json "$(regex "$service" read)")\"}"
done
