"""export-gguf (base model): llama.cpp's names and metadata, values carried exactly, Q/K rows permuted for llama's
rope, the byte-level tokenizer, and clear refusals. node-llama-cpp loading the result is test/unit/runtime."""
import json
import os
import subprocess
import sys

import pytest
import torch

from oel_trainer import gguf as g
from oel_trainer import safetensors_io as st
from oel_trainer.errors import TrainerError
from oel_trainer.gguf_export import export_model, gguf_tensor_name, permute_rows
from oel_trainer.tiny import init_tiny

TRAINER = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def cli(*args):
    env = dict(os.environ, PYTHONPATH=TRAINER)
    return subprocess.run([sys.executable, "-m", "oel_trainer", *args], capture_output=True, text=True, env=env,
                          timeout=120)


def tiny(tmp_path, arch, **kw):
    folder = str(tmp_path / arch)
    init_tiny(folder, arch, **kw)
    return folder


def test_qwen2_export_names_metadata_and_values(tmp_path):
    folder = tiny(tmp_path, "qwen2", vocab=300, hidden=32, layers=2, heads=4, kv_heads=2)
    out = str(tmp_path / "q.gguf")
    assert export_model(folder, out)["architecture"] == "qwen2"
    meta, tensors = g.read_gguf(out)
    assert meta["general.architecture"] == "qwen2" and meta["general.type"] == "model"
    assert meta["general.file_type"] == 0
    for key, want in (("block_count", 2), ("embedding_length", 32), ("attention.head_count", 4),
                      ("attention.head_count_kv", 2), ("vocab_size", 300), ("context_length", 4096)):
        assert meta[f"qwen2.{key}"] == want, key
    assert meta["qwen2.rope.freq_base"] == 1e6
    assert abs(meta["qwen2.attention.layer_norm_rms_epsilon"] - 1e-6) < 1e-12
    hf = st.load_file(os.path.join(folder, "model.safetensors"))
    assert "output.weight" not in tensors, "tied embeddings: llama.cpp reuses token_embd"
    assert len(tensors) == len(hf)
    for name, t in hf.items():
        assert torch.equal(tensors[gguf_tensor_name(name)], t), name  # qwen2: NEOX rope, nothing permuted
    assert "blk.1.attn_q.bias" in tensors and "blk.0.ffn_down.weight" in tensors
    # tokenizer: bytes, then the three ChatML specials as control tokens, then padding ids
    tokens, types = meta["tokenizer.ggml.tokens"], meta["tokenizer.ggml.token_type"]
    assert meta["tokenizer.ggml.model"] == "gpt2" and meta["tokenizer.ggml.pre"] == "gpt-2"
    assert len(tokens) == len(types) == 300
    assert tokens[ord("a")] == "a" and tokens[32] == "Ġ" and types[ord("a")] == g.TOKEN_NORMAL
    assert tokens[256:259] == ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    assert types[256:259] == [g.TOKEN_CONTROL] * 3
    assert tokens[299] == "[PAD299]" and types[299] == g.TOKEN_UNUSED
    assert meta["tokenizer.ggml.merges"] == []
    assert meta["tokenizer.ggml.eos_token_id"] == 258 and meta["tokenizer.ggml.padding_token_id"] == 256
    assert meta["tokenizer.ggml.bos_token_id"] == 256 and meta["tokenizer.ggml.add_bos_token"] is False
    assert "<|im_start|>" in meta["tokenizer.chat_template"]


def _rope_half(x, pos, theta):
    """HF rotate_half rope over (T, d): pairs (i, i + d/2)."""
    d = x.shape[-1]
    inv = 1.0 / theta ** (torch.arange(0, d, 2).double() / d)
    ang = pos[:, None].double() * inv[None]
    cos, sin = torch.cat([ang.cos()] * 2, -1), torch.cat([ang.sin()] * 2, -1)
    x1, x2 = x[..., : d // 2], x[..., d // 2:]
    return x * cos + torch.cat((-x2, x1), -1) * sin


def _rope_interleaved(x, pos, theta):
    """llama.cpp NORM rope over (T, d): pairs (2i, 2i + 1)."""
    d = x.shape[-1]
    inv = 1.0 / theta ** (torch.arange(0, d, 2).double() / d)
    ang = pos[:, None].double() * inv[None]
    a, b = x[..., 0::2], x[..., 1::2]
    out = torch.empty_like(x)
    out[..., 0::2] = a * ang.cos() - b * ang.sin()
    out[..., 1::2] = a * ang.sin() + b * ang.cos()
    return out


def test_llama_qk_permutation_makes_norm_rope_equal_hf_rope(tmp_path):
    """The permuted rows under llama.cpp's interleaved rope give the attention scores HF's half-split rope gives on
    the original rows; unpermuted rows would not."""
    folder = tiny(tmp_path, "llama", hidden=32, heads=4, kv_heads=2)
    out = str(tmp_path / "l.gguf")
    export_model(folder, out)
    meta, tensors = g.read_gguf(out)
    assert meta["llama.rope.dimension_count"] == 8 and "output.weight" in tensors
    hf = st.load_file(os.path.join(folder, "model.safetensors"))
    x = torch.randn(5, 32, dtype=torch.float64)
    pos = torch.arange(5)

    def scores(wq, wk, rope):
        q = (x @ wq.double().T).view(5, 4, 8).transpose(0, 1)
        k = (x @ wk.double().T).view(5, 2, 8).transpose(0, 1).repeat_interleave(2, 0)
        q = torch.stack([rope(h, pos, 10000.0) for h in q])
        k = torch.stack([rope(h, pos, 10000.0) for h in k])
        return q @ k.transpose(-1, -2)

    want = scores(hf["model.layers.0.self_attn.q_proj.weight"], hf["model.layers.0.self_attn.k_proj.weight"], _rope_half)
    got = scores(tensors["blk.0.attn_q.weight"], tensors["blk.0.attn_k.weight"], _rope_interleaved)
    assert torch.allclose(got, want, atol=1e-10)
    bad = scores(hf["model.layers.0.self_attn.q_proj.weight"], hf["model.layers.0.self_attn.k_proj.weight"],
                 _rope_interleaved)
    assert not torch.allclose(bad, want, atol=1e-4)
    assert torch.equal(tensors["blk.0.attn_v.weight"], hf["model.layers.0.self_attn.v_proj.weight"])


def test_permute_rows_moves_only_output_rows():
    b = torch.arange(16 * 3).reshape(16, 3).float()
    p = permute_rows(b, 2)
    assert sorted(p[:, 0].tolist()) == sorted(b[:, 0].tolist())
    assert torch.equal(p[:, 1] - p[:, 0], torch.ones(16))  # each row kept whole
    assert p[:, 0].tolist()[:4] == [0.0, 12.0, 3.0, 15.0]  # head 0: rows 0,4,1,5 (halves interleaved)


def test_cli_exports_and_refuses_clearly(tmp_path):
    folder = tiny(tmp_path, "qwen2")
    out = tmp_path / "base.gguf"
    r = cli("export-gguf", "--model", folder, "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["out"] == str(out) and out.read_bytes()[:4] == b"GGUF"
    assert not [f for f in os.listdir(tmp_path) if ".tmp-" in f]

    cases = [
        (["--model", tiny(tmp_path, "llama3")], "rope_scaling 'llama3' is not supported"),
        (["--model", str(tmp_path / "nowhere")], "is not a folder"),
        ([], "needs --model DIR or --adapter DIR"),
        (["--model", folder, "--out", str(tmp_path / "no" / "dir" / "x.gguf")], "cannot write"),
    ]
    for args, msg in cases:
        full = ["export-gguf", *args] + ([] if "--out" in args else ["--out", str(tmp_path / "x.gguf")])
        r = cli(*full)
        lines = r.stderr.strip().splitlines()
        assert r.returncode == 1 and len(lines) == 1 and msg in lines[0], (args, r.stderr)
    assert not (tmp_path / "x.gguf").exists()


def test_unknown_pre_tokenizer_and_missing_tokenizer_are_refused(tmp_path):
    folder = tiny(tmp_path, "qwen2")
    tj = json.loads(open(os.path.join(folder, "tokenizer.json")).read())
    tj["pre_tokenizer"] = {"type": "Whitespace"}
    with open(os.path.join(folder, "tokenizer.json"), "w") as f:
        json.dump(tj, f)
    with pytest.raises(TrainerError, match="--tokenizer-pre"):
        export_model(folder, str(tmp_path / "a.gguf"))
    export_model(folder, str(tmp_path / "a.gguf"), tokenizer_pre="gpt-2")  # the override is honoured
    assert g.read_gguf(str(tmp_path / "a.gguf"), load_tensors=False)[0]["tokenizer.ggml.pre"] == "gpt-2"
    os.unlink(os.path.join(folder, "tokenizer.json"))
    with pytest.raises(TrainerError, match="tokenizer.json is missing"):
        export_model(folder, str(tmp_path / "b.gguf"))


def _adapter(tmp_path, base, name="ad", **conf_over):
    from oel_trainer.checkpoint import adapter_config, write_adapter
    from oel_trainer.checkpoint import load_base
    from oel_trainer.lora import TARGETS, apply_lora, lora_layers
    from oel_trainer.spec import LoraSpec
    model, _ = load_base(base)
    apply_lora(model, 4, 8.0, 0.0, list(TARGETS))
    gen = torch.Generator().manual_seed(3)
    with torch.no_grad():
        for m in lora_layers(model).values():
            m.lora_B.copy_(torch.randn(m.lora_B.shape, generator=gen))
    folder = tmp_path / name
    folder.mkdir()
    spec = LoraSpec(rank=4, alpha=8.0, targets=list(TARGETS))
    write_adapter(model, str(folder), spec, base)
    if conf_over:
        conf = adapter_config(spec, base)
        conf.update(conf_over)
        (folder / "adapter_config.json").write_text(json.dumps(conf))
    return str(folder)


def test_adapter_export_metadata_names_and_layout(tmp_path):
    from oel_trainer.gguf_export import export_adapter
    base = tiny(tmp_path, "llama", hidden=32, heads=4, kv_heads=2)
    ad = _adapter(tmp_path, base)
    out = str(tmp_path / "ad.gguf")
    export_adapter(ad, out)  # base found through adapter_config.json's base_model_name_or_path
    meta, tensors = g.read_gguf(out)
    assert meta["general.type"] == "adapter" and meta["adapter.type"] == "lora"
    assert meta["general.architecture"] == "llama" and meta["adapter.lora.alpha"] == 8.0
    assert not any(k.startswith("tokenizer.") for k in meta)
    assert len(tensors) == 2 * 7 * 2
    peft = st.load_file(os.path.join(ad, "adapter_model.safetensors"))
    pre = "base_model.model.model.layers.1."
    # PyTorch layout, no transpose: A (r, in), B (out, r); only q/k B permuted (llama's rope row order)
    assert torch.equal(tensors["blk.1.ffn_down.weight.lora_a"], peft[pre + "mlp.down_proj.lora_A.weight"])
    assert torch.equal(tensors["blk.1.attn_v.weight.lora_b"], peft[pre + "self_attn.v_proj.lora_B.weight"])
    assert torch.equal(tensors["blk.1.attn_q.weight.lora_a"], peft[pre + "self_attn.q_proj.lora_A.weight"])
    assert torch.equal(tensors["blk.1.attn_q.weight.lora_b"], permute_rows(peft[pre + "self_attn.q_proj.lora_B.weight"], 4))
    assert torch.equal(tensors["blk.1.attn_k.weight.lora_b"], permute_rows(peft[pre + "self_attn.k_proj.lora_B.weight"], 2))
    assert tuple(tensors["blk.0.attn_q.weight.lora_a"].shape) == (4, 32)


def test_adapter_export_refuses_what_llama_cpp_cannot_express(tmp_path):
    from oel_trainer.gguf_export import export_adapter
    base = tiny(tmp_path, "qwen2")
    out = str(tmp_path / "x.gguf")
    cases = {"modules_to_save": ({"modules_to_save": ["lm_head"]}, "modules_to_save"),
             "dora": ({"use_dora": True}, "DoRA"), "bias": ({"bias": "all"}, "bias"),
             "alpha_pattern": ({"alpha_pattern": {"q_proj": 4}}, "alpha_pattern"),
             "nobase": ({"base_model_name_or_path": "Qwen/Qwen2.5-0.5B"}, "--model")}
    for name, (over, msg) in cases.items():
        with pytest.raises(TrainerError, match=msg):
            export_adapter(_adapter(tmp_path, base, name, **over), out)
    assert not os.path.exists(out)
    # rsLoRA scales by alpha/sqrt(r): the written alpha gives llama.cpp's alpha/r the same scale
    export_adapter(_adapter(tmp_path, base, "rs", use_rslora=True), out)
    assert abs(g.read_gguf(out, load_tensors=False)[0]["adapter.lora.alpha"] - 16.0) < 1e-6
    # a LoRA on lm_head over tied embeddings (qwen2) has no output tensor to attach to
    ad = _adapter(tmp_path, base, "head")
    peft = st.load_file(os.path.join(ad, "adapter_model.safetensors"))
    peft["base_model.model.lm_head.lora_A.weight"] = torch.zeros(4, 64)
    peft["base_model.model.lm_head.lora_B.weight"] = torch.zeros(259, 4)
    st.save_file(peft, os.path.join(ad, "adapter_model.safetensors"))
    with pytest.raises(TrainerError, match="tied"):
        export_adapter(ad, out)
    # a target the base does not have, or a shape that does not fit, is named
    del peft["base_model.model.lm_head.lora_A.weight"], peft["base_model.model.lm_head.lora_B.weight"]
    peft["base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"] = torch.zeros(4, 10)
    st.save_file(peft, os.path.join(ad, "adapter_model.safetensors"))
    with pytest.raises(TrainerError, match="do not fit the base weight"):
        export_adapter(ad, out)
