#!/usr/bin/env bash
# Cluster throughput (docs/PERFORMANCE.md, "Cluster"): the same sweep of 8 trial-folds (+ the final
# retrain) on one `serve` at max-concurrent-trials 2, then on a coordinator with no local slots and
# two single-slot workers. Prints the wall time from submission to completion of each.
# Usage: bench/cluster/throughput.sh [steps-per-epoch [digits]]   (defaults 40 and 3000; build first: dotnet build -c Release src/Experiments.Host;
# CONFIGURATION=Debug measures the Debug build instead)
set -euo pipefail
. "$(dirname "$0")/common.sh"
steps=${1:-40}
digits=${2:-3000}

cat > "$work/spec.hocon" <<SPEC
experiments.sweeps = [{
  name = bench
  model = cnn
  dataset = { name = mnist-default, limit = $digits }
  search { method = grid, space { learning-rate = [0.001, 0.003] } }
  cross-validation { folds = 4, stratified = on, seed = 5, test-fraction = 0.2 }
  training { max-epochs = 3, steps-per-epoch = $steps, batch-size = 64, hidden = 64 }
  resources { max-concurrent-trials = 2, threads-per-trial = 1 }
}]
SPEC

wait_workers() { until [ "$(curl -sf "http://127.0.0.1:$1/workers" | grep -o '"node"' | wc -l)" -ge "$2" ]; do sleep 0.5; done; }
timed_sweep() {
  local start end
  start=$(date +%s.%N)
  curl -sf -X POST --data-binary @"$work/spec.hocon" "http://127.0.0.1:$1/sweeps" > /dev/null
  until curl -sf "http://127.0.0.1:$1/sweeps/bench" | grep -q '"state":"completed"'; do sleep 0.2; done
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}

dotnet "$exe" serve --results "$work/one" --urls http://127.0.0.1:5481 > "$work/one.log" 2>&1 & pids+=($!)
wait_healthy 5481
one=$(timed_sweep 5481)
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true

dotnet "$exe" serve --results "$work/three" --urls http://127.0.0.1:5482 --cluster-port 4753 --local-slots 0 > "$work/coordinator.log" 2>&1 & pids+=($!)
wait_healthy 5482
dotnet "$exe" worker --join 127.0.0.1:4753 > "$work/w1.log" 2>&1 & pids+=($!)
dotnet "$exe" worker --join 127.0.0.1:4753 > "$work/w2.log" 2>&1 & pids+=($!)
wait_workers 5482 2
three=$(timed_sweep 5482)
echo "one host, concurrency 2:           $one s"
echo "coordinator + two 1-slot workers:  $three s"
echo "throughput ratio (one / cluster):  $(echo "scale=4; $one / $three" | bc)"
