"""GPU check for `parallel: "fsdp"` (run by gpu-check.sh; needs CUDA and torch >= 2.1): the same job trained with
DDP in one process and with FSDP in 1 process (and in N processes when N > 1 GPUs are visible) must give the same
adapter within tolerance, and report world_size / parallel in its metrics. Prints one JSON object; exits 1 on a
mismatch or a failed run.

    python3 bench/fsdp_check.py [--tol 2e-3] [--dtype float32] [--work DIR]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TRAINER = os.path.dirname(HERE)
sys.path.insert(0, TRAINER)

import torch  # noqa: E402

from oel_trainer.checkpoint import read_adapter  # noqa: E402
from oel_trainer.tiny import init_tiny  # noqa: E402


def job(base, out, dtype, device, seed=0):
    """A small OPCD job on the byte vocabulary: the teacher prompt carries a 'knowledge' prefix."""
    know = list(range(97, 123))  # a..z
    train = [{"id": f"t{i}", "student": [40 + i, 50 + i, 10], "teacher": know + [40 + i, 50 + i, 10]} for i in range(16)]
    held = [{"id": f"h{i}", "student": [70 + i, 10], "teacher": know + [70 + i, 10]} for i in range(5)]
    return {"schema": "oel.trainer.job/v1", "job_id": os.path.basename(out), "base_model": base, "output_dir": out,
            "seed": seed, "device": device, "dtype": dtype, "stop_token_ids": [258],
            "lora": {"rank": 8, "alpha": 16, "targets": ["q_proj", "k_proj", "v_proj", "o_proj", "down_proj"]},
            "optim": {"steps": 6, "batch_size": 8, "lr": 1e-3}, "sampling": {"max_new_tokens": 16},
            "prompts": {"train": train, "heldout": held, "ood": [{"id": "o1", "student": [33, 34, 35]}]}}


def train(work, name, base, dtype, device, nproc, parallel):
    out = os.path.join(work, name)
    path = os.path.join(work, f"{name}.json")
    with open(path, "w") as f:
        json.dump(job(base, out, dtype, device), f)
    env = {**os.environ, "PYTHONPATH": TRAINER, "PYTHONUNBUFFERED": "1"}
    runner = [sys.executable, "-m", "oel_trainer"]
    if nproc > 0:  # under torchrun, as the server launches it
        runner = [sys.executable, "-m", "torch.distributed.run", "--nnodes=1", f"--nproc_per_node={nproc}",
                  "--rdzv_backend=c10d", "--rdzv_endpoint=127.0.0.1:0", "--redirects=2", "--tee=2", "-m", "oel_trainer"]
    r = subprocess.run([*runner, "run", path, "--parallel", parallel], capture_output=True, text=True, env=env,
                       timeout=900)
    if r.returncode != 0:
        lines = [ln for ln in (r.stderr or r.stdout).splitlines() if "oel_trainer: error" in ln]
        return {"name": name, "error": (lines[-1] if lines else (r.stderr or r.stdout)[-2000:])}
    _, pairs = read_adapter(out)
    with open(os.path.join(out, "metrics.json")) as f:
        metrics = json.load(f)
    return {"name": name, "pairs": pairs, "metrics": metrics}


def max_diff(a, b):
    if set(a) != set(b):
        return float("inf")
    return max(float((x - y).abs().max()) for k in a for x, y in zip(a[k], b[k]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tol", type=float, default=2e-3)
    ap.add_argument("--dtype", default="float32", choices=["float32", "bfloat16"])
    ap.add_argument("--work", default=None)
    ap.add_argument("--device", default="cuda", help="cpu only shows the refusal (a dry run of this script)")
    a = ap.parse_args()
    work = a.work or tempfile.mkdtemp(prefix="fsdp-check-")
    base = os.path.join(work, "base")
    if not os.path.isdir(base):
        init_tiny(base, "qwen2", vocab=512, hidden=256, layers=4, heads=4, kv_heads=2, seed=0)
    gpus = torch.cuda.device_count()
    ref = train(work, "ddp1", base, a.dtype, a.device, 0, "ddp")
    runs = [train(work, "fsdp1", base, a.dtype, a.device, 1, "fsdp")]
    if gpus > 1:
        runs.append(train(work, f"fsdp{gpus}", base, a.dtype, a.device, gpus, "fsdp"))
    report = {"gpus": gpus, "torch": torch.__version__, "dtype": a.dtype, "tol": a.tol, "runs": []}
    ok = "error" not in ref
    if not ok:
        report["ddp1_error"] = ref["error"]
    adapter_scale = max(float(t.abs().max()) for p in ref.get("pairs", {}).values() for t in p) if ok else None
    report["adapter_max_abs"] = adapter_scale
    for r in runs:
        if "error" in r or not ok:
            report["runs"].append({"name": r["name"], "error": r.get("error", "no DDP reference")})
            ok = False
            continue
        d = max_diff(ref["pairs"], r["pairs"])
        m = r["metrics"]
        good = d <= a.tol and m.get("parallel") == "fsdp"
        ok = ok and good
        report["runs"].append({"name": r["name"], "max_abs_diff_vs_ddp": d, "world_size": m.get("world_size"),
                               "parallel": m.get("parallel"), "heldout_after": (m.get("heldout") or {}).get("after"),
                               "ok": good})
    report["ok"] = ok
    print(json.dumps(report, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
