"""Fully sharded data parallelism (PyTorch FSDP) for bases that do not fit one GPU (`parallel: "fsdp"`).

DDP (distributed.py) replicates the whole base on every GPU. Under FSDP each rank keeps only 1/N of every frozen base
weight and all-gathers one decoder layer at a time for its forward, so a base N times bigger than one GPU trains; the
LoRA adapter is small and is sharded with it (it sits inside the same layers). What this module decides:

- Wrapping: one FSDP unit per decoder layer (`is_decoder_layer`), the embeddings, final norm and lm_head in the root.
  A layer holds frozen base weights and trainable LoRA weights together, which FSDP allows only with
  `use_orig_params=True` (torch >= 2.1), which also keeps the LoRA parameters under their own names.
- Mixed precision: the shards are stored in float32 (LoRA weights must stay float32, see lora.py, and one FSDP unit
  stores one dtype), layers are gathered and computed in the job's dtype, and gradients are reduced in float32.
- Saving: `lora_state` gathers one unit at a time, keeping only the LoRA tensors (rank 0 alone receives them), so no
  rank ever materialises the full base; `lora_tensors` turns the names FSDP gives them back into PEFT names.

torch.distributed.fsdp is imported only when FSDP really runs: Debian's torch 1.13 cannot even import it on
Python 3.11, and the pure parts here are tested without it.
"""
import re

import torch

from .errors import TrainerError
from .lora import LoRALinear
from .model import Block

MIN_TORCH = (2, 1)
# Name segments FSDP (and activation checkpointing) insert between a module and its children.
_WRAPPER_SEGMENTS = re.compile(r"(^|\.)(_fsdp_wrapped_module|_checkpoint_wrapped_module|module)(?=\.)")


def torch_version(v=None):
    """(major, minor) of a torch version string such as "2.3.1+cu121" or "1.13.0a0"."""
    m = re.match(r"(\d+)\.(\d+)", v or torch.__version__)
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


def refusal(device_type, version=None, cuda_available=None):
    """Why FSDP cannot run here, or None when it can. Checked before any model is loaded, so a CPU job fails in
    seconds with the reason instead of deep inside PyTorch at its first forward."""
    if device_type != "cuda":
        return ("parallel \"fsdp\" needs CUDA GPUs, and this job runs on cpu: FSDP shards the base model over GPUs, "
                "and PyTorch refuses FSDP without CUDA (\"FSDP does not support CPU only execution\"). "
                "Use parallel \"ddp\" on CPU, or set device \"cuda\" on a GPU machine.")
    if cuda_available is None:
        cuda_available = torch.cuda.is_available()
    if not cuda_available:
        return "parallel \"fsdp\" needs CUDA GPUs, but torch.cuda.is_available() is false on this machine."
    have = torch_version(version)
    if have < MIN_TORCH:
        return (f"parallel \"fsdp\" needs torch >= {MIN_TORCH[0]}.{MIN_TORCH[1]} (frozen base and trainable LoRA "
                f"weights in one FSDP unit need use_orig_params), this is torch {version or torch.__version__}. "
                "Use parallel \"ddp\", or upgrade torch.")
    return None


def check_supported(device_type):
    """Raises TrainerError with the reason when FSDP cannot run on this machine."""
    why = refusal(device_type)
    if why:
        raise TrainerError(why)


def is_decoder_layer(module):
    """The auto-wrap rule: a module gets its own FSDP unit exactly when it is a decoder layer (model.Block)."""
    return isinstance(module, Block)


def peft_name(fsdp_name):
    """A parameter name as FSDP reports it ("model._fsdp_wrapped_module.layers.0._fsdp_wrapped_module.self_attn...")
    back to the model's own name ("model.layers.0.self_attn...")."""
    return _WRAPPER_SEGMENTS.sub("", fsdp_name).lstrip(".")


def lora_tensors(named_tensors):
    """{PEFT adapter name: float32 CPU tensor} from (name, tensor) pairs of any state dict (plain, DDP or FSDP names):
    only the trainable adapter's lora_A / lora_B; base weights, the frozen reference adapter (ref_A / ref_B) and
    buffers are left out."""
    from .checkpoint import PEFT_PREFIX
    out = {}
    for name, t in named_tensors:
        clean = peft_name(name)
        mod, _, leaf = clean.rpartition(".")
        if leaf not in ("lora_A", "lora_B") or not mod:
            continue
        key = f"{PEFT_PREFIX}{mod}.{leaf}.weight"
        if key in out:
            raise TrainerError(f"adapter tensor {key} appears twice in the model's state")
        out[key] = t.detach().float().cpu()
    return out


def mixed_precision(compute_dtype):
    """FSDP's mixed-precision policy: gather and compute in `compute_dtype`, reduce gradients in float32, and leave
    buffers (RoPE frequencies, the reference adapter) in their own dtype."""
    from torch.distributed.fsdp import MixedPrecision
    return MixedPrecision(param_dtype=compute_dtype, reduce_dtype=torch.float32, buffer_dtype=None)


def wrap(model, compute_dtype, local_rank):
    """`model` (float32, on CPU or its GPU) sharded with FSDP: one unit per decoder layer, the rest in the root unit."""
    import functools

    from torch.distributed.fsdp import FullyShardedDataParallel as FSDP
    from torch.distributed.fsdp import ShardingStrategy
    from torch.distributed.fsdp.wrap import lambda_auto_wrap_policy
    policy = functools.partial(lambda_auto_wrap_policy, lambda_fn=is_decoder_layer)
    return FSDP(model, auto_wrap_policy=policy, mixed_precision=mixed_precision(compute_dtype),
                sharding_strategy=ShardingStrategy.FULL_SHARD, device_id=torch.device("cuda", local_rank),
                use_orig_params=True, sync_module_states=False, limit_all_gathers=True)


def lora_state(fsdp_model, rank):
    """The trainable adapter's tensors (PEFT names), gathered unit by unit so that no rank holds the full base: every
    rank must call this (it is collective); rank 0 gets the tensors, the other ranks an empty dict."""
    from torch.distributed.fsdp import FullyShardedDataParallel as FSDP
    out = {}
    for unit in FSDP.fsdp_modules(fsdp_model):
        owned = [(n, m) for n, m in _own_modules(unit) if isinstance(m, LoRALinear)]
        if not owned:
            continue
        with FSDP.summon_full_params(unit, recurse=False, writeback=False, rank0_only=True, offload_to_cpu=True):
            if rank == 0:
                prefix = _unit_prefix(fsdp_model, unit)
                pairs = []
                for n, m in owned:
                    pairs += [(f"{prefix}{n}.lora_A", m.lora_A), (f"{prefix}{n}.lora_B", m.lora_B)]
                out.update(lora_tensors(pairs))
    return out


def _own_modules(unit):
    """(name relative to `unit`, module) for modules inside `unit` but not inside a nested FSDP unit."""
    from torch.distributed.fsdp import FullyShardedDataParallel as FSDP

    def walk(mod, prefix):
        for name, child in mod.named_children():
            if isinstance(child, FSDP):
                continue
            yield f"{prefix}{name}", child
            yield from walk(child, f"{prefix}{name}.")
    return list(walk(unit, ""))


def _unit_prefix(root, unit):
    for name, m in root.named_modules():
        if m is unit:
            return f"{name}." if name else ""
    raise TrainerError("FSDP unit not found under the root module")
