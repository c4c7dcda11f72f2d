"""Smoke runs of the benchmark scripts with tiny settings, so they keep working (figures are not checked)."""
import json
import os
import subprocess
import sys

BENCH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bench")


def test_throughput_smoke():
    r = subprocess.run([sys.executable, os.path.join(BENCH, "throughput.py"), "--steps", "1", "--batch", "2",
                        "--prompt", "8", "--new", "4"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["sampling_tokens_per_s"] > 0 and out["training_tokens_per_s"] > 0
