#!/usr/bin/env bash
# Cluster throughput (docs/PERFORMANCE.md, "Cluster"): the same sweep of 8 trial-folds (+ the final
# retrain) on one `serve` at max-concurrent-trials 2, and on a coordinator with no local slots and
# two single-slot workers. Each side's processes are started fresh, run the sweep once cold (every
# process still compiling its code) and then again under another name, warm (as long-lived
# services are); the sides alternate PAIRS times. Prints the wall time from submission to
# completion of each sweep and the throughput ratios (one host's time / the cluster's).
# Usage: bench/cluster/throughput.sh [steps-per-epoch [digits [pairs]]]   (defaults 40, 3000, 1;
# build first: dotnet build -c Release src/Experiments.Host; CONFIGURATION=Debug measures the Debug build)
set -euo pipefail
. "$(dirname "$0")/common.sh"
steps=${1:-40}
digits=${2:-3000}
pairs=${3:-1}

spec() {
  cat <<SPEC
experiments.sweeps = [{
  name = $1
  model = cnn
  dataset = { name = mnist-default, limit = $digits }
  search { method = grid, space { learning-rate = [0.001, 0.003] } }
  cross-validation { folds = 4, stratified = on, seed = 5, test-fraction = 0.2 }
  training { max-epochs = 3, steps-per-epoch = $steps, batch-size = 64, hidden = 64 }
  resources { max-concurrent-trials = 2, threads-per-trial = 1 }
}]
SPEC
}

wait_workers() { until [ "$(curl -sf "http://127.0.0.1:$1/workers" | grep -o '"node"' | wc -l)" -ge "$2" ]; do sleep 0.5; done; }
timed_sweep() {
  local start end
  spec "$2" > "$work/$2.hocon"
  start=$(date +%s.%N)
  curl -sf -X POST --data-binary @"$work/$2.hocon" "http://127.0.0.1:$1/sweeps" > /dev/null
  until curl -sf "http://127.0.0.1:$1/sweeps/$2" | grep -q '"state":"completed"'; do sleep 0.2; done
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}
stop_all() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done; pids=(); }
ratio() { echo "scale=4; $1 / $2" | bc; }

printf '%-5s %14s %14s %8s %14s %14s %8s\n' pair one-cold cluster-cold ratio one-warm cluster-warm ratio
for pair in $(seq 1 "$pairs"); do
  rm -rf "$work/one" "$work/three"
  dotnet "$exe" serve --results "$work/one" --urls http://127.0.0.1:5481 > "$work/one-$pair.log" 2>&1 & pids+=($!)
  wait_healthy 5481
  one_cold=$(timed_sweep 5481 cold)
  one_warm=$(timed_sweep 5481 warm)
  stop_all

  dotnet "$exe" serve --results "$work/three" --urls http://127.0.0.1:5482 --cluster-port 4753 --local-slots 0 > "$work/coordinator-$pair.log" 2>&1 & pids+=($!)
  wait_healthy 5482
  dotnet "$exe" worker --join 127.0.0.1:4753 > "$work/w1-$pair.log" 2>&1 & pids+=($!)
  dotnet "$exe" worker --join 127.0.0.1:4753 > "$work/w2-$pair.log" 2>&1 & pids+=($!)
  wait_workers 5482 2
  three_cold=$(timed_sweep 5482 cold)
  three_warm=$(timed_sweep 5482 warm)
  stop_all
  printf '%-5s %14.3f %14.3f %8.4f %14.3f %14.3f %8.4f\n' "$pair" "$one_cold" "$three_cold" "$(ratio "$one_cold" "$three_cold")" \
    "$one_warm" "$three_warm" "$(ratio "$one_warm" "$three_warm")"
done
