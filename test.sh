#!/usr/bin/env bash
# Runs every WardLink test against real PostgreSQL and RabbitMQ.
#
# Starts a private PostgreSQL and RabbitMQ for the tests (installing them with apt when missing),
# on their own ports and data folder (.local/test), so it can run while ./run.sh runs; builds
# the solution; runs every test project; prints "N passed, N failed" and fails when any test
# failed or was skipped. Extra arguments go to `dotnet test` (e.g. --filter-class ...).
#
#   ./test.sh                                  every test
#   ./test.sh --filter-class '*TipsApiTests'   some (any `dotnet test` option; `dotnet test --help` lists them)
#
# Settings (environment, defaults in brackets), never run.sh's WARDLINK_* ones:
#   WARDLINK_TEST_LOCAL_DIR [.local/test]  data, logs and results; one run at a time per folder
#   WARDLINK_TEST_PG_PORT [55433], WARDLINK_TEST_AMQP_PORT [55673], WARDLINK_TEST_RABBIT_MGMT_PORT [55674],
#   WARDLINK_TEST_RABBIT_DIST_PORT [55675], WARDLINK_TEST_RABBIT_NODE [wardlink-test]
#   WARDLINK_KEEP_INFRA [0]                1: leave PostgreSQL and RabbitMQ running for a faster next run
#   WARDLINK_TEST_HANG_TIMEOUT [10m]       a test project in which no test starts or ends that long is stopped
#   WARDLINK_TEST_ORDER [by name]          reverse: each class's tests in the reverse order of their names
set -euo pipefail
cd "$(dirname "$0")"

if [[ "${1:-}" == "--help" || "${1:-}" == "-h" ]]; then
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
  exit 0
fi

# The tests' own folder, whatever WARDLINK_LOCAL_DIR (run.sh's) says: sharing it would have the
# tests stop the running system's PostgreSQL and RabbitMQ when they finish.
export WARDLINK_LOCAL_DIR="${WARDLINK_TEST_LOCAL_DIR:-$PWD/.local/test}"
export WARDLINK_PG_PORT="${WARDLINK_TEST_PG_PORT:-55433}"
export WARDLINK_AMQP_PORT="${WARDLINK_TEST_AMQP_PORT:-55673}"
export WARDLINK_RABBIT_MGMT_PORT="${WARDLINK_TEST_RABBIT_MGMT_PORT:-55674}"
export WARDLINK_RABBIT_DIST_PORT="${WARDLINK_TEST_RABBIT_DIST_PORT:-55675}"
export WARDLINK_RABBIT_NODE="${WARDLINK_TEST_RABBIT_NODE:-wardlink-test}"
export WARDLINK_PG_FAST=1
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

stop_infrastructure() {
  if [[ "${WARDLINK_KEEP_INFRA:-0}" != 1 ]]; then
    deploy/local-infra.sh stop >&2 || true
  fi
}
trap stop_infrastructure EXIT

# A step before the tests that fails (the infrastructure, the build) ends the run as one in which no test ran: an
# error, then the totals (none) as the last line, and a failure.
no_test_ran() {
  trap - EXIT
  stop_infrastructure
  echo "error: $1; no test ran" >&2
  echo "0 passed, 0 failed"
  exit 1
}

# One run at a time in a folder: a second would stop the first's PostgreSQL and RabbitMQ when it ends and delete its
# results. The lock is this shell's alone (no process it starts keeps descriptor 9), so it ends with the run.
mkdir -p "$WARDLINK_LOCAL_DIR"
exec 9>"$WARDLINK_LOCAL_DIR/test.lock"
if ! flock -n 9; then
  trap - EXIT
  echo "error: another ./test.sh is running with $WARDLINK_LOCAL_DIR; wait for it, or give this one its own WARDLINK_TEST_LOCAL_DIR, ports and node (./test.sh --help); no test ran" >&2
  echo "0 passed, 0 failed"
  exit 1
fi

# Stopped (Ctrl+C, kill, a CI's cancel): the tests, which run in a session of their own, stop too, then the
# infrastructure, and the run says it is incomplete.
tests_pid=""
stopped() {
  trap - EXIT INT TERM HUP
  [[ -z "$tests_pid" ]] || kill -TERM -- "-$tests_pid" 2>/dev/null || true
  stop_infrastructure
  echo "error: stopped by $1 before the tests ended; the run is incomplete" >&2
  exit "$2"
}
trap 'stopped SIGINT 130' INT
trap 'stopped SIGTERM 143' TERM
trap 'stopped SIGHUP 129' HUP

echo "==> starting PostgreSQL and RabbitMQ for tests (data in $WARDLINK_LOCAL_DIR)" >&2
deploy/local-infra.sh start >/dev/null 9>&- || no_test_ran "PostgreSQL and RabbitMQ did not start (deploy/local-infra.sh start)"
infra_env=$(deploy/local-infra.sh env 9>&-) || no_test_ran "deploy/local-infra.sh env failed"
eval "$infra_env"

echo "==> building" >&2
dotnet build WardLink.slnx -c Release -warnaserror --nologo -v quiet 9>&- || no_test_ran "the build failed"

results="$WARDLINK_LOCAL_DIR/results"
rm -rf "$results"
mkdir -p "$results"
log="$results/dotnet-test.log"

echo "==> running every test project" >&2
set +e
# With a filter (arguments), projects with no matching test are expected: MTP's exit code 8
# ("zero tests ran") and their "error" lines do not count then.
filter_args=()
(( $# == 0 )) || filter_args=(--ignore-exit-code 8)
# A test project in which no test starts or ends for $WARDLINK_TEST_HANG_TIMEOUT (default 10 minutes; a
# whole run takes about as long) is stopped by the hang dump extension, which names the tests still
# running; without it, a test that never ends would hold the run until CI's limit and say nothing.
# Nothing reads standard input (a CI runner's open one has hung `dotnet test` runs elsewhere).
hang_args=(--hangdump --hangdump-timeout "${WARDLINK_TEST_HANG_TIMEOUT:-10m}" --hangdump-type None)
# shellcheck disable=SC2016
setsid bash -c 'log=$1; shift; dotnet test "$@" </dev/null 2>&1 | tee "$log"; exit "${PIPESTATUS[0]}"' tests "$log" \
  --solution WardLink.slnx -c Release --no-build --results-directory "$results" "${hang_args[@]}" "${filter_args[@]}" "$@" 9>&- &
tests_pid=$!
wait "$tests_pid"
status=$?
tests_pid=""
set -e

# Totals from the run summary that `dotnet test` prints last (every test project together).
summary() { # summary NAME: the number on the summary's "  NAME: N" line, 0 when absent
  awk -v key="  $1:" 'index($0, "Test run summary") == 1 { inside = 1 } inside && index($0, key) == 1 { value = $2 } END { print value + 0 }' "$log"
}
total=$(summary total)
passed=$(summary succeeded)
failed=$(summary failed)
(( $# > 0 )) || failed=$(( failed + $(summary error) ))
skipped=$(summary skipped)

# The failed tests' names and messages again, after the projects' standard output (which a failed
# project prints whole), so that the end of the log says what failed.
if (( failed > 0 )); then
  echo "==> failed tests" >&2
  # Each from its "failed" line to its stack trace or the end of its indented report, 40 lines at most.
  awk '/^failed / { print; shown = 1; inside = 1; next } inside && (/^    at / || !/^  /) { inside = 0 } inside && shown++ < 40' "$log" >&2
fi

# A hung project: the tests the hang dump found still running (its <project>_<pid>_hang.log), each
# counted as failed (in place of the project's one "error", which counts when no filter is given).
for hang in "$results"/*_hang.log; do
  [[ -e "$hang" ]] || continue
  echo "==> $(basename "$hang" | cut -d_ -f1) hung: no test started or ended for ${WARDLINK_TEST_HANG_TIMEOUT:-10m}; still running then ([elapsed] name):" >&2
  cat "$hang" >&2
  failed=$(( failed + $(grep -c . "$hang") - ($# == 0 ? 1 : 0) ))
done

# `dotnet test` failed without a failed test: a project stopped by the hang dump once its tests had ended (a class
# fixture that never finished disposing), one that crashed, or options it refused. It counts as one failure at least.
if (( status != 0 )) && ! grep -q '^failed ' "$log"; then
  echo "==> dotnet test failed (exit $status) without a failed test: a project hung or crashed, or an option was refused:" >&2
  { grep -E '\) failed \(|Zero tests ran|Unknown option' "$log" || true; } | sed 's/^ *//' | sort -u | head -20 | sed 's/^/    /' >&2
  (( failed > 0 )) || failed=1
fi

# Stop the infrastructure now, so that the totals are the last line printed; the tests have ended, so a signal now
# waits for the stop (and its child ignores it too) rather than leaving a server running.
trap - EXIT
trap '' INT TERM HUP
stop_infrastructure

if (( skipped > 0 )); then
  echo "error: $skipped test(s) were skipped; every test must run" >&2
fi
if (( total == 0 )); then
  echo "error: no test ran" >&2
fi
echo "$passed passed, $failed failed"
if (( status != 0 || failed > 0 || skipped > 0 || total == 0 )); then
  exit 1
fi
