"""Time of `export-gguf` on a ~500 MB model (random weights, real code path; not a test).

Writes a Llama-layout HF folder with synthetic F32 weights (hidden 1024, 6 layers, vocab 32000, untied lm_head:
~133 M parameters, ~530 MB) plus init-tiny's tokenizer files, then times `export_model` (read safetensors,
permute Q/K, write GGUF) and, as a check, reads the result back. Prints one JSON line.

  /usr/bin/python3 bench/export_gguf.py [--layers 6] [--keep DIR]
"""
import argparse
import json
import resource
import os
import shutil
import sys
import tempfile
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from oel_trainer import gguf  # noqa: E402
from oel_trainer import safetensors_io as st  # noqa: E402
from oel_trainer.gguf_export import export_model  # noqa: E402
from oel_trainer.tiny import hf_config, tokenizer_config, tokenizer_json, write_json  # noqa: E402


def write_synthetic(folder, layers):
    cfg = hf_config("llama", vocab=32000, hidden=1024, layers=layers, heads=16, kv_heads=4, intermediate=2816)
    h, i, kv = cfg["hidden_size"], cfg["intermediate_size"], cfg["num_key_value_heads"] * cfg["head_dim"]
    g = torch.Generator().manual_seed(0)
    state = {"model.embed_tokens.weight": (32000, h), "lm_head.weight": (32000, h), "model.norm.weight": (h,)}
    for n in range(layers):
        p = f"model.layers.{n}."
        state.update({p + "input_layernorm.weight": (h,), p + "post_attention_layernorm.weight": (h,),
                      p + "self_attn.q_proj.weight": (h, h), p + "self_attn.k_proj.weight": (kv, h),
                      p + "self_attn.v_proj.weight": (kv, h), p + "self_attn.o_proj.weight": (h, h),
                      p + "mlp.gate_proj.weight": (i, h), p + "mlp.up_proj.weight": (i, h),
                      p + "mlp.down_proj.weight": (h, i)})
    tensors = {k: torch.randn(s, generator=g) * 0.02 for k, s in state.items()}
    os.makedirs(folder)
    write_json(os.path.join(folder, "config.json"), cfg)
    st.save_file(tensors, os.path.join(folder, "model.safetensors"), {"format": "pt"})
    write_json(os.path.join(folder, "tokenizer.json"), tokenizer_json())
    write_json(os.path.join(folder, "tokenizer_config.json"), tokenizer_config())
    return sum(t.numel() for t in tensors.values())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--layers", type=int, default=6)
    ap.add_argument("--keep", help="work in this folder and keep it")
    a = ap.parse_args()
    work = a.keep or tempfile.mkdtemp(prefix="oel-gguf-bench-")
    try:
        folder = os.path.join(work, "model")
        params = write_synthetic(folder, a.layers)
        out = os.path.join(work, "model.gguf")
        t0 = time.perf_counter()
        export_model(folder, out)
        export_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        meta, _ = gguf.read_gguf(out, load_tensors=False)
        assert meta["general.architecture"] == "llama"
        print(json.dumps({"params": params, "safetensors_mb": round(os.path.getsize(os.path.join(folder, "model.safetensors")) / 1e6, 1),
                          "gguf_mb": round(os.path.getsize(out) / 1e6, 1), "export_s": round(export_s, 2),
                          "read_header_s": round(time.perf_counter() - t0, 3), "torch_threads": torch.get_num_threads(),
                          "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3)}))
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
