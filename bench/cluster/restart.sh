#!/usr/bin/env bash
# Coordinator kill -9 and restart (docs/PERFORMANCE.md, "Cluster"): a coordinator with no local
# slots and one single-slot worker run a sweep; the coordinator is killed with SIGKILL once an
# epoch 2 has been trained and started again at once on the same ports and results folder. Prints
# when the worker left the old cluster and joined the new coordinator, counted from the kill, and
# when the sweep completed. Usage: bench/cluster/restart.sh   (build first: dotnet build src/Experiments.Host)
set -euo pipefail
. "$(dirname "$0")/common.sh"

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
since() { echo "$(date +%s.%N) - $1" | bc; }
# The first time a line matching $2 appears in $1 after it had $3 lines.
wait_line() { until tail -n +"$(($3 + 1))" "$1" | grep -q "$2"; do sleep 0.1; done; }

coordinator first
wait_healthy 5483
dotnet "$exe" worker --join 127.0.0.1:4754 --cluster-port 4755 > "$work/worker.log" 2>&1 & pids+=($!)
until grep -q "joined coordinator" "$work/worker.log"; do sleep 0.2; done
curl -sf -X POST --data-binary @"$work/spec.hocon" http://127.0.0.1:5483/sweeps > /dev/null
until grep -q "epoch 2 trained on" "$work/first.log"; do sleep 0.1; done
before=$(wc -l < "$work/worker.log")
kill -9 "${pids[0]}"; killed=$(date +%s.%N)
coordinator second
wait_healthy 5483; healthy=$(since "$killed")
wait_line "$work/worker.log" "Lost the cluster" "$before"; left=$(since "$killed")
wait_line "$work/worker.log" "joined coordinator" "$before"; joined=$(since "$killed")
until curl -sf http://127.0.0.1:5483/sweeps/restart | grep -q '"state":"completed"'; do sleep 0.2; done; done_at=$(since "$killed")
echo "restarted coordinator healthy:  $healthy s after the kill"
why=$(tail -n +"$((before + 1))" "$work/worker.log" | grep -q "was restarted" && echo "a new work queue answered" || echo "the split-brain resolver downed it")
echo "worker left the old cluster:    $left s ($why)"
echo "worker joined the new one:      $joined s"
echo "sweep completed:                $done_at s"
