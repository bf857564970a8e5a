#!/usr/bin/env bash
# One check of minigrad on a machine with an NVIDIA GPU, within 8 minutes, every result
# written under docs/benchmarks/cuda/ with the GPU named:
#
#   gpu-check.md          the GPU, date, commit, nvidia-smi, versions, `minigrad info`, and
#                         each step's exit status, time and log (rewritten after every
#                         step, so a run cut short still says how far it got)
#   gpu-check-tests.log   MINIGRAD_TEST_CUDA=1 pytest tests/cuda (one process: one GPU)
#   gpu-check-bench.log   minigrad bench --device cuda, which writes bench.md, bench.csv,
#                         bench-models.csv, bench-samples.csv and the graphs beside it
#   gpu-check-train.log   minigrad train --model lenet5 --dataset fashion-mnist
#                         --device cuda --epochs 1; its metrics.csv, metrics.json,
#                         curve.png and model graph go to train-lenet5-fashion-mnist/
#                         (the checkpoint to a temporary folder, never to docs/)
#
# Each step runs whatever happened before it, under its own time limit (GNU timeout);
# the script exits with status 1 when any step failed or ran out of time.
#
#   bash scripts/gpu_check.sh                 # from any directory
#
# Knobs (environment):
#   GPU_CHECK_OUT=DIR       output folder (default: docs/benchmarks/cuda in the repository;
#                           a relative DIR is taken from the directory the script was run in)
#   GPU_CHECK_TINY=1        tiny sizes, a smoke test of this script: tests/cuda -k 'device
#                           or optim', `bench --tiny` (plus --no-models under the simulator),
#                           one epoch on the first 64 Fashion-MNIST images (2 under the
#                           simulator, where one LeNet-5 step takes minutes). E.g.
#     NUMBA_ENABLE_CUDASIM=1 GPU_CHECK_TINY=1 GPU_CHECK_OUT=/tmp/gpucheck bash scripts/gpu_check.sh
#   GPU_CHECK_BUDGET=S      seconds for all the steps together (default 460; 1800 with
#                           TINY); a step never gets more than what is left of it
#   GPU_CHECK_TESTS_TIMEOUT, GPU_CHECK_BENCH_TIMEOUT, GPU_CHECK_TRAIN_TIMEOUT=S
#                           each step's limit (defaults 150, 200, 90; 600 each with TINY)
#   GPU_CHECK_BENCH_ARGS    extra options for minigrad bench (e.g. --quick, --no-torch)
#   GPU_CHECK_DATA_ROOT=DIR the folder of the Fashion-MNIST IDX files (default: minigrad's,
#                           /usr/share/datasets/fashion-mnist)
set -uo pipefail  # no -e: every step runs, whatever the one before it did

caller_pwd=$PWD
cd "$(dirname "$0")/.."
root=$PWD

if [ ! -x .venv/bin/python ]; then
  echo "gpu_check: .venv/bin/python not found: running scripts/setup.sh" >&2
  bash scripts/setup.sh || echo "gpu_check: scripts/setup.sh failed (status $?)" >&2
fi
PY=$root/.venv/bin/python
MINIGRAD=("$root/.venv/bin/minigrad")
# A venv carried to another path keeps its scripts' #! lines: run the module instead.
shebang=$(head -n 1 "$root/.venv/bin/minigrad" 2>/dev/null | sed 's/^#! *//; s/ .*//')
[ -n "$shebang" ] && [ -x "$shebang" ] || MINIGRAD=("$PY" -m minigrad)

tiny=0
[ "${GPU_CHECK_TINY:-0}" = 1 ] && tiny=1
simulator=0
[ "${NUMBA_ENABLE_CUDASIM:-0}" = 1 ] && simulator=1

if [ -n "${GPU_CHECK_OUT:-}" ]; then
  out=$GPU_CHECK_OUT
  case $out in /*) ;; *) out=$caller_pwd/$out ;; esac
else
  out=$root/docs/benchmarks/cuda
fi
mkdir -p "$out" || { echo "gpu_check: cannot create $out" >&2; exit 2; }
out=$(cd "$out" && pwd)
# What an earlier run wrote here, so that nothing stale (bench-models.csv after a run
# with --no-models, say) passes for this run's.
rm -f "$out"/gpu-check.md "$out"/gpu-check-*.log "$out"/bench.md "$out"/bench*.csv \
  "$out"/speedup-*.png "$out"/models.png
rm -rf "$out"/train-lenet5-fashion-mnist

if [ $tiny = 1 ]; then
  tests_limit=${GPU_CHECK_TESTS_TIMEOUT:-600}
  bench_limit=${GPU_CHECK_BENCH_TIMEOUT:-600}
  train_limit=${GPU_CHECK_TRAIN_TIMEOUT:-600}
  budget=${GPU_CHECK_BUDGET:-1800}
else
  # 8 minutes in all: about 10 s for the header, the rest for the three steps.
  tests_limit=${GPU_CHECK_TESTS_TIMEOUT:-150}
  bench_limit=${GPU_CHECK_BENCH_TIMEOUT:-200}
  train_limit=${GPU_CHECK_TRAIN_TIMEOUT:-90}
  budget=${GPU_CHECK_BUDGET:-460}
fi
deadline=$((SECONDS + budget))

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gpu_check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

have_timeout=0
if command -v timeout >/dev/null 2>&1; then
  have_timeout=1
else
  echo "gpu_check: GNU timeout not found: the steps run without time limits" >&2
fi
# limited SECONDS COMMAND...: COMMAND under a time limit, where timeout exists
limited() {
  local s=$1
  shift
  if [ $have_timeout = 1 ]; then timeout -k 10 "$s" "$@"; else "$@"; fi
}

summary=$out/gpu-check.md
header=$tmp/header.md
names=() statuses=() times=() logs=() notes=()
failed=0

fence() { echo '```'; cat; echo '```'; }

# The GPU's name: nvidia-smi's, else Numba's, else what there is instead.
gpu_name=""
if command -v nvidia-smi >/dev/null 2>&1; then
  gpu_name=$(limited 30 nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -n 1)
fi
if [ -z "$gpu_name" ]; then
  gpu_name=$(limited 60 "$PY" - 2>/dev/null <<'EOF'
import minigrad
if minigrad.cuda.is_simulator():
    print("Numba CUDA simulator (no GPU)")
elif minigrad.cuda.is_available():
    print(minigrad.cuda.get_device_name())
EOF
)
fi
[ -n "$gpu_name" ] || gpu_name="no GPU found"

{
  echo "# GPU check: $gpu_name"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "- machine: $(hostname 2>/dev/null || echo unknown), $(nproc 2>/dev/null || echo '?') cores"
  commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
  modified=$(git status --porcelain --untracked-files=no 2>/dev/null | wc -l)
  echo "- commit: $commit$([ "$modified" -gt 0 ] && echo " with $modified modified files")"
  mode=full
  [ $tiny = 1 ] && mode="GPU_CHECK_TINY=1 (tiny sizes: a smoke test of the script, not a measurement)"
  [ $simulator = 1 ] && mode="$mode, NUMBA_ENABLE_CUDASIM=1 (Numba's CUDA simulator, no GPU)"
  echo "- mode: $mode"
  echo "- script: scripts/gpu_check.sh (time limits: tests $tests_limit s, bench $bench_limit s, train $train_limit s, all steps $budget s)"
  echo
  echo "## nvidia-smi"
  echo
  if command -v nvidia-smi >/dev/null 2>&1; then
    limited 30 nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap \
      --format=csv 2>&1 | fence
    echo
    limited 30 nvidia-smi 2>&1 | fence
  else
    echo "nvidia-smi not found."
  fi
  echo
  echo "## Versions"
  echo
  limited 120 "$PY" - 2>&1 <<'EOF' | fence
import sys
from importlib import metadata

print("python", sys.version.split()[0], sys.executable)
for dist in ("numpy", "numba", "numba-cuda", "cuda-bindings", "torch"):
    try:
        print(dist, metadata.version(dist))
    except metadata.PackageNotFoundError:
        print(dist, "not installed")
try:
    from numba import config, cuda
    print("numba.cuda.is_available():", cuda.is_available(),
          "(the simulator)" if config.ENABLE_CUDASIM else "")
    if cuda.is_available() and not config.ENABLE_CUDASIM:
        dev = cuda.get_current_device()
        name = dev.name.decode() if isinstance(dev.name, bytes) else dev.name
        print("numba device:", name, "compute capability", dev.compute_capability)
        print("CUDA runtime", cuda.runtime.get_version(),
              "driver", cuda.driver.driver.get_version())
except Exception as e:  # a broken CUDA install: say so; the steps show the rest
    print("numba cuda:", type(e).__name__, e)
EOF
  echo
} > "$header"

write_summary() {
  {
    cat "$header"
    echo "## Steps"
    echo
    echo "| step | status | seconds | log | notes |"
    echo "|---|---|---:|---|---|"
    local i
    for i in "${!names[@]}"; do
      echo "| ${names[$i]} | ${statuses[$i]} | ${times[$i]} | ${logs[$i]} | ${notes[$i]} |"
    done
    echo
  } > "$summary"
}

# record NAME RC SECONDS LOG NOTE: one row of the steps table, the summary rewritten
record() {
  local status
  case $2 in
    0) status=ok ;;
    notrun) status="not run"; failed=1 ;;
    124|137) status="timed out ($2)"; failed=1 ;;
    *) status="failed ($2)"; failed=1 ;;
  esac
  names+=("$1") statuses+=("$status") times+=("$3") logs+=("${4#"$out"/}") notes+=("${5//|/\\|}")
  write_summary
  echo "gpu_check: $1: $status after $3 s" >&2
}

# add_note TEXT: appended to $note, "; " between
add_note() { note="${note:+$note; }$1"; }

# run_step LIMIT LOG COMMAND...: COMMAND, stdout and stderr tee'd to LOG, under LIMIT
# seconds or what is left of the budget, whichever is less. Sets step_rc, step_seconds
# and adds to $note why it did not run or that it ran out of time.
run_step() {
  local limit=$1 log=$2
  shift 2
  local left=$((deadline - SECONDS))
  [ "$limit" -gt "$left" ] && limit=$left
  step_seconds=0
  if [ "$limit" -lt 5 ]; then
    step_rc=notrun
    add_note "nothing left of the $budget s budget"
    echo "not run: nothing left of the $budget s budget (GPU_CHECK_BUDGET)" > "$log"
    return
  fi
  local start=$SECONDS
  {
    echo "# $(date -u '+%Y-%m-%d %H:%M:%S UTC'), time limit $limit s, in $PWD"
    printf '$'; printf ' %q' "$@"; echo
  } > "$log"
  limited "$limit" "$@" 2>&1 | tee -a "$log"
  step_rc=${PIPESTATUS[0]}
  step_seconds=$((SECONDS - start))
  case $step_rc in 124|137) add_note "stopped at its time limit ($limit s)" ;; esac
  [ -n "$(tail -c 1 "$log")" ] && echo >> "$log"  # output cut off mid-line
  echo "# exit status $step_rc after $step_seconds s" >> "$log"
}

# 1. minigrad info, into the header
note=""
run_step 60 "$tmp/info.log" "${MINIGRAD[@]}" info
{ echo "## minigrad info"; echo; sed '1,2d;$d' "$tmp/info.log" | fence; echo; } >> "$header"
record "minigrad info" "$step_rc" "$step_seconds" "" "$note"

# 2. the CUDA tests, for real (under the simulator where NUMBA_ENABLE_CUDASIM=1)
note=""
tests=(tests/cuda -q -p no:cacheprovider -rfEs)
if [ $tiny = 1 ]; then
  tests+=(-k "device or optim")
  add_note "GPU_CHECK_TINY: -k 'device or optim' only"
fi
log=$out/gpu-check-tests.log
run_step "$tests_limit" "$log" env MINIGRAD_TEST_CUDA=1 "$PY" -m pytest "${tests[@]}"
rc=$step_rc
last=$(grep -E "[0-9]+ (passed|failed|error|errors|skipped|deselected)|no tests ran" "$log" | tail -n 1)
[ -n "$last" ] && add_note "$last"
if [ "$rc" = 0 ] && ! grep -qE "[0-9]+ passed" <<<"$last"; then
  rc=1  # every test skipped: conftest skips them all where numba finds no CUDA device
  add_note "no test ran: no CUDA device?"
fi
record "tests/cuda" "$rc" "$step_seconds" "$log" "$note"

# 3. the GPU bench: every CUDA version against its first, numba CPU and PyTorch CUDA
note=""
bench=(bench --device cuda --out "$out")
if [ $tiny = 1 ]; then
  bench+=(--tiny)
  add_note "GPU_CHECK_TINY: --tiny"
  if [ $simulator = 1 ]; then
    bench+=(--no-models)
    add_note "--no-models (the simulator)"
  fi
fi
if [ -n "${GPU_CHECK_BENCH_ARGS:-}" ]; then
  read -r -a extra <<<"$GPU_CHECK_BENCH_ARGS"
  bench+=("${extra[@]}")
  add_note "GPU_CHECK_BENCH_ARGS: $GPU_CHECK_BENCH_ARGS"
fi
log=$out/gpu-check-bench.log
run_step "$bench_limit" "$log" "${MINIGRAD[@]}" "${bench[@]}"
[ "$step_rc" = 0 ] && add_note "results: bench.md, bench*.csv, the graphs"
record "minigrad bench --device cuda" "$step_rc" "$step_seconds" "$log" "$note"

# 4. one epoch of LeNet-5 on Fashion-MNIST on the GPU
train_dir=$out/train-lenet5-fashion-mnist
note=""
mkdir -p "$train_dir" "$tmp/checkpoint"
rm -f "$train_dir"/*.npz
train=(train --model lenet5 --dataset fashion-mnist --device cuda --epochs 1
       --out "$train_dir" --checkpoint "$tmp/checkpoint/checkpoint.npz" --no-progress)
data_root=${GPU_CHECK_DATA_ROOT:-}
if [ $tiny = 1 ]; then
  # minigrad train has no option to limit the images: it trains on a copy of the first
  # N training and test images instead (raw IDX files, read as the full set's are).
  if [ $simulator = 1 ]; then n=2; else n=64; fi
  subset=$tmp/fashion-mnist-$n
  mkdir -p "$subset"
  if limited 120 "$PY" - "$subset" "$n" "$data_root" <<'EOF'
import os
import sys

import numpy as np

from minigrad.data import FashionMNIST

dst, n, src = sys.argv[1], int(sys.argv[2]), sys.argv[3] or None
names = {True: ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
         False: ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}
for train in (True, False):
    ds = FashionMNIST(root=src, train=train)
    for name, a in zip(names[train], (ds.data[:n], ds.targets[:n].astype(np.uint8))):
        with open(os.path.join(dst, name), "wb") as f:  # IDX: 0 0 type ndim, dims, bytes
            f.write(bytes([0, 0, 0x08, a.ndim]) + np.asarray(a.shape, ">u4").tobytes())
            f.write(np.ascontiguousarray(a, np.uint8).tobytes())
EOF
  then
    data_root=$subset
    train+=(--batch-size "$((n < 32 ? n : 32))" --eval-batch-size "$n")
    add_note "GPU_CHECK_TINY: the first $n training and $n test images"
  else
    add_note "GPU_CHECK_TINY: could not copy a subset of Fashion-MNIST: the full set"
  fi
fi
[ -n "$data_root" ] && train+=(--data-root "$data_root")
log=$out/gpu-check-train.log
run_step "$train_limit" "$log" "${MINIGRAD[@]}" "${train[@]}"
rm -f "$train_dir"/*.npz
[ "$step_rc" = 0 ] && add_note "results: ${train_dir#"$out"/}/ (the checkpoint is not kept)"
record "minigrad train (lenet5, fashion-mnist, 1 epoch)" "$step_rc" "$step_seconds" "$log" "$note"

echo >&2
sed -n '/^## Steps/,$p' "$summary" >&2
echo "gpu_check: wrote $summary$([ $failed = 1 ] && echo ': some steps FAILED')" >&2
exit $failed
