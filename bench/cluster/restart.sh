#!/usr/bin/env bash
# Coordinator kill -9 and restart (docs/PERFORMANCE.md, "Cluster"): a coordinator with no local
# slots and one single-slot worker run a sweep; the coordinator is killed with SIGKILL once an
# epoch 2 has been trained and started again at once on the same ports and results folder. Prints
# when the worker left the old cluster and joined the new coordinator, counted from the kill, and
# when the sweep completed. Usage: bench/cluster/restart.sh   (build first: dotnet build src/Experiments.Host)
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
exe="$here/src/Experiments.Host/bin/Debug/net10.0/linux-x64/experiments.dll"
work=$(mktemp -d)
export MALLOC_TRIM_THRESHOLD_=1000000000 MALLOC_MMAP_THRESHOLD_=67108864
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; if [ -z "${KEEP:-}" ]; then rm -rf "$work"; else echo "kept $work"; fi; }
trap cleanup EXIT

cat > "$work/spec.hocon" <<SPEC
experiments.sweeps = [{
  name = restart
  model = cnn
  dataset = { name = mnist-default, limit = 600 }
  search { method = grid, space { learning-rate = [0.001, 0.003] } }
  cross-validation { folds = 2, stratified = on, seed = 5, test-fraction = 0.2 }
  training { max-epochs = 4, steps-per-epoch = 25, batch-size = 32, hidden = 16 }
  resources { max-concurrent-trials = 2, threads-per-trial = 1 }
}]
SPEC

coordinator() { dotnet "$exe" serve --results "$work/results" --urls http://127.0.0.1:5483 --cluster-port 4754 --local-slots 0 > "$work/$1.log" 2>&1 & pids+=($!); }
wait_healthy() { until curl -sf http://127.0.0.1:5483/health > /dev/null; do sleep 0.2; done; }
since() { echo "$(date +%s.%N) - $1" | bc; }
# The first time a line matching $2 appears in $1 after it had $3 lines.
wait_line() { until tail -n +"$(($3 + 1))" "$1" | grep -q "$2"; do sleep 0.1; done; }

coordinator first
wait_healthy
dotnet "$exe" worker --join 127.0.0.1:4754 --cluster-port 4755 > "$work/worker.log" 2>&1 & pids+=($!)
until grep -q "joined coordinator" "$work/worker.log"; do sleep 0.2; done
curl -sf -X POST --data-binary @"$work/spec.hocon" http://127.0.0.1:5483/sweeps > /dev/null
until grep -q "epoch 2 trained on" "$work/first.log"; do sleep 0.1; done
before=$(wc -l < "$work/worker.log")
kill -9 "${pids[0]}"; killed=$(date +%s.%N)
coordinator second
wait_healthy; healthy=$(since "$killed")
wait_line "$work/worker.log" "Lost the cluster" "$before"; left=$(since "$killed")
wait_line "$work/worker.log" "joined coordinator" "$before"; joined=$(since "$killed")
until curl -sf http://127.0.0.1:5483/sweeps/restart | grep -q '"state":"completed"'; do sleep 0.2; done; done_at=$(since "$killed")
echo "restarted coordinator healthy:  $healthy s after the kill"
echo "worker left the old cluster:    $left s"
echo "worker joined the new one:      $joined s"
echo "sweep completed:                $done_at s"
