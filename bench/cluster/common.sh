# Shared by the cluster benchmarks (sourced): the built program, a scratch folder removed on exit
# (kept with KEEP=1), the allocator settings of anything that trains, and the helpers below.
here=$(cd "$(dirname "$0")/../.." && pwd)
# The Release build (CONFIGURATION=Debug: the Debug build; EXE=...: another build).
exe=${EXE:-"$here/src/Experiments.Host/bin/${CONFIGURATION:-Release}/net10.0/linux-x64/experiments.dll"}
[ -f "$exe" ] || { echo "$exe missing: dotnet build -c ${CONFIGURATION:-Release} src/Experiments.Host" >&2; exit 2; }
work=$(mktemp -d)
export MALLOC_TRIM_THRESHOLD_=1000000000 MALLOC_MMAP_THRESHOLD_=67108864
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; if [ -z "${KEEP:-}" ]; then rm -rf "$work"; else echo "kept $work"; fi; }
trap cleanup EXIT
wait_healthy() { until curl -sf "http://127.0.0.1:$1/health" > /dev/null; do sleep 0.2; done; }
