"""LoRA layers with a mode switch, so one set of base weights serves student, teacher and reference.

Each LoRALinear holds the frozen base Linear, a trainable adapter (lora_A, lora_B) and an optional frozen
reference adapter (ref_A, ref_B: the previous round's adapter). `mode` picks what is added to the base output:
  "train": trainable adapter (the student)
  "ref":   reference adapter, or nothing if there is none (the round's starting model: teacher / previous model)
  "off":   nothing (the bare base model)
"""
import contextlib
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from .errors import TrainerError

TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
MODES = ("train", "ref", "off")


class LoRALinear(nn.Module):
    def __init__(self, base: nn.Linear, rank, alpha, dropout, init_device=None):
        super().__init__()
        self.base = base
        for p in self.base.parameters():
            p.requires_grad_(False)
        self.rank, self.alpha, self.scaling = rank, alpha, alpha / rank
        dt = torch.float32  # adapters stay float32 (AdamW on bf16 params loses updates)
        # Drawn on `init_device` when given (FSDP builds on the CPU but must draw what DDP draws on the GPU), then
        # placed beside the base weight.
        dev = init_device or base.weight.device
        A = torch.empty(rank, base.in_features, device=dev, dtype=dt)  # (r, in)
        nn.init.kaiming_uniform_(A, a=math.sqrt(5))  # PEFT's default init; B=0 so the delta starts at 0
        self.lora_A = nn.Parameter(A.to(base.weight.device))
        self.lora_B = nn.Parameter(torch.zeros(base.out_features, rank, device=base.weight.device, dtype=dt))  # (out, r)
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self.register_buffer("ref_A", None)
        self.register_buffer("ref_B", None)
        self.mode = "train"

    def set_reference(self, A, B, copy=True):
        """Freezes (A (r,in), B (out,r)) as the reference adapter; with `copy` the trainable one starts from it."""
        if A.shape != self.lora_A.shape or B.shape != self.lora_B.shape:
            raise TrainerError(f"init adapter shapes {tuple(A.shape)}/{tuple(B.shape)} do not match "
                               f"rank {self.rank} layer {tuple(self.lora_A.shape)}/{tuple(self.lora_B.shape)}")
        A = A.to(self.lora_A.device, self.lora_A.dtype)
        B = B.to(self.lora_B.device, self.lora_B.dtype)
        self.ref_A, self.ref_B = A.clone(), B.clone()
        if not copy:
            return
        with torch.no_grad():
            self.lora_A.copy_(A)
            self.lora_B.copy_(B)

    def delta_weight(self, which="train"):
        """(out, in) weight delta of the chosen adapter."""
        A, B = (self.lora_A, self.lora_B) if which == "train" else (self.ref_A, self.ref_B)
        return (B @ A) * self.scaling

    def forward(self, x):
        y = self.base(x)
        if self.mode == "train":
            d = F.linear(F.linear(self.dropout(x).to(self.lora_A.dtype), self.lora_A), self.lora_B)
        elif self.mode == "ref" and self.ref_A is not None:
            d = F.linear(F.linear(x.to(self.ref_A.dtype), self.ref_A), self.ref_B)
        else:
            return y
        return y + (d * self.scaling).to(y.dtype)


def apply_lora(model, rank, alpha, dropout, targets, init_device=None):
    """Freezes all of `model`, wraps every Linear named in `targets` with LoRALinear; returns {name: LoRALinear}.
    `init_device`: where the random adapter init is drawn (default: beside each base weight)."""
    for p in model.parameters():
        p.requires_grad_(False)
    wrapped = {}
    for name, module in list(model.named_modules()):
        for child_name, child in list(module.named_children()):
            if child_name in targets and isinstance(child, nn.Linear):
                lora = LoRALinear(child, rank, alpha, dropout, init_device)
                setattr(module, child_name, lora)
                wrapped[f"{name}.{child_name}" if name else child_name] = lora
    if not wrapped:
        raise TrainerError(f"no LoRA target found among {targets}")
    return wrapped


def lora_layers(model):
    return {n: m for n, m in model.named_modules() if isinstance(m, LoRALinear)}


@contextlib.contextmanager
def adapter_mode(model, mode):
    """Temporarily sets every LoRALinear to `mode` ("train", "ref" or "off")."""
    assert mode in MODES
    layers = list(lora_layers(model).values())
    old = [m.mode for m in layers]
    for m in layers:
        m.mode = mode
    try:
        yield model
    finally:
        for m, o in zip(layers, old):
            m.mode = o


@torch.no_grad()
def merged_state(model, which="train"):
    """Base weights with the chosen adapter folded in, keyed by HF names (for tests and export)."""
    out = {}
    layers = lora_layers(model)
    for name, t in model.state_dict().items():
        if ".lora_" in name or ".ref_" in name:
            continue
        mod = name.rsplit(".", 2)[0] if name.endswith(".base.weight") or name.endswith(".base.bias") else None
        if mod in layers:
            key = name.replace(".base.", ".")
            out[key] = t + layers[mod].delta_weight(which).to(t.dtype) if name.endswith("weight") else t.clone()
        else:
            out[name] = t.clone()
    return out
