"""Tiny seeded HF-layout checkpoints and jobs for the tests."""
import json
import os

import torch

from oel_trainer import safetensors_io as st
from oel_trainer.checkpoint import load_base
from oel_trainer.tiny import hf_config, random_state

ARCHS = ("llama", "llama3", "qwen2", "qwen3", "mistral")


def write_model(folder, arch="llama", vocab=64, hidden=32, layers=2, heads=4, kv_heads=2, seed=0, shards=1, scale=1.0):
    """Writes config.json + safetensors (one file or `shards` files with an index). `scale` multiplies random weights
    (larger values make the random model's distributions less flat). Returns the config dict."""
    os.makedirs(folder, exist_ok=True)
    cfg = hf_config(arch, vocab, hidden, layers, heads, kv_heads)
    state = random_state(cfg, seed)
    g = torch.Generator().manual_seed(seed + 1)
    for k, v in state.items():
        if k.endswith("bias") or (k.endswith("norm.weight") and arch in ("qwen3",)):
            state[k] = v + 0.1 * torch.randn(v.shape, generator=g)  # exercise biases and q/k norms
        elif not k.endswith("norm.weight"):
            state[k] = v * scale
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(cfg, f)
    if shards == 1:
        st.save_file(state, os.path.join(folder, "model.safetensors"))
    else:
        names = sorted(state)
        weight_map = {}
        for i in range(shards):
            fn = f"model-{i + 1:05d}-of-{shards:05d}.safetensors"
            part = {n: state[n] for n in names[i::shards]}
            st.save_file(part, os.path.join(folder, fn))
            weight_map.update({n: fn for n in part})
        with open(os.path.join(folder, "model.safetensors.index.json"), "w") as f:
            json.dump({"metadata": {}, "weight_map": weight_map}, f)
    return cfg


def tiny_model(tmp_path, arch="llama", **kw):
    folder = os.path.join(str(tmp_path), f"base-{arch}")
    write_model(folder, arch, **kw)
    model, cfg = load_base(folder)
    return model, cfg, folder


def job_dict(base, out, steps=4, heldout=True, ood=True, **over):
    """A small valid job over vocab 64; the teacher prompt carries a 'knowledge' prefix [40..47]."""
    know = list(range(40, 48))
    train = [{"id": f"t{i}", "student": [1 + i, 2 + i, 3], "teacher": know + [1 + i, 2 + i, 3]} for i in range(8)]
    held = [{"id": f"h{i}", "student": [20 + i, 3], "teacher": know + [20 + i, 3]} for i in range(4)]
    j = {
        "schema": "oel.trainer.job/v1", "job_id": "test", "base_model": base, "output_dir": out,
        "seed": 0, "device": "cpu", "stop_token_ids": [63],
        "optim": {"steps": steps, "batch_size": 4, "lr": 1e-2}, "sampling": {"max_new_tokens": 6},
        "prompts": {"train": train, "heldout": held if heldout else [],
                    "ood": [{"id": "o1", "student": [30, 31, 32]}, {"id": "o2", "student": [33, 3]}] if ood else []},
    }
    j.update(over)
    return j
