"""Sampling and training-step throughput of the trainer (not a test).

CPU (default): a small random Llama-layout model in float32.
CUDA (--cuda): a Qwen2-0.5B-sized random config in bfloat16, with model FLOPs utilisation against --peak-tflops.
Both measure the real code path: Round.step() (student sampling with the KV cache, teacher scoring, student
forward/backward, AdamW step), timed the way the trainer reports it in metrics.json.

  /usr/bin/python3 bench/throughput.py [--steps 5] [--batch 8] [--prompt 64] [--new 64]
  python3 bench/throughput.py --cuda --peak-tflops 989     # H100 SXM dense bf16
"""
import argparse
import json
import os
import shutil
import sys
import tempfile
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from oel_trainer import safetensors_io as st  # noqa: E402
from oel_trainer.spec import parse_job  # noqa: E402
from oel_trainer.tiny import hf_config, random_state  # noqa: E402
from oel_trainer.train import Round  # noqa: E402


def write_base(folder, cuda):
    if cuda:  # Qwen2-0.5B shape
        cfg = hf_config("qwen2", vocab=151936, hidden=896, layers=24, heads=14, kv_heads=2, intermediate=4864)
    else:
        cfg = hf_config("llama", vocab=4096, hidden=256, layers=4, heads=8, kv_heads=4, intermediate=688)
    state = random_state(cfg, 0)
    os.makedirs(folder)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(cfg, f)
    st.save_file({k: v.to(torch.bfloat16) if cuda else v for k, v in state.items()},
                 os.path.join(folder, "model.safetensors"))
    return cfg


def n_params(cfg):
    h, i, L, V = cfg["hidden_size"], cfg["intermediate_size"], cfg["num_hidden_layers"], cfg["vocab_size"]
    hd = h // cfg["num_attention_heads"]
    attn = h * h * 2 + 2 * h * cfg["num_key_value_heads"] * hd
    return L * (attn + 3 * h * i) + V * h  # matmul weights incl. lm_head (embedding lookup is free)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cuda", action="store_true")
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--prompt", type=int, default=64)
    ap.add_argument("--new", type=int, default=64)
    ap.add_argument("--peak-tflops", type=float, default=989.0, help="accelerator peak dense bf16 TFLOP/s for MFU")
    args = ap.parse_args()
    if args.cuda and not torch.cuda.is_available():
        sys.exit("throughput: --cuda given but torch.cuda.is_available() is false")
    tmp = tempfile.mkdtemp(prefix="oel-throughput-")
    cfg = write_base(os.path.join(tmp, "base"), args.cuda)
    V = cfg["vocab_size"]
    g = torch.Generator().manual_seed(0)
    prompts = []
    for i in range(args.batch * 2):
        ids = torch.randint(0, V - 1, (args.prompt,), generator=g).tolist()
        prompts.append({"id": str(i), "student": ids, "teacher": ids[:16] + ids})
    job = parse_job({
        "schema": "oel.trainer.job/v1", "job_id": "bench", "base_model": os.path.join(tmp, "base"),
        "output_dir": os.path.join(tmp, "out"), "device": "cuda" if args.cuda else "cpu",
        "dtype": "bfloat16" if args.cuda else "float32", "stop_token_ids": [V - 1],  # never sampled in practice
        "optim": {"steps": args.steps, "batch_size": args.batch}, "sampling": {"max_new_tokens": args.new},
        "prompts": {"train": prompts},
    })
    r = Round(job)
    shutil.rmtree(tmp, ignore_errors=True)  # weights are loaded; nothing is written
    r.step()  # warm-up (allocator, kernels)
    r.sample_tokens = r.sample_s = r.train_tokens = r.train_s = 0.0
    t0 = time.perf_counter()
    for _ in range(args.steps):
        r.step()
    wall = time.perf_counter() - t0
    s_tps, t_tps = r.sample_tokens / r.sample_s, r.train_tokens / r.train_s
    N = n_params(cfg)
    out = {
        "device": torch.cuda.get_device_name() if args.cuda else f"cpu ({torch.get_num_threads()} threads)",
        "torch": torch.__version__, "dtype": job.dtype, "params_matmul": N, "batch": args.batch,
        "prompt_len": args.prompt, "new_tokens": args.new, "steps": args.steps, "wall_s": round(wall, 2),
        "sampling_tokens_per_s": round(s_tps, 1), "training_tokens_per_s": round(t_tps, 1),
        # what dominates a step: sampling (token-by-token decoding) vs scoring + backward + optimiser step
        "step_time_share": {"sampling": round(r.sample_s / (r.sample_s + r.train_s), 3),
                            "training": round(r.train_s / (r.sample_s + r.train_s), 3)},
    }
    if args.cuda:
        out["max_memory_allocated_gib"] = round(torch.cuda.max_memory_allocated() / 2 ** 30, 2)
    if args.cuda:
        # sampling: 2N FLOPs per generated token; training step: teacher fwd 2N + student fwd 2N + backward to
        # activations 2N per token (base frozen, LoRA weight grads negligible); attention FLOPs ignored.
        out["sampling_mfu"] = round(2 * N * s_tps / (args.peak_tflops * 1e12), 4)
        out["training_mfu"] = round(6 * N * t_tps / (args.peak_tflops * 1e12), 4)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
