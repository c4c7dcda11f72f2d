"""Compact decoder for the Llama family layout (Llama 2/3, Mistral, Qwen2/2.5, Qwen3).

Module names mirror Hugging Face (model.layers.N.self_attn.q_proj, ...) so checkpoints load by name.
forward returns logits; losses live in losses.py.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from .config import ModelConfig


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        dt = x.dtype
        x = x.float()
        x = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * x.to(dt)


def rope_inv_freq(cfg: ModelConfig):
    """(head_dim/2,) inverse frequencies, with Llama 3 / linear scaling applied."""
    d = cfg.head_dim
    inv = 1.0 / (cfg.rope_theta ** (torch.arange(0, d, 2, dtype=torch.int64).float() / d))
    rs = cfg.rope_scaling or {}
    kind = rs.get("rope_type", rs.get("type", "default"))
    if kind == "linear":
        inv = inv / float(rs["factor"])
    elif kind == "llama3":
        factor, lo, hi = float(rs["factor"]), float(rs["low_freq_factor"]), float(rs["high_freq_factor"])
        old = float(rs["original_max_position_embeddings"])
        wavelen = 2 * math.pi / inv
        scaled = torch.where(wavelen > old / lo, inv / factor, inv)  # long wavelengths: slow down
        smooth = (old / wavelen - lo) / (hi - lo)
        smoothed = (1 - smooth) * scaled / factor + smooth * scaled
        medium = (wavelen >= old / hi) & (wavelen <= old / lo)
        inv = torch.where(medium, smoothed, scaled)
    return inv


def rotate_half(x):
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


class KVCache:
    """Preallocated per-layer keys/values: (B, n_kv, max_len, head_dim). `length` slots are filled."""

    def __init__(self, cfg, batch, max_len, device, dtype):
        shape = (batch, cfg.num_key_value_heads, max_len, cfg.head_dim)
        self.k = [torch.zeros(shape, device=device, dtype=dtype) for _ in range(cfg.num_hidden_layers)]
        self.v = [torch.zeros(shape, device=device, dtype=dtype) for _ in range(cfg.num_hidden_layers)]
        self.length = 0


class Attention(nn.Module):
    def __init__(self, cfg: ModelConfig, layer_idx):
        super().__init__()
        self.cfg, self.layer_idx = cfg, layer_idx
        h, hd, nh, nkv = cfg.hidden_size, cfg.head_dim, cfg.num_attention_heads, cfg.num_key_value_heads
        self.q_proj = nn.Linear(h, nh * hd, bias=cfg.qkv_bias)
        self.k_proj = nn.Linear(h, nkv * hd, bias=cfg.qkv_bias)
        self.v_proj = nn.Linear(h, nkv * hd, bias=cfg.qkv_bias)
        self.o_proj = nn.Linear(nh * hd, h, bias=cfg.o_bias)
        if cfg.qk_norm:
            self.q_norm = RMSNorm(hd, cfg.rms_norm_eps)
            self.k_norm = RMSNorm(hd, cfg.rms_norm_eps)

    def forward(self, x, cos, sin, mask, cache):
        """x (B,T,C); cos/sin (B,T,hd); mask (B,1,T,S) additive float; returns (B,T,C)."""
        B, T, _ = x.shape
        nh, nkv, hd = self.cfg.num_attention_heads, self.cfg.num_key_value_heads, self.cfg.head_dim
        q = self.q_proj(x).view(B, T, nh, hd)
        k = self.k_proj(x).view(B, T, nkv, hd)
        v = self.v_proj(x).view(B, T, nkv, hd).transpose(1, 2)  # (B,nkv,T,hd)
        if self.cfg.qk_norm:
            q, k = self.q_norm(q), self.k_norm(k)
        q, k = q.transpose(1, 2), k.transpose(1, 2)  # (B,nh,T,hd), (B,nkv,T,hd)
        cos, sin = cos.unsqueeze(1).to(q.dtype), sin.unsqueeze(1).to(q.dtype)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if cache is not None:
            s0 = cache.length
            cache.k[self.layer_idx][:, :, s0:s0 + T] = k
            cache.v[self.layer_idx][:, :, s0:s0 + T] = v
            k = cache.k[self.layer_idx][:, :, :s0 + T]
            v = cache.v[self.layer_idx][:, :, :s0 + T]
        if nkv != nh:  # GQA: each kv head serves nh/nkv query heads
            k = k.repeat_interleave(nh // nkv, dim=1)
            v = v.repeat_interleave(nh // nkv, dim=1)
        att = (q @ k.transpose(-2, -1)).float() * (1.0 / math.sqrt(hd)) + mask  # (B,nh,T,S)
        att = F.softmax(att, dim=-1).to(v.dtype)
        y = (att @ v).transpose(1, 2).reshape(B, T, nh * hd)
        return self.o_proj(y)


class MLP(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        h, i, b = cfg.hidden_size, cfg.intermediate_size, cfg.mlp_bias
        self.gate_proj = nn.Linear(h, i, bias=b)
        self.up_proj = nn.Linear(h, i, bias=b)
        self.down_proj = nn.Linear(i, h, bias=b)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))  # SwiGLU


class Block(nn.Module):
    def __init__(self, cfg, layer_idx):
        super().__init__()
        self.input_layernorm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)
        self.self_attn = Attention(cfg, layer_idx)
        self.post_attention_layernorm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)
        self.mlp = MLP(cfg)

    def forward(self, x, cos, sin, mask, cache):
        x = x + self.self_attn(self.input_layernorm(x), cos, sin, mask, cache)
        return x + self.mlp(self.post_attention_layernorm(x))


class Backbone(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.embed_tokens = nn.Embedding(cfg.vocab_size, cfg.hidden_size)
        self.layers = nn.ModuleList(Block(cfg, i) for i in range(cfg.num_hidden_layers))
        self.norm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)


class CausalLM(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        self.model = Backbone(cfg)
        self.lm_head = nn.Linear(cfg.hidden_size, cfg.vocab_size, bias=False)
        if cfg.tie_word_embeddings:
            self.lm_head.weight = self.model.embed_tokens.weight
        self.register_buffer("inv_freq", rope_inv_freq(cfg), persistent=False)

    def forward(self, idx, position_ids=None, key_mask=None, cache=None, last_n=None):
        """idx (B,T) token ids; position_ids (B,T) (default 0..T-1 after the cache);
        key_mask (B,S) bool, True where a key slot is a real token, S = cached + T (default all True);
        cache: KVCache filled in place; last_n: only project the last n positions to logits.
        Returns logits (B,T or last_n,V) in float32."""
        B, T = idx.shape
        s0 = cache.length if cache is not None else 0
        S = s0 + T
        dev = idx.device
        if position_ids is None:
            position_ids = torch.arange(s0, S, device=dev).unsqueeze(0).expand(B, T)
        freqs = position_ids.float().unsqueeze(-1) * self.inv_freq.float()  # (B,T,hd/2)
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos(), emb.sin()
        # causal + padding mask, additive, (B,1,T,S): query t sits at slot s0+t
        causal = torch.arange(S, device=dev).unsqueeze(0) <= torch.arange(s0, S, device=dev).unsqueeze(1)  # (T,S)
        allowed = causal.unsqueeze(0)
        if key_mask is not None:
            allowed = allowed & key_mask[:, None, :S]
        mask = torch.zeros(allowed.shape, device=dev).masked_fill(~allowed, torch.finfo(torch.float32).min)
        mask = mask.unsqueeze(1)
        x = self.model.embed_tokens(idx)  # (B,T,C)
        for block in self.model.layers:
            x = block(x, cos, sin, mask, cache)
        if cache is not None:
            cache.length = S
        x = self.model.norm(x)
        if last_n is not None:
            x = x[:, -last_n:]
        return self.lm_head(x).float()
