#!/usr/bin/env bash
# The WardLink benchmark: one command, one table (docs/benchmark.md).
#
#   ./bench.sh [options of tests/WardLink.Benchmark, e.g. --seconds 5 --base-events 5000]
#
# Builds the services, the gateway and the benchmark in Release; starts a private PostgreSQL and
# RabbitMQ (deploy/local-infra.sh) with their own ports and data folder (.local/bench, wiped
# first), so it runs beside ./run.sh and ./test.sh; runs the four services and the gateway as
# processes; measures; prints the table (also written to .local/bench/result.md); stops everything.
# Ports (below Linux's ephemeral range, 32768-60999, where an outgoing connection could hold one as the benchmark
# starts: the gateway's 47082 once was): WARDLINK_BENCH_PG_PORT [27433], WARDLINK_BENCH_AMQP_PORT [27673] (+1 management, +2 distribution),
# the gateway 27080 and the services 27081-27084 (--port); the RabbitMQ node WARDLINK_BENCH_RABBIT_NODE
# [wardlink-bench] (two benchmarks at once on one machine need two). Logs: .local/bench/*.log.
# One section alone, e.g. the wards: ./bench.sh --sections wards
set -euo pipefail
cd "$(dirname "$0")"

export WARDLINK_LOCAL_DIR="$PWD/.local/bench"
export WARDLINK_PG_PORT="${WARDLINK_BENCH_PG_PORT:-27433}"
export WARDLINK_AMQP_PORT="${WARDLINK_BENCH_AMQP_PORT:-27673}"
export WARDLINK_RABBIT_MGMT_PORT=$((WARDLINK_AMQP_PORT + 1))
export WARDLINK_RABBIT_DIST_PORT=$((WARDLINK_AMQP_PORT + 2))
export WARDLINK_RABBIT_NODE="${WARDLINK_BENCH_RABBIT_NODE:-wardlink-bench}"
export WARDLINK_PG_FAST=0
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

trap 'deploy/local-infra.sh stop >>"$WARDLINK_LOCAL_DIR/infra.log" 2>&1 || true' EXIT
deploy/local-infra.sh stop >/dev/null 2>&1 || true
rm -rf "$WARDLINK_LOCAL_DIR"
mkdir -p "$WARDLINK_LOCAL_DIR"

echo "[bench] building in Release..." >&2
for project in services/WardLink.Incidents services/WardLink.Patrols services/WardLink.Tips services/WardLink.Partners \
  gateway/WardLink.Gateway tests/WardLink.Benchmark; do
  dotnet build "$project" -c Release -warnaserror --nologo -v quiet --disable-build-servers >"$WARDLINK_LOCAL_DIR/build.log" 2>&1 \
    || { tail -n 30 "$WARDLINK_LOCAL_DIR/build.log" >&2; exit 1; }
done

echo "[bench] starting PostgreSQL and RabbitMQ (data in $WARDLINK_LOCAL_DIR)..." >&2
deploy/local-infra.sh start >>"$WARDLINK_LOCAL_DIR/infra.log" 2>&1 || { tail -n 20 "$WARDLINK_LOCAL_DIR/infra.log" >&2; exit 1; }
eval "$(deploy/local-infra.sh env)"

# The load's sockets complete inline (lean on the CPU the system shares); the services and the gateway it starts
# run without it, as deployed (tests/WardLink.Benchmark/Load.cs).
DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 \
  dotnet tests/WardLink.Benchmark/bin/Release/net10.0/WardLink.Benchmark.dll --repository "$PWD" "$@" | tee "$WARDLINK_LOCAL_DIR/result.md"
