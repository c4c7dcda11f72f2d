"""`export-gguf`: a Hugging Face checkpoint folder -> llama.cpp base model GGUF (F32), and a PEFT LoRA adapter ->
llama.cpp LoRA adapter GGUF, following the names and metadata of llama.cpp's convert_hf_to_gguf.py and
convert_lora_to_gguf.py.

Architectures: llama and mistral (written as llama.cpp's `llama`, Q/K rows permuted for its NORM rope), qwen2 and
qwen3 (NEOX rope, no permutation). Anything else, and rope scaling, is refused with the reason.
"""
import json
import os

import torch

from . import gguf as g
from . import safetensors_io as st
from .checkpoint import _checkpoint_files, load_tensors, read_adapter
from .config import ModelConfig
from .errors import TrainerError

# HF model_type -> llama.cpp architecture name (general.architecture)
ARCH = {"llama": "llama", "mistral": "llama", "qwen2": "qwen2", "qwen3": "qwen3"}

_LAYER = {
    "input_layernorm.weight": "attn_norm.weight",
    "self_attn.q_proj": "attn_q", "self_attn.k_proj": "attn_k", "self_attn.v_proj": "attn_v",
    "self_attn.o_proj": "attn_output",
    "self_attn.q_norm.weight": "attn_q_norm.weight", "self_attn.k_norm.weight": "attn_k_norm.weight",
    "post_attention_layernorm.weight": "ffn_norm.weight",
    "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up", "mlp.down_proj": "ffn_down",
}
_TOP = {"model.embed_tokens.weight": "token_embd.weight", "model.norm.weight": "output_norm.weight",
        "lm_head.weight": "output.weight"}

# tokenizer.json pre-tokenizer regexes llama.cpp knows, by its `tokenizer.ggml.pre` name. A bare ByteLevel with
# use_regex applies GPT-2's pattern ("gpt-2"); Qwen2 and Llama 3 put their own pattern in a Split before it.
_QWEN2_RE = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+"
             r"|\s+(?!\S)|\s+")
_LLAMA3_RE = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
              r"|\s*[\r\n]+|\s+(?!\S)|\s+")
_PRE_BY_REGEX = {_QWEN2_RE: "qwen2", _LLAMA3_RE: "llama-bpe"}


def gguf_tensor_name(hf_name):
    """GGUF name of an HF tensor (`model.layers.3.self_attn.q_proj.weight` -> `blk.3.attn_q.weight`), or None."""
    if hf_name in _TOP:
        return _TOP[hf_name]
    parts = hf_name.split(".")
    if len(parts) < 4 or parts[:2] != ["model", "layers"] or not parts[2].isdigit():
        return None
    rest = ".".join(parts[3:])
    if rest in _LAYER:
        return f"blk.{parts[2]}.{_LAYER[rest]}"
    stem, _, kind = rest.rpartition(".")
    if stem in _LAYER and kind in ("weight", "bias"):
        return f"blk.{parts[2]}.{_LAYER[stem]}.{kind}"
    return None


def permute_rows(t, n_head):
    """llama.cpp's Q/K row order for the `llama` architecture: HF stores each head's rotary pairs as two halves
    (rotate_half), llama.cpp's NORM rope wants them interleaved. Works on weights (out, in), biases (out,) and
    LoRA B (out, r): only the output rows move."""
    return t.reshape(n_head, 2, t.shape[0] // n_head // 2, *t.shape[1:]).swapaxes(1, 2).reshape(t.shape)


def _model_config(model_dir):
    cfg = ModelConfig.from_folder(model_dir)
    arch = ARCH.get(cfg.model_type)
    if arch is None:
        raise TrainerError(f"export-gguf: model_type {cfg.model_type!r} is not supported "
                           f"(supported: {', '.join(sorted(ARCH))})")
    if cfg.rope_scaling:
        kind = cfg.rope_scaling.get("rope_type", cfg.rope_scaling.get("type"))
        if kind not in (None, "default"):
            raise TrainerError(f"export-gguf: rope_scaling {kind!r} is not supported yet (llama.cpp needs rope "
                               f"factors that this exporter does not write)")
    if cfg.model_type == "llama" and cfg.raw.get("attention_bias"):
        raise TrainerError("export-gguf: llama with attention_bias is not supported")
    return cfg, arch


def _read_json(path, required=True):
    if not os.path.isfile(path):
        if required:
            raise TrainerError(f"export-gguf: {path} is missing")
        return {}
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        raise TrainerError(f"export-gguf: cannot read {path} ({e})") from None


def _token_id(value, vocab, cfg_value):
    """tokenizer_config.json writes special tokens as strings or {content: ...}; config.json as ids."""
    if isinstance(value, dict):
        value = value.get("content")
    if isinstance(value, str) and value in vocab:
        return vocab[value]
    return cfg_value if isinstance(cfg_value, int) else None


def _pre_name(pre):
    """llama.cpp's `tokenizer.ggml.pre` for a tokenizer.json pre_tokenizer, or None when it is not one we know."""
    if not isinstance(pre, dict):
        return None
    if pre.get("type") == "ByteLevel" and pre.get("use_regex", True):
        return "gpt-2"
    if pre.get("type") == "Sequence":
        steps = pre.get("pretokenizers") or []
        if len(steps) == 2 and steps[0].get("type") == "Split" and steps[1].get("type") == "ByteLevel" \
                and not steps[1].get("use_regex", True):
            return _PRE_BY_REGEX.get((steps[0].get("pattern") or {}).get("Regex"))
    return None


def tokenizer_metadata(w, model_dir, cfg, pre_override=None):
    """Adds llama.cpp's byte-level BPE tokenizer keys (`tokenizer.ggml.model = "gpt2"`) from the folder's
    tokenizer.json and tokenizer_config.json. Ids the tokenizer does not name up to vocab_size become `[PADn]`
    (UNUSED), as convert_hf_to_gguf does, so the token list matches the embedding rows."""
    tj = _read_json(os.path.join(model_dir, "tokenizer.json"))
    tc = _read_json(os.path.join(model_dir, "tokenizer_config.json"), required=False)
    model = tj.get("model") or {}
    if model.get("type") != "BPE" or not isinstance(model.get("vocab"), dict):
        raise TrainerError("export-gguf: only byte-level BPE tokenizers (tokenizer.json model.type BPE) are supported")
    pre = pre_override or _pre_name(tj.get("pre_tokenizer"))
    if pre is None:
        raise TrainerError("export-gguf: unknown pre-tokenizer in tokenizer.json; name llama.cpp's with "
                           "--tokenizer-pre (e.g. gpt-2, qwen2, llama-bpe)")
    vocab = dict(model["vocab"])
    special = set()
    for a in tj.get("added_tokens") or []:
        vocab[a["content"]] = a["id"]
        if a.get("special"):
            special.add(a["id"])
    by_id = {}
    for text, i in vocab.items():
        if not isinstance(i, int) or i < 0 or i >= cfg.vocab_size:
            raise TrainerError(f"export-gguf: token {text!r} has id {i}, outside vocab_size {cfg.vocab_size}")
        by_id[i] = text
    added = {a["id"] for a in tj.get("added_tokens") or []}
    tokens, types = [], []
    for i in range(cfg.vocab_size):
        if i not in by_id:
            tokens.append(f"[PAD{i}]")
            types.append(g.TOKEN_UNUSED)
        else:
            tokens.append(by_id[i])
            types.append(g.TOKEN_CONTROL if i in special else g.TOKEN_USER_DEFINED if i in added else g.TOKEN_NORMAL)
    merges = [m if isinstance(m, str) else " ".join(m) for m in model.get("merges") or []]
    w.add("tokenizer.ggml.model", g.STRING, "gpt2")
    w.add("tokenizer.ggml.pre", g.STRING, pre)
    w.add("tokenizer.ggml.tokens", g.ARRAY, tokens, g.STRING)
    w.add("tokenizer.ggml.token_type", g.ARRAY, types, g.I32)
    w.add("tokenizer.ggml.merges", g.ARRAY, merges, g.STRING)
    eos = _token_id(tc.get("eos_token"), vocab, cfg.raw.get("eos_token_id"))
    pad = _token_id(tc.get("pad_token"), vocab, cfg.raw.get("pad_token_id"))
    # No bos (Qwen): llama.cpp would default to id 11, a byte token, so name the pad/end-of-text token instead,
    # as Qwen's own GGUFs do, and say it is not added.
    bos = _token_id(tc.get("bos_token"), vocab, cfg.raw.get("bos_token_id"))
    for key, tid in (("bos", bos if bos is not None else pad), ("eos", eos), ("padding", pad)):
        if tid is not None:
            w.add(f"tokenizer.ggml.{key}_token_id", g.U32, tid)
    w.add("tokenizer.ggml.add_bos_token", g.BOOL, bool(tc.get("add_bos_token", False)))
    if isinstance(tc.get("chat_template"), str):
        w.add("tokenizer.chat_template", g.STRING, tc["chat_template"])


def _hparams(w, cfg, arch, name):
    w.add("general.architecture", g.STRING, arch)
    w.add("general.type", g.STRING, "model")
    w.add("general.name", g.STRING, name)
    w.add(f"{arch}.vocab_size", g.U32, cfg.vocab_size)
    w.add(f"{arch}.context_length", g.U32, cfg.max_position_embeddings)
    w.add(f"{arch}.embedding_length", g.U32, cfg.hidden_size)
    w.add(f"{arch}.feed_forward_length", g.U32, cfg.intermediate_size)
    w.add(f"{arch}.block_count", g.U32, cfg.num_hidden_layers)
    w.add(f"{arch}.attention.head_count", g.U32, cfg.num_attention_heads)
    w.add(f"{arch}.attention.head_count_kv", g.U32, cfg.num_key_value_heads)
    w.add(f"{arch}.attention.key_length", g.U32, cfg.head_dim)
    w.add(f"{arch}.attention.value_length", g.U32, cfg.head_dim)
    w.add(f"{arch}.attention.layer_norm_rms_epsilon", g.F32, cfg.rms_norm_eps)
    w.add(f"{arch}.rope.freq_base", g.F32, cfg.rope_theta)
    if arch == "llama":
        w.add(f"{arch}.rope.dimension_count", g.U32, cfg.head_dim)
    w.add("general.file_type", g.U32, 0)  # LLAMA_FTYPE_ALL_F32


def export_model(model_dir, out, tokenizer_pre=None):
    """Writes the HF checkpoint folder `model_dir` as an F32 llama.cpp GGUF at `out`. Returns a summary dict."""
    if not os.path.isdir(model_dir):
        raise TrainerError(f"export-gguf: model {model_dir} is not a folder")
    cfg, arch = _model_config(model_dir)
    w = g.GGUFWriter()
    _hparams(w, cfg, arch, os.path.basename(os.path.abspath(model_dir)))
    tokenizer_metadata(w, model_dir, cfg, tokenizer_pre)
    tensors = load_tensors(model_dir, "export-gguf")
    if cfg.tie_word_embeddings:
        tensors.pop("lm_head.weight", None)  # llama.cpp falls back to token_embd when `output` is absent
    elif "lm_head.weight" not in tensors:
        raise TrainerError("export-gguf: lm_head.weight is missing and tie_word_embeddings is false")
    for hf_name in sorted(tensors, key=_order):
        if "rotary_emb" in hf_name:
            continue
        name = gguf_tensor_name(hf_name)
        if name is None:
            raise TrainerError(f"export-gguf: tensor {hf_name} has no llama.cpp counterpart")
        t = tensors[hf_name].float()
        if arch == "llama" and ".self_attn.q_proj." in hf_name:
            t = permute_rows(t, cfg.num_attention_heads)
        elif arch == "llama" and ".self_attn.k_proj." in hf_name:
            t = permute_rows(t, cfg.num_key_value_heads)
        w.add_tensor(name, t)
    w.write(out)
    return {"out": os.path.abspath(out), "architecture": arch, "tensors": len(w.tensors)}


def _order(hf_name):
    """Embeddings first, then layers in numeric order, then the final norm and lm_head (the converter's order)."""
    parts = hf_name.split(".")
    if parts[:2] == ["model", "layers"] and len(parts) > 2 and parts[2].isdigit():
        return (1, int(parts[2]), hf_name)
    return (0 if "embed" in hf_name else 2, 0, hf_name)


def _adapter_base(adapter_dir, conf, model_dir):
    """The base model folder: --model, else adapter_config.json's base_model_name_or_path when it is a folder."""
    base = model_dir or conf.get("base_model_name_or_path")
    if not base or not os.path.isdir(base):
        raise TrainerError(f"export-gguf: adapter {adapter_dir}: its base model {base!r} is not a folder here; "
                           f"pass the base with --model DIR (its config decides names and the Q/K permutation)")
    return base


def _check_adapter_config(adapter_dir, conf):
    """Refuses what llama.cpp's LoRA format cannot express. Returns the alpha to write (rsLoRA adjusted)."""
    def refuse(why):
        raise TrainerError(f"export-gguf: adapter {adapter_dir}: {why}")
    if conf.get("modules_to_save"):
        refuse("modules_to_save (fully trained modules) cannot be expressed as a llama.cpp LoRA adapter")
    if conf.get("use_dora"):
        refuse("DoRA adapters are not supported by llama.cpp")
    if conf.get("bias", "none") != "none":
        refuse(f"bias {conf.get('bias')!r}: LoRA bias tensors are not supported by llama.cpp")
    if conf.get("fan_in_fan_out"):
        refuse("fan_in_fan_out adapters (GPT-2 Conv1D layout) are not supported")
    if conf.get("alpha_pattern"):
        refuse("alpha_pattern (per-module alpha) cannot be written: llama.cpp has one alpha per adapter")
    try:
        alpha = float(conf.get("lora_alpha", 8))
        r = int(conf["r"])
    except (KeyError, TypeError, ValueError):
        refuse("adapter_config.json needs numeric r and lora_alpha")
    if conf.get("use_rslora"):
        if conf.get("rank_pattern"):
            refuse("rsLoRA with rank_pattern cannot be written with one alpha")
        # rsLoRA scales by alpha/sqrt(r); llama.cpp by alpha/r: write the alpha that gives the same scale.
        alpha = alpha * r ** 0.5
    return alpha


def export_adapter(adapter_dir, out, model_dir=None):
    """Writes the PEFT LoRA adapter folder `adapter_dir` as a llama.cpp LoRA adapter GGUF at `out`
    (general.type = adapter, adapter.type = lora, adapter.lora.alpha; tensors `<base GGUF name>.lora_a/.lora_b` in
    PyTorch layout, A (r, in) and B (out, r); for llama, B of q/k gets the base's row permutation). Returns a summary."""
    if not os.path.isdir(adapter_dir):
        raise TrainerError(f"export-gguf: adapter {adapter_dir} is not a folder")
    conf = _read_json(os.path.join(adapter_dir, "adapter_config.json"))
    alpha = _check_adapter_config(adapter_dir, conf)
    base = _adapter_base(adapter_dir, conf, model_dir)
    cfg, arch = _model_config(base)
    _, pairs = read_adapter(adapter_dir)
    shapes = {}
    for fn, names in _checkpoint_files(base).items():
        header, _, _ = st.read_header(fn)
        shapes.update({k: tuple(v["shape"]) for k, v in header.items() if names is None or k in names})
    w = g.GGUFWriter()
    w.add("general.architecture", g.STRING, arch)
    w.add("general.type", g.STRING, "adapter")
    w.add("general.name", g.STRING, os.path.basename(os.path.abspath(adapter_dir)))
    w.add("adapter.type", g.STRING, "lora")
    w.add("adapter.lora.alpha", g.F32, alpha)
    for mod in sorted(pairs, key=_order):
        A, B = (t.float() for t in pairs[mod])
        if mod == "lm_head" and cfg.tie_word_embeddings:
            raise TrainerError(f"export-gguf: adapter {adapter_dir}: a LoRA on lm_head over a base with tied "
                               f"embeddings has no separate output tensor in llama.cpp")
        name = gguf_tensor_name(f"{mod}.weight")
        want = shapes.get(f"{mod}.weight")
        if name is None or want is None:
            raise TrainerError(f"export-gguf: adapter {adapter_dir}: target {mod} is not a weight of the base model")
        if A.dim() != 2 or B.dim() != 2 or A.shape[0] != B.shape[1] or (B.shape[0], A.shape[1]) != want:
            raise TrainerError(f"export-gguf: adapter {adapter_dir}: {mod} lora_A {tuple(A.shape)} / lora_B "
                               f"{tuple(B.shape)} do not fit the base weight {want}")
        if arch == "llama" and mod.endswith(".self_attn.q_proj"):
            B = permute_rows(B, cfg.num_attention_heads)
        elif arch == "llama" and mod.endswith(".self_attn.k_proj"):
            B = permute_rows(B, cfg.num_key_value_heads)
        w.add_tensor(f"{name}.lora_a", A)
        w.add_tensor(f"{name}.lora_b", B)
    w.write(out)
    return {"out": os.path.abspath(out), "architecture": arch, "tensors": len(w.tensors), "alpha": alpha}
