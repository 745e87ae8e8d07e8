#!/usr/bin/env bash
# bench-split-cores.sh: run `congdanso bench` with this machine's PostgreSQL
# on its own CPU core(s) and the bench (client, API, worker and, on the
# embedded engines, the Temporal server) on the others, as a deployment
# runs them on separate hosts (docs/scaling.md). BENCHMARKS.md T14.
#
#   scripts/bench-split-cores.sh PG_CPUS BENCH_CPUS -- <congdanso bench arguments>
#   scripts/bench-split-cores.sh 1 0 -- --engine sqlite --n 1000 --rate 0 --out x.json
#
# Every running PostgreSQL process is moved onto PG_CPUS (new backends
# inherit the postmaster's set), and put back on every CPU when the run
# ends, even if it fails. It needs the right to change those processes'
# affinity (root, or the postgres user) and a local PostgreSQL.
set -euo pipefail
if [ $# -lt 3 ] || [ "$3" != "--" ]; then
	echo "usage: $0 PG_CPUS BENCH_CPUS -- <congdanso bench arguments>" >&2
	exit 2
fi
pg_cpus=$1 bench_cpus=$2
shift 3
bin=${BIN:-./bin/congdanso}
all="0-$(($(nproc --all) - 1))"
pids=$(pgrep -x postgres || true)
if [ -z "$pids" ]; then
	echo "$0: no local PostgreSQL process to pin" >&2
	exit 1
fi
# A backend may end between the listing and the call; the postmaster may not.
pin() {
	for p in $(pgrep -x postgres); do taskset -a -p -c "$1" "$p" >/dev/null 2>&1 || true; done
	taskset -a -p -c "$1" "$(pgrep -o -x postgres)" >/dev/null
}
trap 'pin "$all"' EXIT
pin "$pg_cpus"
echo "postgres on CPUs $pg_cpus, bench on CPUs $bench_cpus" >&2
taskset -c "$bench_cpus" "$bin" bench "$@"
