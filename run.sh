#!/usr/bin/env bash
# Start everything locally, without Docker: PostgreSQL and RabbitMQ as private processes
# (deploy/local-infra.sh, which installs them with apt-get when missing), then the Aspire AppHost
# (deploy/WardLink.AppHost) running the four services, the gateway and the Aspire dashboard.
# Loads demo partners and tips the first time. Runs until Ctrl+C, which stops everything it started.
#
#   ./run.sh           demo partners and a handful of tips
#   ./run.sh --year    the programme's year instead (tests/WardLink.Simulator): partners, the 2022
#                      baseline, 2024's tips, incidents, patrols and linkage work (a few minutes)
#
# Needs: Debian/Ubuntu with the .NET 10 SDK; root or sudo for the one-time apt-get installs.
# Logs: .local/run/logs/ (build.log, infra.log, apphost.log with every service's output,
# demo-data.log). Settings (environment, defaults in brackets):
#   WARDLINK_GATEWAY_PORT [5080]   WARDLINK_DASHBOARD_PORT [18888] (OTLP on +1 gRPC, +2 HTTP, or
#   WARDLINK_OTLP_GRPC_PORT, WARDLINK_OTLP_HTTP_PORT); the services' own ports are 5101-5104, one ./run.sh at a time
#   WARDLINK_READY_TIMEOUT [300]   seconds to wait for the gateway after starting the AppHost
#   WARDLINK_DEMO_DATA [1]         0: never load demo partners and tips
#   WARDLINK_LOCAL_DIR [.local/run], WARDLINK_PG_PORT, WARDLINK_AMQP_PORT, ...: see deploy/local-infra.sh --help
set -euo pipefail

# Started in the background by another script (`./run.sh &`), this shell inherits SIGINT as
# ignored, and bash cannot trap a signal ignored on entry: Ctrl+C / kill -INT would then do
# nothing. Restore the default disposition once, so SIGINT always stops everything cleanly.
sigign="$(awk '/^SigIgn:/ { print $2 }' /proc/$$/status 2>/dev/null || true)"
if [[ -n "$sigign" && -z "${WARDLINK_RUN_SIGNALS_RESET:-}" ]] && (((16#$sigign & 2) != 0)) \
  && env --default-signal=INT true 2>/dev/null; then
  export WARDLINK_RUN_SIGNALS_RESET=1
  exec env --default-signal=INT "$0" "$@"
fi

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
cd "$ROOT"

export WARDLINK_GATEWAY_PORT="${WARDLINK_GATEWAY_PORT:-5080}"
export WARDLINK_DASHBOARD_PORT="${WARDLINK_DASHBOARD_PORT:-18888}"
READY_TIMEOUT="${WARDLINK_READY_TIMEOUT:-300}"
DEMO_DATA="${WARDLINK_DEMO_DATA:-1}"
readonly SERVICE_PORTS=(5101 5102 5103 5104)
readonly STOP_TIMEOUT=60

# The AppHost starts each service with `dotnet run --no-build -c <its own configuration>`,
# so the AppHost and the services are built together in one configuration.
readonly CONFIGURATION=Debug
readonly APPHOST_DIR="deploy/WardLink.AppHost"
readonly APPHOST_DLL="bin/$CONFIGURATION/net10.0/WardLink.AppHost.dll"

local_dir="${WARDLINK_LOCAL_DIR:-.local/run}"
[[ "$local_dir" == /* ]] || local_dir="$ROOT/$local_dir"
readonly LOG_DIR="$local_dir/logs"

GATEWAY_URL="http://127.0.0.1:$WARDLINK_GATEWAY_PORT"
DASHBOARD_URL="http://127.0.0.1:$WARDLINK_DASHBOARD_PORT"

say() { printf '[run] %s\n' "$*"; }
warn() { printf '[run] WARNING: %s\n' "$*" >&2; }
die() { printf '[run] ERROR: %s\n' "$*" >&2; exit 1; }

YEAR_DATA=0
for arg in "$@"; do
  case "$arg" in
    --year) YEAR_DATA=1 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$arg' (./run.sh [--year])" ;;
  esac
done
since() { printf '%ss' $((SECONDS - $1)); }

# Root, or sudo for the one-time package installs.
as_root() {
  if [[ "$(id -u)" -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

# A process that exists and is not a zombie (kill -0 also succeeds on zombies).
alive() { proc_start "$1" >/dev/null; }

# Start time of a live process (field 22 of /proc/PID/stat), to tell it from a later reuse of its pid.
# /proc is read directly: procps (ps, pgrep) may be missing on a fresh machine.
proc_start() {
  local stat fields
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  read -r -a fields <<<"${stat##*) }" # after "pid (comm) ": state ppid pgrp ...
  [[ "${fields[0]}" != Z ]] && printf '%s\n' "${fields[19]}"
}

# "pid:starttime" of the AppHost, of the orchestrator (DCP) that watches it (`dcp start-apiserver
# --monitor <AppHost pid>` leaves the AppHost's process tree), and of all their descendants: the
# dashboard, the services and their `dotnet run` parents.
apphost_tree() {
  local f p stat fields table="" roots="$APPHOST_PID"
  for f in /proc/[0-9]*/stat; do
    p="${f//[^0-9]/}"
    stat="$(cat "$f" 2>/dev/null)" || continue
    read -r -a fields <<<"${stat##*) }"
    [[ "${fields[0]}" != Z ]] || continue
    table+="$p ${fields[1]} ${fields[19]}"$'\n'
    if tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q -- "--monitor $APPHOST_PID "; then
      roots+=" $p"
    fi
  done
  awk -v roots="$roots" '
    { ppid[$1] = $2; start[$1] = $3; pids[++n] = $1 }
    END {
      split(roots, r, " "); for (i in r) keep[r[i]] = 1
      do { grew = 0; for (i = 1; i <= n; i++) { p = pids[i]; if (!(p in keep) && (ppid[p] in keep)) { keep[p] = 1; grew = 1 } } } while (grew)
      for (p in keep) if (p in start) print p ":" start[p]
    }' <<<"$table"
}

# Those of the given "pid:starttime" entries that still run.
still_running() {
  local entry
  for entry in "$@"; do
    [[ "$(proc_start "${entry%%:*}")" == "${entry#*:}" ]] && printf '%s\n' "${entry%%:*}"
  done
  return 0
}

port_open() { timeout 1 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null; }

# ---------------------------------------------------------------------------
# Stopping: the AppHost (then anything of its orchestrator still there), then the
# infrastructure if this run started it.
# ---------------------------------------------------------------------------
APPHOST_PID=""
INFRA_STATE="" # "" = not touched yet, "started" = this run starts/started it, "preexisting" = was running before
CLEANING=0

stop_apphost() {
  [[ -n "$APPHOST_PID" ]] || return 0
  local tree left deadline t=$SECONDS
  mapfile -t tree < <(apphost_tree)
  if alive "$APPHOST_PID"; then
    say "stopping the AppHost (pid $APPHOST_PID), its services and the dashboard..."
    kill -TERM "$APPHOST_PID" 2>/dev/null || true
    deadline=$((SECONDS + STOP_TIMEOUT))
    while alive "$APPHOST_PID" && ((SECONDS < deadline)); do sleep 0.5; done
    if alive "$APPHOST_PID"; then
      warn "the AppHost did not stop within ${STOP_TIMEOUT}s; killing it"
      kill -KILL "$APPHOST_PID" 2>/dev/null || true
    fi
  fi
  wait "$APPHOST_PID" 2>/dev/null || true
  APPHOST_PID=""
  # The orchestrator winds down by itself once the AppHost is gone; give it a moment, then
  # end whatever of this run's processes is still there.
  deadline=$((SECONDS + 20))
  while [[ -n "$(still_running "${tree[@]}")" ]] && ((SECONDS < deadline)); do sleep 0.5; done
  left="$(still_running "${tree[@]}")"
  if [[ -n "$left" ]]; then
    warn "processes of this run still there after the AppHost stopped, ending them: $(echo $left)"
    # shellcheck disable=SC2086 # one pid per word
    kill -TERM $left 2>/dev/null || true
    sleep 3
    left="$(still_running "${tree[@]}")"
    # shellcheck disable=SC2086
    [[ -z "$left" ]] || kill -KILL $left 2>/dev/null || true
  fi
  say "AppHost, services and dashboard stopped ($(since "$t"))"
}

cleanup() {
  local rc=$?
  ((CLEANING == 0)) || return 0
  CLEANING=1
  trap 'say "still stopping, please wait..."' INT TERM
  set +e
  stop_apphost
  if [[ "$INFRA_STATE" == started ]]; then
    local t=$SECONDS
    say "stopping PostgreSQL and RabbitMQ..."
    if deploy/local-infra.sh stop >>"$LOG_DIR/infra.log" 2>&1; then
      say "PostgreSQL and RabbitMQ stopped ($(since "$t"))"
    else
      warn "deploy/local-infra.sh stop failed (see $LOG_DIR/infra.log)"
    fi
  elif [[ "$INFRA_STATE" == preexisting ]]; then
    say "PostgreSQL and RabbitMQ were running before this run: left running"
  fi
  say "stopped."
  exit "$rc"
}

on_signal() {
  echo
  say "$1 received"
  exit $((128 + $2))
}

trap cleanup EXIT
trap 'on_signal SIGINT 2' INT
trap 'on_signal SIGTERM 15' TERM
trap 'on_signal SIGHUP 1' HUP

# ---------------------------------------------------------------------------
# Prerequisites
# ---------------------------------------------------------------------------
T0=$SECONDS
mkdir -p "$LOG_DIR"

command -v dotnet >/dev/null 2>&1 || die "the .NET 10 SDK is required (dotnet not found on PATH)"
sdk="$(dotnet --version 2>/dev/null)" || die "'dotnet --version' failed: is a .NET SDK (not only a runtime) installed?"
[[ "${sdk%%.*}" -ge 10 ]] 2>/dev/null || die "the .NET 10 SDK is required, found $sdk"
command -v setsid >/dev/null 2>&1 || die "setsid (util-linux) is required"
if ! command -v curl >/dev/null 2>&1; then
  say "installing curl (apt-get)..."
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -q update >>"$LOG_DIR/infra.log" 2>&1 \
    && as_root env DEBIAN_FRONTEND=noninteractive apt-get -q install -y --no-install-recommends curl ca-certificates >>"$LOG_DIR/infra.log" 2>&1 \
    || die "could not install curl (see $LOG_DIR/infra.log)"
fi

for port in "$WARDLINK_GATEWAY_PORT" "${SERVICE_PORTS[@]}" "$WARDLINK_DASHBOARD_PORT" \
  "${WARDLINK_OTLP_GRPC_PORT:-$((WARDLINK_DASHBOARD_PORT + 1))}" "${WARDLINK_OTLP_HTTP_PORT:-$((WARDLINK_DASHBOARD_PORT + 2))}"; do
  port_open "$port" && die "port $port on 127.0.0.1 is already in use (another ./run.sh, or a service started by hand?)"
done

# ---------------------------------------------------------------------------
# Infrastructure
# ---------------------------------------------------------------------------
t=$SECONDS
# Infrastructure that was already up (started by hand or by another tool) is used and left running.
if deploy/local-infra.sh status >/dev/null 2>&1; then INFRA_STATE=preexisting; else INFRA_STATE=started; fi
say "starting PostgreSQL and RabbitMQ (first run installs them with apt-get; log: $LOG_DIR/infra.log)..."
if ! infra_env="$(deploy/local-infra.sh start 2>>"$LOG_DIR/infra.log")"; then
  tail -n 25 "$LOG_DIR/infra.log" >&2
  die "deploy/local-infra.sh start failed (log: $LOG_DIR/infra.log)"
fi
eval "$infra_env"
: "${WARDLINK_POSTGRES_TIPS:?deploy/local-infra.sh env did not set WARDLINK_POSTGRES_TIPS}"
: "${WARDLINK_RABBITMQ_TIPS:?deploy/local-infra.sh env did not set WARDLINK_RABBITMQ_TIPS}"
say "infrastructure ready ($(since "$t"))"

# ---------------------------------------------------------------------------
# Build and start the AppHost
# ---------------------------------------------------------------------------
t=$SECONDS
say "building (log: $LOG_DIR/build.log)..."
# --disable-build-servers: no MSBuild node or compiler server stays behind after this run.
build() {
  dotnet build "$APPHOST_DIR/WardLink.AppHost.csproj" -c "$CONFIGURATION" -nologo --disable-build-servers \
    >"$LOG_DIR/build.log" 2>&1
}
if ((YEAR_DATA == 1)); then
  build_simulator() {
    dotnet build tests/WardLink.Simulator/WardLink.Simulator.csproj -c "$CONFIGURATION" -nologo --disable-build-servers >>"$LOG_DIR/build.log" 2>&1
  }
else
  build_simulator() { :; }
fi
if ! { build && build_simulator; } && ! { grep -q 'being used by another process' "$LOG_DIR/build.log" \
  && say "the build hit a file lock (another build in this tree?); retrying once..." && sleep 5 && build && build_simulator; }; then
  grep -E ': (error|warning) ' "$LOG_DIR/build.log" | sort -u | tail -n 20 >&2 || tail -n 30 "$LOG_DIR/build.log" >&2
  die "build failed (log: $LOG_DIR/build.log)"
fi
say "built ($(since "$t"))"

t=$SECONDS
say "starting the AppHost: services, gateway, dashboard (log: $LOG_DIR/apphost.log)..."
# Own session, so that Ctrl+C reaches only this script, which then stops the AppHost in order
# (the AppHost stops its services and the dashboard). One log line per entry, for grep.
(cd "$APPHOST_DIR" && exec setsid dotnet "$APPHOST_DLL" \
  --Logging:Console:FormatterName=simple \
  --Logging:Console:FormatterOptions:SingleLine=true \
  "--Logging:Console:FormatterOptions:TimestampFormat=HH:mm:ss ") >"$LOG_DIR/apphost.log" 2>&1 </dev/null &
APPHOST_PID=$!

say "waiting for $GATEWAY_URL/health/ready (at most ${READY_TIMEOUT}s)..."
deadline=$((SECONDS + READY_TIMEOUT))
status=""
while :; do
  status="$(curl -s -o "$LOG_DIR/gateway-ready.json" -w '%{http_code}' -m 5 "$GATEWAY_URL/health/ready" 2>/dev/null)" || true
  [[ "$status" == 200 ]] && break
  if ! alive "$APPHOST_PID"; then
    tail -n 40 "$LOG_DIR/apphost.log" >&2
    die "the AppHost exited before the gateway was ready (log: $LOG_DIR/apphost.log)"
  fi
  if ((SECONDS >= deadline)); then
    tail -n 40 "$LOG_DIR/apphost.log" >&2
    die "the gateway did not answer 200 on /health/ready within ${READY_TIMEOUT}s (last status: ${status:-none}; log: $LOG_DIR/apphost.log; dashboard: $DASHBOARD_URL)"
  fi
  sleep 1
done
grep -q '"status":"Healthy"' "$LOG_DIR/gateway-ready.json" \
  || warn "the gateway is up but reports: $(head -c 400 "$LOG_DIR/gateway-ready.json")"
say "gateway ready ($(since "$t") after start; $(since "$T0") in all)"

# ---------------------------------------------------------------------------
# Demo data, only into an empty tips database
# ---------------------------------------------------------------------------
# Field of the tips service's Npgsql connection string (Host, Port, Username, Password, Database):
# only the tips role may connect to the tips database.
pg_field() {
  tr ';' '\n' <<<"$WARDLINK_POSTGRES_TIPS" | awk -F= -v k="$1" 'tolower($1) == tolower(k) { print substr($0, index($0, "=") + 1) }'
}

count_tips() {
  local psql
  psql="$(command -v psql || ls /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -n 1)"
  [[ -n "$psql" ]] || return 1
  local -a query=(env PGPASSWORD="$(pg_field Password)" PGCONNECT_TIMEOUT=5 "$psql" -X -qAt
    -h "$(pg_field Host)" -p "$(pg_field Port)" -U "$(pg_field Username)" -d "$(pg_field Database)")
  local exists
  # Marten creates its event tables with the first event: no table yet means no tips yet.
  exists="$("${query[@]}" -c "SELECT to_regclass('mt_streams') IS NOT NULL" 2>>"$LOG_DIR/demo-data.log")" || return 1
  if [[ "$exists" == t ]]; then
    # Tips only: the yearly number counters are streams too.
    "${query[@]}" -c "SELECT count(*) FROM mt_streams WHERE type = 'tip_state'" 2>>"$LOG_DIR/demo-data.log"
  else
    echo 0
  fi
}

if [[ "$DEMO_DATA" != 0 ]]; then
  if ! tips="$(count_tips)"; then
    warn "could not count the tips in wardlink_tips; demo data not loaded (see $LOG_DIR/demo-data.log)"
  elif [[ "$tips" == 0 && "$YEAR_DATA" == 1 ]]; then
    say "playing the programme's year through the gateway (log: $LOG_DIR/demo-data.log)..."
    if dotnet "tests/WardLink.Simulator/bin/$CONFIGURATION/net10.0/WardLink.Simulator.dll" --gateway "$GATEWAY_URL" >>"$LOG_DIR/demo-data.log" 2>&1; then
      say "the year is loaded: the annual figures are at the end of $LOG_DIR/demo-data.log"
    else
      warn "playing the year failed: $(tail -n 3 "$LOG_DIR/demo-data.log" | tr '\n' ' ')"
    fi
  elif [[ "$tips" == 0 ]]; then
    if deploy/demo-data.sh "$GATEWAY_URL" >>"$LOG_DIR/demo-data.log" 2>&1; then
      say "$(tail -n 1 "$LOG_DIR/demo-data.log")"
    else
      warn "loading demo data failed: $(tail -n 3 "$LOG_DIR/demo-data.log" | tr '\n' ' ')"
    fi
  else
    say "the tips database already has $tips tips; no demo data loaded"
  fi
fi

# After the year the home ward has ended (merged into Đông Quang on 1 July 2025): the home ward's police record nothing
# dated today, the successor's police do (docs/programme-year.md).
TRY_CLIENT=police-desk
[[ "$YEAR_DATA" == 1 ]] && TRY_CLIENT=dong-quang-police

cat <<EOF

WardLink is running ($(since "$T0")).
  Gateway:    $GATEWAY_URL          (health: $GATEWAY_URL/health/ready)
  Dashboard:  $DASHBOARD_URL         (resources, console logs, traces, metrics; no login)
  Logs:       ${LOG_DIR#"$ROOT"/}/
  Try (demo clients and their secrets: docs/api.md):
    TOKEN=\$(curl -s $GATEWAY_URL/connect/token -d grant_type=client_credentials -d client_id=$TRY_CLIENT -d client_secret=$TRY_CLIENT-dev-secret | sed -n 's/.*"access_token": *"\([^"]*\)".*/\1/p')
    curl -i -X POST $GATEWAY_URL/api/tips -H "Authorization: Bearer \$TOKEN" -H 'Content-Type: application/json' \\
      -d '{"channel":"hotline","category":"theft","description":"Motorbike taken at the gate","place":{"description":"Obstetrics hospital gate"},"receivedAt":"$(date -u -d '+7 hours' +%Y-%m-%dT%H:%M:%S+07:00)"}'
    curl -s -H "Authorization: Bearer \$TOKEN" $GATEWAY_URL/api/tips/<id from the Location header>
Press Ctrl+C to stop everything.
EOF

# Until Ctrl+C (the trap stops everything) or until the AppHost ends by itself.
wait "$APPHOST_PID" || true
APPHOST_EXIT_TAIL="$(tail -n 30 "$LOG_DIR/apphost.log")"
printf '%s\n' "$APPHOST_EXIT_TAIL" >&2
die "the AppHost exited unexpectedly (log: $LOG_DIR/apphost.log)"
