#!/bin/sh
# Each WardLink service's own PostgreSQL role and database: runs service-database.sql (beside this
# file) for every service, as the superuser that libpq's environment names (PGHOST, PGPORT, PGUSER,
# PGPASSWORD), connected to the database postgres. The role wardlink_<service> gets the password in
# <SERVICE>_POSTGRES_PASSWORD (e.g. TIPS_POSTGRES_PASSWORD), or keeps its own when that is unset.
# Idempotent. deploy/local-infra.sh and docker-compose.yml (postgres-roles) run it.
#
#   deploy/postgres/roles.sh            PSQL=/path/to/psql when psql is not on PATH
set -eu
here="$(cd "$(dirname "$0")" && pwd -P)"
for service in incidents patrols tips partners; do
  variable="$(printf '%s' "$service" | tr '[:lower:]' '[:upper:]')_POSTGRES_PASSWORD"
  eval "password=\${$variable:-}"
  if [ -n "$password" ]; then
    set -- -v password="$password"
  else
    set --
  fi
  "${PSQL:-psql}" -X -q -At -v ON_ERROR_STOP=1 -d postgres -v service="$service" "$@" -f "$here/service-database.sql"
done
