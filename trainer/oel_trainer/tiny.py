"""`init-tiny`: a randomly initialised Hugging Face checkpoint folder with a byte-level ChatML tokenizer."""
import json
import os

import torch

from . import safetensors_io as st
from .config import ModelConfig
from .errors import TrainerError
from .model import CausalLM

ARCHS = ("llama", "llama3", "qwen2", "qwen3", "mistral")
SPECIAL = {"<|endoftext|>": 256, "<|im_start|>": 257, "<|im_end|>": 258}
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)


def hf_config(arch, vocab=259, hidden=64, layers=2, heads=4, kv_heads=2, intermediate=None):
    """config.json contents with real HF field names for `arch`."""
    if arch not in ARCHS:
        raise TrainerError(f"unknown arch {arch!r} (choose from {', '.join(ARCHS)})")
    if hidden % heads or heads % kv_heads:
        raise TrainerError("hidden must be a multiple of heads, and heads a multiple of kv-heads")
    head_dim = hidden // heads
    if head_dim % 2:
        raise TrainerError("hidden/heads must be even (RoPE)")
    c = {
        "hidden_size": hidden, "intermediate_size": intermediate or (hidden * 8 // 3 + 7) // 8 * 8,
        "num_hidden_layers": layers, "num_attention_heads": heads, "num_key_value_heads": kv_heads,
        "vocab_size": vocab, "hidden_act": "silu", "rms_norm_eps": 1e-6, "initializer_range": 0.02,
        "max_position_embeddings": 4096, "rope_scaling": None, "use_cache": True, "torch_dtype": "float32",
        "bos_token_id": None, "eos_token_id": SPECIAL["<|im_end|>"], "pad_token_id": SPECIAL["<|endoftext|>"],
        "attention_dropout": 0.0,
    }
    if arch in ("llama", "llama3"):
        c.update(architectures=["LlamaForCausalLM"], model_type="llama", rope_theta=10000.0,
                 attention_bias=False, mlp_bias=False, tie_word_embeddings=False, pretraining_tp=1, head_dim=head_dim)
        if arch == "llama3":
            c.update(rope_theta=500000.0, max_position_embeddings=131072, rms_norm_eps=1e-5, rope_scaling={
                "rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                "original_max_position_embeddings": 8192})
    elif arch == "qwen2":
        c.update(architectures=["Qwen2ForCausalLM"], model_type="qwen2", rope_theta=1000000.0, tie_word_embeddings=True,
                 use_sliding_window=False, sliding_window=None, max_window_layers=layers)
    elif arch == "qwen3":
        c.update(architectures=["Qwen3ForCausalLM"], model_type="qwen3", rope_theta=1000000.0, tie_word_embeddings=True,
                 head_dim=head_dim, attention_bias=False, use_sliding_window=False, sliding_window=None,
                 max_window_layers=layers)
    else:
        c.update(architectures=["MistralForCausalLM"], model_type="mistral", rope_theta=1000000.0,
                 tie_word_embeddings=False, sliding_window=None, head_dim=head_dim)
    return c


def random_state(cfg_dict, seed=0):
    """{HF tensor name: tensor} for a randomly initialised model (normal(0, 0.02) weights and biases, unit norms)."""
    torch.manual_seed(seed)
    model = CausalLM(ModelConfig.from_dict(cfg_dict))
    out = {}
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if name.endswith("norm.weight"):
                out[name] = torch.ones_like(t)
            else:
                out[name] = torch.randn(t.shape) * 0.02
    if cfg_dict.get("tie_word_embeddings"):
        out.pop("lm_head.weight", None)
    return out


def bytes_to_unicode():
    """GPT-2's reversible byte -> printable unicode character mapping."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, (chr(c) for c in cs)))


def tokenizer_json():
    b2u = bytes_to_unicode()
    vocab = {b2u[b]: b for b in range(256)}
    added = [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False,
              "special": True} for t, i in SPECIAL.items()]
    return {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added, "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "post_processor": None,
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                  "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": vocab, "merges": []},
    }


def tokenizer_config():
    return {
        "add_bos_token": False, "add_prefix_space": False, "bos_token": None, "eos_token": "<|im_end|>",
        "pad_token": "<|endoftext|>", "unk_token": None, "clean_up_tokenization_spaces": False, "errors": "replace",
        "model_max_length": 4096, "split_special_tokens": False, "tokenizer_class": "PreTrainedTokenizerFast",
        "added_tokens_decoder": {str(i): {"content": t, "lstrip": False, "normalized": False, "rstrip": False,
                                          "single_word": False, "special": True} for t, i in SPECIAL.items()},
        "additional_special_tokens": ["<|im_start|>", "<|im_end|>"],
        "chat_template": CHAT_TEMPLATE,
    }


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=2, ensure_ascii=False)
        f.write("\n")


def init_tiny(out_dir, arch, vocab=259, hidden=64, layers=2, heads=4, kv_heads=2, seed=0, tokenizer=True):
    """Writes config.json, model.safetensors and (with `tokenizer`) tokenizer files into the new folder out_dir."""
    if tokenizer and vocab < 259:
        raise TrainerError(f"--vocab must be >= 259 for the byte-level tokenizer, got {vocab}")
    if os.path.lexists(out_dir) and (not os.path.isdir(out_dir) or os.listdir(out_dir)):
        raise TrainerError(f"{out_dir} already exists and is not an empty folder")
    cfg = hf_config(arch, vocab, hidden, layers, heads, kv_heads)
    state = random_state(cfg, seed)
    try:
        os.makedirs(out_dir, exist_ok=True)
        write_json(os.path.join(out_dir, "config.json"), cfg)
        st.save_file(state, os.path.join(out_dir, "model.safetensors"), {"format": "pt"})
        write_json(os.path.join(out_dir, "generation_config.json"),
                   {"eos_token_id": SPECIAL["<|im_end|>"], "pad_token_id": SPECIAL["<|endoftext|>"]})
        if tokenizer:
            write_json(os.path.join(out_dir, "tokenizer.json"), tokenizer_json())
            write_json(os.path.join(out_dir, "tokenizer_config.json"), tokenizer_config())
            write_json(os.path.join(out_dir, "special_tokens_map.json"), {
                "eos_token": "<|im_end|>", "pad_token": "<|endoftext|>",
                "additional_special_tokens": ["<|im_start|>", "<|im_end|>"]})
    except OSError as e:
        raise TrainerError(f"cannot write {out_dir}: {e.strerror or e}") from None
    return cfg
