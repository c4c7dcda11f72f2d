#!/usr/bin/env bash
# The trainer's GPU checks (issue 12, section 4), as one short script for a machine with an NVIDIA GPU:
#   1. transformers / PEFT parity (tests/test_parity.py; skipped, with the reason, where those packages are missing);
#   2. one OPCD round's steps on a Qwen2-0.5B-sized random config in bf16: sampling and training tokens/s, MFU against
#      the GPU's dense bf16 peak, the share of step time spent sampling, peak memory (bench/throughput.py --cuda);
#   3. the trainer's unit tests with CUDA visible (they run on CPU by design; this checks nothing breaks with a GPU);
#   3b. FSDP: the same job trained with DDP (1 process) and FSDP (1 process, and N on N > 1 GPUs) gives the same adapter
#       within tolerance (bench/fsdp_check.py; float32, then bfloat16 with a looser tolerance);
#   4. if GPU_CHECK_MICROREPRO=1: the micro-reproduction on the GPU with a bigger base (hidden 256, 4 layers).
# Every result is also written under $OUT (default /tmp/gpu-check) for docs/benchmarks.md.
#
#   bash trainer/bench/gpu-check.sh            # from the repository root; PEAK_TFLOPS overrides the peak table
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${OEL_PYTHON:-python3}
OUT=${OUT:-/tmp/gpu-check}
mkdir -p "$OUT"
step() { echo; echo "=== $* ==="; }

step "machine"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$OUT/gpu.csv"
"$PY" -c 'import torch, sys; print("python", sys.version.split()[0], "torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available())' | tee "$OUT/torch.txt"
"$PY" -c 'import torch; assert torch.cuda.is_available()' || { echo "gpu-check: torch cannot see a GPU"; exit 1; }
GPU=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1)
if [ -z "${PEAK_TFLOPS:-}" ]; then  # dense bf16 peaks (no sparsity)
  case "$GPU" in
    *H200*|*H100*SXM*|*"H100 80GB HBM3"*) PEAK_TFLOPS=989 ;;
    *H100*) PEAK_TFLOPS=756 ;;   # PCIe
    *A100*) PEAK_TFLOPS=312 ;;
    *L40S*) PEAK_TFLOPS=362 ;;
    *) PEAK_TFLOPS=0; echo "gpu-check: unknown GPU '$GPU': set PEAK_TFLOPS for MFU" ;;
  esac
fi
echo "peak dense bf16: $PEAK_TFLOPS TFLOP/s" | tee "$OUT/peak.txt"

step "1. transformers / PEFT parity"
"$PY" -c 'import transformers, peft; print("transformers", transformers.__version__, "peft", peft.__version__)' 2>&1 | tee "$OUT/parity-versions.txt"
timeout 600 "$PY" -m pytest -q -p no:cacheprovider -rs tests/test_parity.py 2>&1 | tee "$OUT/parity.txt"

step "2. OPCD steps, Qwen2-0.5B-sized random config, bf16"
for b in 8 32; do
  timeout 600 "$PY" bench/throughput.py --cuda --peak-tflops "${PEAK_TFLOPS:-989}" --steps 5 --batch "$b" --prompt 256 --new 256 \
    2>&1 | tee "$OUT/throughput-b$b.json"
done

step "3. unit tests with a GPU present"
timeout 900 "$PY" -m pytest -q -p no:cacheprovider -x tests 2>&1 | tail -5 | tee "$OUT/unit.txt"

step "3b. FSDP gives the DDP adapter (1 process, and every visible GPU when more than one)"
timeout 900 "$PY" bench/fsdp_check.py --dtype float32 --tol 2e-3 2>&1 | tee "$OUT/fsdp-float32.json"
timeout 900 "$PY" bench/fsdp_check.py --dtype bfloat16 --tol 3e-2 2>&1 | tee "$OUT/fsdp-bfloat16.json"

if [ "${GPU_CHECK_MICROREPRO:-0}" = 1 ]; then
  step "4. micro-reproduction on the GPU, bigger base"
  timeout 1200 "$PY" bench/microrepro.py --device cuda --hidden 256 --layers 4 --seeds 3 --json "$OUT/microrepro.json" \
    --plots "$OUT" 2>&1 | tee "$OUT/microrepro.txt"
fi
echo; echo "gpu-check: results in $OUT"
