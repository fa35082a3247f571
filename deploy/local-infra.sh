#!/usr/bin/env bash
# WardLink local infrastructure: PostgreSQL and RabbitMQ as private processes
# (no systemd, no Docker), data below a git-ignored folder. See DESIGN.md §10.
#
#   deploy/local-infra.sh start | stop | status | env | --help
#
# Progress goes to stderr; `env` (and the end of `start`) print `export` lines on
# stdout, so `eval "$(deploy/local-infra.sh env)"` works.
set -euo pipefail

readonly SCRIPT_NAME="local-infra"
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd -P)"
readonly SCRIPT_DIR REPO_ROOT

# Bounded waits (seconds).
readonly PG_START_TIMEOUT=60
readonly PG_STOP_TIMEOUT=60
readonly RABBIT_START_TIMEOUT=120
readonly RABBIT_STOP_TIMEOUT=60

# The developer's and the tests' own role and broker user: may create databases and virtual hosts
# (the tests make one per test class) but owns, and may connect to, none of the services'.
readonly WARDLINK_USER="wardlink"
readonly WARDLINK_PASSWORD="wardlink"
readonly PG_SUPERUSER_PASSWORD="postgres"
# Each service has its own PostgreSQL role and RabbitMQ user, wardlink_<service>, whose development
# password is its name (deploy/postgres/roles.sh, deploy/rabbitmq/users.sh).
readonly SERVICES=(incidents patrols tips partners)
readonly POLICY_RC_D="/usr/sbin/policy-rc.d"
# Distribution ports of RabbitMQ's CLI tools (RabbitMQ 3.10 default, pinned here).
readonly CTL_DIST_MIN=35672
readonly CTL_DIST_MAX=35682
readonly POLICY_RC_D_MARKER="# wardlink-local-infra temporary policy-rc.d"

# ---------------------------------------------------------------------------
# Output helpers
# ---------------------------------------------------------------------------
log() { printf '[%s] %s\n' "$SCRIPT_NAME" "$*" >&2; }
warn() { printf '[%s] WARNING: %s\n' "$SCRIPT_NAME" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "$SCRIPT_NAME" "$*" >&2; exit 1; }

usage() {
  cat <<EOF
Usage: deploy/local-infra.sh start|stop|status|env|--help

Runs PostgreSQL and RabbitMQ for WardLink as private processes (no systemd, no
Docker), with all data below WARDLINK_LOCAL_DIR.

Commands:
  start    Install missing packages (apt-get; sudo when not root), start both
           servers if not running, ensure the roles, databases and users exist,
           then print the export lines (same as 'env'). Idempotent: it also
           upgrades a data folder of the time when one role owned everything.
  stop     Stop RabbitMQ (and an idle epmd), then PostgreSQL. Data is kept.
  status   Tell whether each server runs; exit 0 only if both run.
  env      Print 'export ...' lines for eval. For each service (INCIDENTS,
           PATROLS, TIPS, PARTNERS), with its own role and user:
             WARDLINK_POSTGRES_<SERVICE>             its database
             WARDLINK_RABBITMQ_<SERVICE>             the broker
             WARDLINK_RABBITMQ_MANAGEMENT_<SERVICE>  the management API
           For the tests and the developer (user wardlink: may create databases
           and virtual hosts, reaches none of the services' databases):
             WARDLINK_POSTGRES (server level), WARDLINK_RABBITMQ,
             WARDLINK_RABBITMQ_MANAGEMENT; and WARDLINK_POSTGRES_SUPERUSER.

Roles and users: wardlink_<service> (password: the same as the name) owns the
database wardlink_<service> and nothing else; no other role may connect to it.
Its RabbitMQ user may use only its own queues and the exchanges of the messages
it publishes or consumes (deploy/rabbitmq/permissions.txt).

Environment (defaults):
  WARDLINK_LOCAL_DIR         <repo>/.local/run (relative paths are taken from
                             the repo root)
  WARDLINK_PG_PORT           5433
  WARDLINK_AMQP_PORT         5673
  (no port may be in 35672-35682: RabbitMQ's CLI tools use those)
  WARDLINK_RABBIT_MGMT_PORT  15673
  WARDLINK_RABBIT_DIST_PORT  25673
  WARDLINK_RABBIT_NODE       wardlink-run   (node: <name>@localhost)
  WARDLINK_PG_FAST           unset; 1 = fsync/synchronous_commit/full_page_writes/
                             autovacuum off, max_connections 1000 rather than 300
                             (tests only; applied when PostgreSQL starts)

Example test profile next to the default one:
  WARDLINK_LOCAL_DIR=.local/test WARDLINK_PG_PORT=55433 WARDLINK_AMQP_PORT=55673 \\
  WARDLINK_RABBIT_MGMT_PORT=55674 WARDLINK_RABBIT_DIST_PORT=55675 \\
  WARDLINK_RABBIT_NODE=wardlink-test WARDLINK_PG_FAST=1 deploy/local-infra.sh start
EOF
}

# ---------------------------------------------------------------------------
# Configuration
# ---------------------------------------------------------------------------
validate_port() {
  local name="$1" value="$2"
  if ! [[ "$value" =~ ^[0-9]+$ ]] || (( value < 1 || value > 65535 )); then
    die "$name must be a TCP port (1-65535), got '$value'"
  fi
}

load_config() {
  local dir="${WARDLINK_LOCAL_DIR:-$REPO_ROOT/.local/run}"
  [[ -n "$dir" ]] || die "WARDLINK_LOCAL_DIR is empty"
  [[ "$dir" == /* ]] || dir="$REPO_ROOT/$dir"
  # Normalise without requiring the directory to exist.
  dir="$(realpath -m -- "$dir")"
  [[ "$dir" != "/" ]] || die "WARDLINK_LOCAL_DIR must not be /"
  LOCAL_DIR="$dir"

  PG_PORT="${WARDLINK_PG_PORT:-5433}"
  AMQP_PORT="${WARDLINK_AMQP_PORT:-5673}"
  MGMT_PORT="${WARDLINK_RABBIT_MGMT_PORT:-15673}"
  DIST_PORT="${WARDLINK_RABBIT_DIST_PORT:-25673}"
  NODE_SHORT="${WARDLINK_RABBIT_NODE:-wardlink-run}"
  PG_FAST="${WARDLINK_PG_FAST:-0}"

  validate_port WARDLINK_PG_PORT "$PG_PORT"
  validate_port WARDLINK_AMQP_PORT "$AMQP_PORT"
  validate_port WARDLINK_RABBIT_MGMT_PORT "$MGMT_PORT"
  validate_port WARDLINK_RABBIT_DIST_PORT "$DIST_PORT"
  local -A seen=()
  local p
  for p in "$PG_PORT" "$AMQP_PORT" "$MGMT_PORT" "$DIST_PORT"; do
    # rabbitmqctl & co. bind a distribution port of their own in this range; one of
    # them (e.g. `rabbitmqctl wait` during boot) could take the port first.
    if (( p >= CTL_DIST_MIN && p <= CTL_DIST_MAX )); then
      die "port $p is in $CTL_DIST_MIN-$CTL_DIST_MAX, the range RabbitMQ's CLI tools use for their own distribution port; pick another port (PG=$PG_PORT AMQP=$AMQP_PORT MGMT=$MGMT_PORT DIST=$DIST_PORT)"
    fi
    [[ -z "${seen[$p]:-}" ]] || die "ports must differ: $p is used twice (PG=$PG_PORT AMQP=$AMQP_PORT MGMT=$MGMT_PORT DIST=$DIST_PORT)"
    seen[$p]=1
  done
  [[ "$NODE_SHORT" =~ ^[A-Za-z0-9_-]+$ ]] \
    || die "WARDLINK_RABBIT_NODE must match [A-Za-z0-9_-]+ (no '@host'), got '$NODE_SHORT'"
  NODE="$NODE_SHORT@localhost"


  # $LOCAL_DIR/pg is a link when PostgreSQL's data had to live elsewhere (see relocate_pg_dir).
  if [[ -L "$LOCAL_DIR/pg" ]]; then
    set_pg_paths "$(readlink -f "$LOCAL_DIR/pg")"
  else
    set_pg_paths "$LOCAL_DIR/pg"
  fi

  RMQ_DIR="$LOCAL_DIR/rabbitmq"
  RMQ_HOME="$RMQ_DIR/home"
  RMQ_CONF="$RMQ_DIR/rabbitmq.conf"
  RMQ_ADVANCED_CONF="$RMQ_DIR/advanced.config"
  RMQ_ENV_CONF="$RMQ_DIR/rabbitmq-env.conf"
  RMQ_PLUGINS_FILE="$RMQ_DIR/enabled_plugins"
  RMQ_MNESIA="$RMQ_DIR/mnesia"
  RMQ_LOGS="$RMQ_DIR/log"
  RMQ_PID_FILE="$RMQ_DIR/rabbitmq.pid"
  RMQ_STARTUP_LOG="$RMQ_LOGS/startup.log"

  LOCK_FILE="$LOCAL_DIR/.local-infra.lock"
}

is_root() { [[ "$(id -u)" -eq 0 ]]; }

set_pg_paths() {
  PG_DIR="$1"
  PGDATA_DIR="$PG_DIR/data"
  PG_SOCKET_DIR="$PG_DIR/socket"
  PG_LOG="$PG_DIR/postgresql.log"
}

# The postgres user cannot reach $LOCAL_DIR (a clone under a private home, say): keep the data
# under /var/lib/wardlink instead, linked from $LOCAL_DIR/pg so every later call finds it. The
# link is made only when $LOCAL_DIR has none, so whatever that folder holds is left from a
# $LOCAL_DIR since deleted (to start afresh, as bench.sh does): it is wiped, not reused.
relocate_pg_dir() {
  local blocked="$1" real
  [[ ! -f "$PGDATA_DIR/PG_VERSION" ]] \
    || die "the postgres user cannot enter directory $blocked (needed to reach $PG_DIR). Run 'chmod o+x $blocked' or set WARDLINK_LOCAL_DIR to a place postgres can reach."
  real="/var/lib/wardlink/$(printf '%s' "$LOCAL_DIR" | sha1sum | cut -c1-12)/pg"
  log "the postgres user cannot enter $blocked; PostgreSQL's data goes to $real (linked from $LOCAL_DIR/pg)"
  rm -rf "$LOCAL_DIR/pg" "$real"
  mkdir -p "$real"
  ln -s "$real" "$LOCAL_DIR/pg"
  set_pg_paths "$real"
  pg_prepare_dirs
}

# Run a command as root (directly, or through sudo).
as_root() {
  if is_root; then
    "$@"
  else
    command -v sudo >/dev/null 2>&1 || die "need root for: $* (not root and sudo is not installed)"
    sudo "$@"
  fi
}

# Run a PostgreSQL server tool: initdb/pg_ctl refuse root, so use the postgres user then.
as_pg() {
  if is_root; then
    (cd / && runuser -u postgres -- "$@")  # from /: the caller's directory may be closed to postgres
  else
    "$@"
  fi
}

# wait_for <timeout-seconds> <command...>: poll every 0.1 s until the command succeeds.
wait_for() {
  local timeout="$1"; shift
  local deadline=$(( $(date +%s) + timeout ))
  while ! "$@"; do
    (( $(date +%s) < deadline )) || return 1
    sleep 0.1
  done
}

pid_alive() { [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null; }
pid_gone() { ! pid_alive "$1"; }

# True if something accepts TCP connections on 127.0.0.1:<port>.
port_open() {
  # shellcheck disable=SC2016  # $1 is expanded by the inner bash
  timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
}

ensure_ports_free() {
  local what="$1"; shift
  local p
  for p in "$@"; do
    if port_open "$p"; then
      die "$what: port $p on 127.0.0.1 is already in use by another process; stop it or choose other ports (see --help; ./test.sh: WARDLINK_TEST_*_PORT, ./test.sh --help)"
    fi
  done
}

# Pids of processes holding $LOCK_FILE open.
lock_holders() {
  find /proc/[0-9]*/fd -maxdepth 1 -lname "$LOCK_FILE" 2>/dev/null \
    | cut -d/ -f3 | sort -u | grep -vxF -e "$$" -e "$BASHPID" || true
}

# Serialises start/stop of one instance. fd 9 must never leak into the servers
# (see `9>&-` where they are launched), or they would hold the lock forever.
acquire_lock() {
  mkdir -p "$LOCAL_DIR"
  exec 9>"$LOCK_FILE"
  flock -n 9 && return 0
  # Servers started by an older version of this script inherited the lock. If only
  # server processes hold it (no script), it is stale: go ahead.
  local pid comm only_servers=1 holders
  holders="$(lock_holders)"
  for pid in $holders; do
    comm="$(cat "/proc/$pid/comm" 2>/dev/null || true)"
    case "$comm" in
      postgres|beam.smp|epmd|erl_child_setup|inet_gethost|sh|"") ;;
      *) only_servers=0 ;;
    esac
  done
  if [[ -n "$holders" ]] && (( only_servers )); then
    warn "lock $LOCK_FILE is held only by server processes (inherited from an older start); ignoring it"
    return 0
  fi
  log "waiting for another local-infra.sh working on $LOCAL_DIR..."
  flock -w 600 9 || die "another local-infra.sh is busy with $LOCAL_DIR (lock $LOCK_FILE held by pids: $(lock_holders | paste -sd' '))"
}

# ---------------------------------------------------------------------------
# Binaries and packages
# ---------------------------------------------------------------------------
# Sets PG_BIN; returns 1 if PostgreSQL server binaries are missing.
find_pg_bin() {
  PG_BIN=""
  if [[ -f "$PGDATA_DIR/PG_VERSION" ]]; then
    local v
    v="$(<"$PGDATA_DIR/PG_VERSION")"
    if [[ -x "/usr/lib/postgresql/$v/bin/pg_ctl" ]]; then
      PG_BIN="/usr/lib/postgresql/$v/bin"
      return 0
    fi
    # Data dir exists but its version's binaries are missing: let install try.
    return 1
  fi
  local d
  d="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -type d -name bin 2>/dev/null | sort -V | tail -n 1)"
  [[ -n "$d" && -x "$d/initdb" && -x "$d/pg_ctl" && -x "$d/psql" ]] || return 1
  PG_BIN="$d"
}

# Sets RMQ_SBIN; returns 1 if RabbitMQ is missing.
find_rabbit_sbin() {
  RMQ_SBIN="$(find /usr/lib/rabbitmq/lib -mindepth 2 -maxdepth 2 -type d -path '*/rabbitmq_server-*/sbin' 2>/dev/null | sort -V | tail -n 1)"
  [[ -n "$RMQ_SBIN" && -x "$RMQ_SBIN/rabbitmq-server" && -x "$RMQ_SBIN/rabbitmqctl" ]] || { RMQ_SBIN=""; return 1; }
  command -v epmd >/dev/null 2>&1 || { RMQ_SBIN=""; return 1; }
}

# Removes our temporary policy-rc.d (never one that existed before).
remove_policy_rc_d() {
  if [[ -f "$POLICY_RC_D" ]] && grep -qF "$POLICY_RC_D_MARKER" "$POLICY_RC_D" 2>/dev/null; then
    as_root rm -f "$POLICY_RC_D" || warn "could not remove temporary $POLICY_RC_D"
  fi
}

install_packages() {
  local -a pkgs=("$@")
  command -v apt-get >/dev/null 2>&1 || die "missing ${pkgs[*]} and apt-get is not available; install them by hand"
  log "installing ${pkgs[*]} with apt-get (one-time)..."
  # Keep apt's postinst from starting system-wide services (default PostgreSQL
  # cluster, system RabbitMQ node): policy-rc.d exit 101 = "action forbidden".
  if [[ ! -e "$POLICY_RC_D" ]]; then
    trap remove_policy_rc_d EXIT
    printf '#!/bin/sh\n%s\nexit 101\n' "$POLICY_RC_D_MARKER" | as_root tee "$POLICY_RC_D" >/dev/null
    as_root chmod 0755 "$POLICY_RC_D"
  fi
  local -a aptenv=(env DEBIAN_FRONTEND=noninteractive RUNLEVEL=1)
  local -a aptopts=(-o DPkg::Lock::Timeout=600 -q)
  as_root "${aptenv[@]}" apt-get "${aptopts[@]}" update >&2 \
    || die "apt-get update failed"
  as_root "${aptenv[@]}" apt-get "${aptopts[@]}" install -y --no-install-recommends "${pkgs[@]}" >&2 \
    || die "apt-get install ${pkgs[*]} failed"
  remove_policy_rc_d
  trap - EXIT
}

ensure_packages() {
  local -a missing=()
  find_pg_bin || missing+=(postgresql)
  find_rabbit_sbin || missing+=(rabbitmq-server)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  if (( ${#missing[@]} > 0 )); then
    install_packages "${missing[@]}"
  fi
  if ! find_pg_bin; then
    if [[ -f "$PGDATA_DIR/PG_VERSION" ]]; then
      die "$PGDATA_DIR was created by PostgreSQL $(<"$PGDATA_DIR/PG_VERSION") but /usr/lib/postgresql/$(<"$PGDATA_DIR/PG_VERSION")/bin is missing; install postgresql-$(<"$PGDATA_DIR/PG_VERSION") or delete $PG_DIR"
    fi
    die "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin"
  fi
  find_rabbit_sbin || die "RabbitMQ not found under /usr/lib/rabbitmq/lib/rabbitmq_server-*/sbin (or epmd missing)"
}

# ---------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------
# Makes sure the postgres user can reach $PG_DIR when we run as root. Fixes (chmod o+x)
# only directories inside the repo or the local dir; otherwise fails naming the directory.
ensure_pg_traversable() {
  is_root || return 0
  local -a parents=()
  local d="$PG_DIR"
  while [[ "$d" != "/" ]]; do
    d="$(dirname "$d")"
    parents=("$d" "${parents[@]}")   # outermost first
  done
  local blocked i
  for (( i = 0; i <= ${#parents[@]}; i++ )); do
    # shellcheck disable=SC2016  # "$d" is expanded by the inner sh
    blocked="$(runuser -u postgres -- sh -c 'for d; do [ -x "$d" ] || { printf "%s" "$d"; exit 0; }; done' sh "${parents[@]}")"
    [[ -n "$blocked" ]] || return 0
    if [[ "$blocked" == "$REPO_ROOT" || "$blocked" == "$REPO_ROOT"/* || "$blocked" == "$LOCAL_DIR" || "$blocked" == "$LOCAL_DIR"/* ]]; then
      log "chmod o+x $blocked (the postgres user must be able to enter it)"
      chmod o+x "$blocked"
    else
      relocate_pg_dir "$blocked"
      return 0
    fi
  done
  die "could not make $PG_DIR reachable for the postgres user"
}

pg_prepare_dirs() {
  if [[ -d "$PG_DIR" ]] && ! is_root && [[ ! -O "$PG_DIR" ]]; then
    die "$PG_DIR belongs to $(stat -c %U "$PG_DIR") (probably created as root); run as root/that user or use another WARDLINK_LOCAL_DIR"
  fi
  mkdir -p "$PG_DIR" "$PG_SOCKET_DIR"
  chmod 0700 "$PG_SOCKET_DIR"
  if is_root; then
    chown postgres:postgres "$PG_DIR" "$PG_SOCKET_DIR"
    if [[ -d "$PGDATA_DIR" && "$(stat -c %U "$PGDATA_DIR")" != postgres ]]; then
      chown -R postgres:postgres "$PGDATA_DIR"
    fi
    [[ ! -e "$PG_LOG" ]] || chown postgres:postgres "$PG_LOG"
  fi
  ensure_pg_traversable
  # Unix socket paths are limited to 107 bytes.
  local sock="$PG_SOCKET_DIR/.s.PGSQL.$PG_PORT"
  (( ${#sock} < 100 )) || die "unix socket path too long (${#sock} bytes): $sock; use a shorter WARDLINK_LOCAL_DIR"
}

pg_initdb() {
  [[ -f "$PGDATA_DIR/PG_VERSION" ]] && return 0
  if [[ -d "$PGDATA_DIR" ]] && [[ -n "$(ls -A "$PGDATA_DIR")" ]]; then
    die "$PGDATA_DIR exists, is not empty and is not a PostgreSQL data directory; move it away or delete it"
  fi
  local locale="C"
  if locale -a 2>/dev/null | grep -qixE 'c\.utf-?8'; then locale="C.UTF-8"; fi
  log "initdb $PGDATA_DIR (PostgreSQL $("$PG_BIN/pg_ctl" --version | awk '{print $3}'), locale $locale)"
  local pwfile="$PG_DIR/.pwfile"
  ( umask 077; printf '%s\n' "$PG_SUPERUSER_PASSWORD" >"$pwfile" )
  if is_root; then chown postgres:postgres "$pwfile"; fi
  local out rc=0
  out="$(as_pg "$PG_BIN/initdb" -D "$PGDATA_DIR" -U postgres --pwfile="$pwfile" -E UTF8 \
    --locale="$locale" --auth-local=trust --auth-host=scram-sha-256 --no-instructions 2>&1)" || rc=$?
  rm -f "$pwfile"
  if (( rc != 0 )); then
    printf '%s\n' "$out" >&2
    die "initdb failed (exit $rc)"
  fi
  printf "\n# WardLink local settings (rewritten by deploy/local-infra.sh at every start)\ninclude_if_exists = 'wardlink.conf'\n" \
    >>"$PGDATA_DIR/postgresql.conf"
}

pg_write_conf() {
  local conf="$PGDATA_DIR/wardlink.conf"
  {
    echo "# Written by deploy/local-infra.sh; do not edit."
    echo "listen_addresses = '127.0.0.1'"
    echo "port = $PG_PORT"
    echo "unix_socket_directories = '$PG_SOCKET_DIR'"
    echo "unix_socket_permissions = 0700"
    if [[ "$PG_FAST" == "1" ]]; then
      # The test projects run a test class per core at once, each with its own services and their
      # pools: on a machine with many cores they open more connections than one system does.
      echo "max_connections = 1000"
      echo "# WARDLINK_PG_FAST=1: unsafe on crash, for test runs only"
      echo "fsync = off"
      echo "synchronous_commit = off"
      echo "full_page_writes = off"
      # Test databases live for one test class; an autovacuum worker still in one when the class
      # drops it makes DROP DATABASE … WITH (FORCE) fail (the test role cannot end its process).
      echo "autovacuum = off"
    else
      echo "max_connections = 300"
    fi
  } >"$conf"
  if is_root; then chown postgres:postgres "$conf"; fi
}

pg_running() {
  [[ -f "$PGDATA_DIR/postmaster.pid" ]] || return 1
  [[ -n "${PG_BIN:-}" ]] || find_pg_bin || return 1
  as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1
}

pg_start() {
  pg_prepare_dirs
  if pg_running; then
    log "PostgreSQL already running (port $PG_PORT, data $PGDATA_DIR)"
  else
    pg_initdb
    pg_write_conf
    ensure_ports_free "PostgreSQL" "$PG_PORT"
    log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
    if ! as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -l "$PG_LOG" -w -t "$PG_START_TIMEOUT" -s start >&2 9>&-; then
      tail -n 30 "$PG_LOG" >&2 2>/dev/null || true
      die "PostgreSQL did not start (log: $PG_LOG)"
    fi
  fi
  pg_ensure_objects
}

pg_psql() {
  "$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U postgres -d postgres
}

pg_ensure_objects() {
  local failed="(log: $PG_LOG; if it runs with other settings, stop and start again)"
  pg_psql >/dev/null <<SQL || die "could not create role $WARDLINK_USER in PostgreSQL on port $PG_PORT $failed"
SELECT format('CREATE ROLE %I LOGIN CREATEDB', '$WARDLINK_USER')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$WARDLINK_USER') \gexec
ALTER ROLE "$WARDLINK_USER" WITH LOGIN CREATEDB PASSWORD '$WARDLINK_PASSWORD';
SQL
  with_service_passwords POSTGRES env PGHOST="$PG_SOCKET_DIR" PGPORT="$PG_PORT" PGUSER=postgres PSQL="$PG_BIN/psql" \
    "$REPO_ROOT/deploy/postgres/roles.sh" >/dev/null \
    || die "could not create the services' roles and databases in PostgreSQL on port $PG_PORT $failed"
}

# with_service_passwords <POSTGRES|RABBITMQ> <command...>: runs the command with
# <SERVICE>_<what>_PASSWORD set to each service's development password (its role's name).
with_service_passwords() {
  local what="$1" service
  shift
  local -a passwords=()
  for service in "${SERVICES[@]}"; do
    passwords+=("${service^^}_${what}_PASSWORD=wardlink_$service")
  done
  env "${passwords[@]}" "$@"
}

pg_stop() {
  if ! pg_running; then
    log "PostgreSQL not running"
    return 0
  fi
  log "stopping PostgreSQL"
  if ! as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -m fast -w -t "$PG_STOP_TIMEOUT" -s stop >&2; then
    warn "fast shutdown timed out; using immediate shutdown"
    as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -m immediate -w -t "$PG_STOP_TIMEOUT" -s stop >&2 \
      || die "could not stop PostgreSQL (data $PGDATA_DIR)"
  fi
}

# ---------------------------------------------------------------------------
# RabbitMQ
# ---------------------------------------------------------------------------
# Run a RabbitMQ script with this instance's private environment.
rmq_env() {
  env -u RABBITMQ_NODE_PORT -u RABBITMQ_NODE_IP_ADDRESS -u RABBITMQ_MNESIA_DIR \
      -u RABBITMQ_LOGS -u RABBITMQ_USE_LONGNAME -u RABBITMQ_SERVER_START_ARGS \
      -u RABBITMQ_CONFIG_FILES -u RABBITMQ_ERLANG_COOKIE \
    HOME="$RMQ_HOME" \
    RABBITMQ_NODENAME="$NODE" \
    RABBITMQ_CONFIG_FILE="$RMQ_CONF" \
    RABBITMQ_ADVANCED_CONFIG_FILE="$RMQ_ADVANCED_CONF" \
    RABBITMQ_CONF_ENV_FILE="$RMQ_ENV_CONF" \
    RABBITMQ_DIST_PORT="$DIST_PORT" \
    RABBITMQ_CTL_DIST_PORT_MIN="$CTL_DIST_MIN" \
    RABBITMQ_CTL_DIST_PORT_MAX="$CTL_DIST_MAX" \
    RABBITMQ_MNESIA_BASE="$RMQ_MNESIA" \
    RABBITMQ_LOG_BASE="$RMQ_LOGS" \
    RABBITMQ_PID_FILE="$RMQ_PID_FILE" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$RMQ_PLUGINS_FILE" \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
    ERL_EPMD_ADDRESS=127.0.0.1 \
    ERL_CRASH_DUMP="$RMQ_LOGS/erl_crash.dump" \
    "$@"
}

rmqctl() {
  rmq_env "$RMQ_SBIN/rabbitmqctl" -n "$NODE" "$@"
}

# True if <pid> is the RabbitMQ server beam of this instance. The node name is not
# on its command line, but "-home $RMQ_HOME" (unique per instance) and "rabbit boot" are.
is_our_rabbit_beam() {
  local pid="$1" args
  [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == "beam.smp" ]] || return 1
  args="$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  grep -qxF -- "-home" <<<"$args" && grep -qxF -- "$RMQ_HOME" <<<"$args" \
    && grep -qxF -- "rabbit" <<<"$args" && grep -qxF -- "boot" <<<"$args"
}

# Prints the pid of our running node (from the pid file), or fails.
rmq_pid() {
  [[ -f "$RMQ_PID_FILE" ]] || return 1
  local pid
  pid="$(tr -dc '0-9' <"$RMQ_PID_FILE")"
  pid_alive "$pid" || return 1
  is_our_rabbit_beam "$pid" || return 1   # guards against pid reuse
  printf '%s\n' "$pid"
}

# Any server beam of this instance, whatever the pid file says.
rmq_find_beams() {
  local pid
  for pid in $(pgrep -x beam.smp || true); do
    is_our_rabbit_beam "$pid" && printf '%s\n' "$pid"
  done
  return 0
}

rmq_running() { rmq_pid >/dev/null; }

# True if epmd knows a node with our short name.
epmd_has_our_node() {
  command -v epmd >/dev/null 2>&1 || return 1
  epmd -names 2>/dev/null | grep -qE "^name $NODE_SHORT at port "
}

rmq_write_files() {
  mkdir -p "$RMQ_HOME" "$RMQ_MNESIA" "$RMQ_LOGS"
  chmod 0700 "$RMQ_HOME"
  local cookie="$RMQ_HOME/.erlang.cookie"
  if [[ ! -s "$cookie" ]]; then
    # Create it ourselves so the node and the CLI never race to generate different ones.
    local c
    # shellcheck disable=SC2019  # plain ASCII on purpose (LC_ALL=C)
    c="$(head -c 4096 /dev/urandom | LC_ALL=C tr -dc 'A-Z')"
    ( umask 077; printf '%s' "${c:0:32}" >"$cookie" )
    chmod 0400 "$cookie"
  fi
  cat >"$RMQ_CONF" <<EOF
# Written by deploy/local-infra.sh; do not edit.
listeners.tcp.1 = 127.0.0.1:$AMQP_PORT
management.tcp.ip = 127.0.0.1
management.tcp.port = $MGMT_PORT
loopback_users = none
# Created on first boot (instead of guest); re-checked by every start.
default_user = $WARDLINK_USER
default_pass = $WARDLINK_PASSWORD
default_user_tags.administrator = true
default_permissions.configure = .*
default_permissions.read = .*
default_permissions.write = .*
log.file.level = info
EOF
  echo '[rabbitmq_management].' >"$RMQ_PLUGINS_FILE"
  # Empty env file: keeps /etc/rabbitmq/rabbitmq-env.conf from changing this node.
  : >"$RMQ_ENV_CONF"
}

rmq_fail() {
  local msg="$1"
  local logf="$RMQ_LOGS/$NODE.log"
  if [[ -s "$RMQ_STARTUP_LOG" ]]; then
    log "--- $RMQ_STARTUP_LOG ---"
    tail -n 20 "$RMQ_STARTUP_LOG" >&2 || true
  fi
  if [[ -f "$logf" ]]; then
    if grep -q '\[error\]' "$logf"; then
      log "--- $logf from the first error ---"
      awk '/\[error\]/ { f = 1 } f' "$logf" | head -n 60 >&2 || true
    else
      log "--- tail of $logf ---"
      tail -n 40 "$logf" >&2 || true
    fi
  fi
  [[ ! -f "$RMQ_LOGS/erl_crash.dump" ]] || log "Erlang crash dump: $RMQ_LOGS/erl_crash.dump"
  # Leave no half-started node behind.
  local pid
  for pid in $(rmq_find_beams); do
    kill -TERM "$pid" 2>/dev/null || true
    wait_for 15 pid_gone "$pid" || kill -KILL "$pid" 2>/dev/null || true
  done
  rm -f "$RMQ_PID_FILE"
  die "$msg"
}

rmq_start() {
  local pid beams
  if ! rmq_running; then
    # Our node runs but its pid file is gone or wrong: adopt it.
    beams="$(rmq_find_beams)"
    if [[ -n "$beams" && "$beams" != *$'\n'* ]]; then
      warn "found RabbitMQ node of this instance (pid $beams) without a valid pid file; adopting it"
      mkdir -p "$RMQ_DIR"
      printf '%s\n' "$beams" >"$RMQ_PID_FILE"
    fi
  fi
  if pid="$(rmq_pid)"; then
    if port_open "$AMQP_PORT" && port_open "$MGMT_PORT"; then
      log "RabbitMQ already running (node $NODE, AMQP port $AMQP_PORT)"
    else
      log "RabbitMQ node $NODE (pid $pid) is running but not ready yet; waiting"
      if ! rmqctl await_startup --timeout "$RABBIT_START_TIMEOUT" >/dev/null 2>>"$RMQ_STARTUP_LOG"; then
        rmq_fail "RabbitMQ node $NODE (pid $pid) is not healthy; stopped it, run start again"
      fi
    fi
  else
    if epmd_has_our_node; then
      die "an Erlang node named $NODE_SHORT is registered in epmd, but $RMQ_PID_FILE does not point to it; stop it (rabbitmqctl -n $NODE stop) or choose another WARDLINK_RABBIT_NODE (./test.sh: WARDLINK_TEST_RABBIT_NODE)"
    fi
    ensure_ports_free "RabbitMQ" "$AMQP_PORT" "$MGMT_PORT" "$DIST_PORT"
    rm -f "$RMQ_PID_FILE"
    rmq_write_files
    log "starting RabbitMQ node $NODE (AMQP 127.0.0.1:$AMQP_PORT, management 127.0.0.1:$MGMT_PORT, dist $DIST_PORT)"
    # -detached: the node daemonises; its output before logging starts goes here.
    if ! (cd "$RMQ_DIR" && rmq_env "$RMQ_SBIN/rabbitmq-server" -detached) >"$RMQ_STARTUP_LOG" 2>&1 9>&-; then
      rmq_fail "rabbitmq-server -detached failed"
    fi
    if ! rmqctl wait --timeout "$(( RABBIT_START_TIMEOUT * 1000 ))" "$RMQ_PID_FILE" >/dev/null 2>>"$RMQ_STARTUP_LOG"; then
      rmq_fail "RabbitMQ node $NODE failed to start (or did not come up within ${RABBIT_START_TIMEOUT}s); see the log above"
    fi
    if ! rmqctl await_startup --timeout "$RABBIT_START_TIMEOUT" >/dev/null 2>>"$RMQ_STARTUP_LOG"; then
      rmq_fail "RabbitMQ node $NODE did not finish booting within ${RABBIT_START_TIMEOUT}s"
    fi
  fi
  rmq_ensure_user
  rmq_ensure_service_users
}

# Fast check through the management API: the user exists with our password, is an
# administrator (only those may read permissions) and has full rights on "/".
rmq_user_ok_http() {
  command -v curl >/dev/null 2>&1 || return 1
  local body
  body="$(curl -fsS -m 5 -u "$WARDLINK_USER:$WARDLINK_PASSWORD" \
    "http://127.0.0.1:$MGMT_PORT/api/permissions/%2F/$WARDLINK_USER" 2>/dev/null)" || return 1
  local k
  for k in configure write read; do
    grep -q "\"$k\":\"\.\*\"" <<<"$body" || return 1
  done
}

rmq_ensure_user() {
  if rmq_user_ok_http; then
    return 0
  fi
  log "ensuring RabbitMQ user $WARDLINK_USER"
  local users
  users="$(rmqctl list_users -q)" || die "rabbitmqctl list_users failed on node $NODE"
  if awk '{print $1}' <<<"$users" | grep -qxF "$WARDLINK_USER"; then
    rmqctl change_password "$WARDLINK_USER" "$WARDLINK_PASSWORD" >/dev/null \
      || die "could not set the password of RabbitMQ user $WARDLINK_USER"
  else
    rmqctl add_user "$WARDLINK_USER" "$WARDLINK_PASSWORD" >/dev/null \
      || die "could not add RabbitMQ user $WARDLINK_USER"
  fi
  rmqctl set_user_tags "$WARDLINK_USER" administrator >/dev/null \
    || die "could not tag RabbitMQ user $WARDLINK_USER"
  rmqctl set_permissions -p / "$WARDLINK_USER" '.*' '.*' '.*' >/dev/null \
    || die "could not set permissions of RabbitMQ user $WARDLINK_USER"
}

rmq_ensure_service_users() {
  with_service_passwords RABBITMQ env RABBITMQ_MANAGEMENT="http://127.0.0.1:$MGMT_PORT" \
    RABBITMQ_ADMIN_USER="$WARDLINK_USER" RABBITMQ_ADMIN_PASSWORD="$WARDLINK_PASSWORD" \
    "$REPO_ROOT/deploy/rabbitmq/users.sh" \
    || die "could not create the services' RabbitMQ users on node $NODE"
}

rmq_stop() {
  local pid="" beams
  pid="$(rmq_pid)" || pid=""
  if [[ -z "$pid" ]]; then
    beams="$(rmq_find_beams)"
    if [[ -n "$beams" && "$beams" != *$'\n'* ]]; then
      warn "$RMQ_PID_FILE is missing/stale, but pid $beams is this instance's node"
      pid="$beams"
      printf '%s\n' "$pid" >"$RMQ_PID_FILE"
    fi
  fi
  if [[ -n "$pid" ]]; then
    log "stopping RabbitMQ node $NODE (pid $pid)"
    if ! rmqctl stop "$RMQ_PID_FILE" >/dev/null 2>&1; then
      warn "rabbitmqctl stop failed; sending SIGTERM to $pid"
      kill -TERM "$pid" 2>/dev/null || true
    fi
    if ! wait_for "$RABBIT_STOP_TIMEOUT" pid_gone "$pid"; then
      warn "RabbitMQ pid $pid still alive after ${RABBIT_STOP_TIMEOUT}s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      wait_for 10 pid_gone "$pid" || die "could not kill RabbitMQ pid $pid"
    fi
  elif epmd_has_our_node; then
    # No beam of this instance's folder runs: the node of that name is another instance's (another clone, another
    # local folder), and stopping it would stop someone else's run.
    warn "a node named $NODE is registered in epmd but runs from another folder than $LOCAL_DIR; leaving it alone"
  else
    log "RabbitMQ node $NODE not running"
  fi
  rm -f "$RMQ_PID_FILE"
  # Stray server of this instance (e.g. pid file lost).
  local stray
  stray="$(rmq_find_beams)"
  if [[ -n "$stray" ]]; then
    warn "stopping stray RabbitMQ beam of this instance: $stray"
    # shellcheck disable=SC2086
    kill -TERM $stray 2>/dev/null || true
    for pid in $stray; do
      wait_for "$RABBIT_STOP_TIMEOUT" pid_gone "$pid" || kill -KILL "$pid" 2>/dev/null || true
    done
  fi
  epmd_stop_if_idle
}

# epmd outlives the node. Stop it (by pid) only when no node at all is registered.
epmd_stop_if_idle() {
  command -v epmd >/dev/null 2>&1 || return 0
  local names
  names="$(epmd -names 2>/dev/null)" || return 0   # no epmd running
  if grep -q '^name ' <<<"$names"; then
    log "epmd left running (still used by: $(awk '/^name /{print $2}' <<<"$names" | paste -sd' '))"
    return 0
  fi
  local pids=""
  if command -v ss >/dev/null 2>&1; then
    pids="$(ss -Hltnp "sport = :${ERL_EPMD_PORT:-4369}" 2>/dev/null | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u || true)"
  fi
  [[ -n "$pids" ]] || pids="$(pgrep -x epmd || true)"
  local pid
  for pid in $pids; do
    [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == "epmd" ]] || continue
    log "stopping idle epmd (pid $pid)"
    if kill -TERM "$pid" 2>/dev/null; then
      wait_for 10 pid_gone "$pid" || kill -KILL "$pid" 2>/dev/null || true
    else
      warn "could not stop epmd pid $pid (owned by another user?)"
    fi
  done
}

# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------
cmd_env() {
  local service role
  for service in "${SERVICES[@]}"; do
    role="wardlink_$service"
    printf "export WARDLINK_POSTGRES_%s='Host=127.0.0.1;Port=%s;Username=%s;Password=%s;Database=%s'\n" \
      "${service^^}" "$PG_PORT" "$role" "$role" "$role"
    printf "export WARDLINK_RABBITMQ_%s='amqp://%s:%s@127.0.0.1:%s/'\n" "${service^^}" "$role" "$role" "$AMQP_PORT"
    printf "export WARDLINK_RABBITMQ_MANAGEMENT_%s='http://%s:%s@127.0.0.1:%s/'\n" "${service^^}" "$role" "$role" "$MGMT_PORT"
  done
  printf "export WARDLINK_POSTGRES='Host=127.0.0.1;Port=%s;Username=%s;Password=%s'\n" \
    "$PG_PORT" "$WARDLINK_USER" "$WARDLINK_PASSWORD"
  printf "export WARDLINK_POSTGRES_SUPERUSER='Host=127.0.0.1;Port=%s;Username=postgres;Password=%s'\n" \
    "$PG_PORT" "$PG_SUPERUSER_PASSWORD"
  printf "export WARDLINK_RABBITMQ='amqp://%s:%s@127.0.0.1:%s/'\n" \
    "$WARDLINK_USER" "$WARDLINK_PASSWORD" "$AMQP_PORT"
  printf "export WARDLINK_RABBITMQ_MANAGEMENT='http://%s:%s@127.0.0.1:%s/'\n" \
    "$WARDLINK_USER" "$WARDLINK_PASSWORD" "$MGMT_PORT"
}

cmd_start() {
  local t0=$SECONDS
  acquire_lock
  ensure_packages
  pg_start
  rmq_start
  log "ready in $(( SECONDS - t0 ))s: PostgreSQL 127.0.0.1:$PG_PORT (databases ${SERVICES[*]/#/wardlink_}), RabbitMQ $NODE on 127.0.0.1:$AMQP_PORT, management http://127.0.0.1:$MGMT_PORT/ — data in $LOCAL_DIR"
  cmd_env
}

cmd_stop() {
  if [[ ! -d "$LOCAL_DIR" ]]; then
    log "nothing to stop ($LOCAL_DIR does not exist)"
    return 0
  fi
  acquire_lock
  find_rabbit_sbin || true
  if [[ -n "${RMQ_SBIN:-}" ]]; then
    rmq_stop
  else
    log "RabbitMQ not installed; nothing to stop"
  fi
  if find_pg_bin; then
    pg_stop
  else
    log "PostgreSQL not installed; nothing to stop"
  fi
}

cmd_status() {
  local rc=0
  find_pg_bin || true
  if [[ -n "${PG_BIN:-}" ]] && pg_running; then
    echo "postgresql: running (127.0.0.1:$PG_PORT, data $PGDATA_DIR)"
  else
    echo "postgresql: stopped"
    rc=1
  fi
  local pid
  if pid="$(rmq_pid)" && port_open "$AMQP_PORT"; then
    echo "rabbitmq:   running (node $NODE, pid $pid, AMQP 127.0.0.1:$AMQP_PORT, management 127.0.0.1:$MGMT_PORT)"
  elif [[ -n "$pid" ]]; then
    echo "rabbitmq:   starting or unhealthy (node $NODE, pid $pid, AMQP port $AMQP_PORT closed)"
    rc=1
  else
    echo "rabbitmq:   stopped"
    rc=1
  fi
  return "$rc"
}

main() {
  local cmd="${1:-}"
  case "$cmd" in
    -h|--help|help) usage; return 0 ;;
    start|stop|status|env) ;;
    "") usage >&2; die "missing command" ;;
    *) usage >&2; die "unknown command '$cmd'" ;;
  esac
  (( $# == 1 )) || die "'$cmd' takes no arguments"
  load_config
  case "$cmd" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    env) cmd_env ;;
  esac
}

main "$@"
