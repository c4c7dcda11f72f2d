"""Model hyper-parameters read from a Hugging Face config.json (Llama family layout)."""
import json
import os
from dataclasses import dataclass, field
from typing import Optional

from .errors import TrainerError

# model_type -> (qkv bias default, has per-head q/k RMSNorm)
SUPPORTED = {"llama": (False, False), "mistral": (False, False), "qwen2": (True, False), "qwen3": (False, True)}


@dataclass
class ModelConfig:
    model_type: str
    vocab_size: int
    hidden_size: int
    intermediate_size: int
    num_hidden_layers: int
    num_attention_heads: int
    num_key_value_heads: int
    head_dim: int
    rms_norm_eps: float = 1e-6
    rope_theta: float = 10000.0
    rope_scaling: Optional[dict] = None
    max_position_embeddings: int = 4096
    tie_word_embeddings: bool = False
    qkv_bias: bool = False  # bias on q/k/v projections (Qwen2 always; Llama/Qwen3 with attention_bias)
    o_bias: bool = False  # bias on o_proj (Llama/Qwen3 attention_bias)
    mlp_bias: bool = False
    qk_norm: bool = False  # Qwen3: RMSNorm over head_dim on q and k before RoPE
    raw: dict = field(default_factory=dict, repr=False)

    @staticmethod
    def from_dict(c):
        mt = c.get("model_type")
        if mt not in SUPPORTED:
            raise TrainerError(f"unsupported model_type {mt!r} (supported: {', '.join(sorted(SUPPORTED))})")
        act = c.get("hidden_act", "silu")
        if act not in ("silu", "swish"):
            raise TrainerError(f"unsupported hidden_act {act!r} (only silu)")
        try:
            heads = int(c["num_attention_heads"])
            hidden = int(c["hidden_size"])
            qkv_bias, qk_norm = SUPPORTED[mt]
            attn_bias = bool(c.get("attention_bias", False))
            cfg = ModelConfig(
                model_type=mt, vocab_size=int(c["vocab_size"]), hidden_size=hidden,
                intermediate_size=int(c["intermediate_size"]), num_hidden_layers=int(c["num_hidden_layers"]),
                num_attention_heads=heads, num_key_value_heads=int(c.get("num_key_value_heads") or heads),
                head_dim=int(c.get("head_dim") or hidden // heads),
                rms_norm_eps=float(c.get("rms_norm_eps", 1e-6)), rope_theta=float(c.get("rope_theta", 10000.0)),
                rope_scaling=c.get("rope_scaling"), max_position_embeddings=int(c.get("max_position_embeddings", 4096)),
                tie_word_embeddings=bool(c.get("tie_word_embeddings", False)),
                qkv_bias=qkv_bias or attn_bias, o_bias=attn_bias and mt != "qwen2",
                mlp_bias=bool(c.get("mlp_bias", False)), qk_norm=qk_norm, raw=c,
            )
        except (KeyError, TypeError, ValueError) as e:
            raise TrainerError(f"config.json: missing or bad field {e}") from None
        if cfg.num_attention_heads % cfg.num_key_value_heads:
            raise TrainerError("config.json: num_attention_heads must be a multiple of num_key_value_heads")
        rs = cfg.rope_scaling
        if rs is not None:
            kind = rs.get("rope_type", rs.get("type"))
            if kind not in ("default", "llama3", "linear"):
                raise TrainerError(f"unsupported rope_scaling type {kind!r} (supported: default, linear, llama3)")
        return cfg

    @staticmethod
    def from_folder(path):
        p = os.path.join(path, "config.json")
        if not os.path.isfile(p):
            raise TrainerError(f"base model {path}: no config.json")
        try:
            with open(p) as f:
                return ModelConfig.from_dict(json.load(f))
        except ValueError as e:
            raise TrainerError(f"{p}: invalid JSON ({e})") from None
