"""Hugging Face checkpoint folders in, PEFT adapter folders out (safetensors read and written directly)."""
import json
import os

import torch

from . import safetensors_io as st
from .config import ModelConfig
from .errors import TrainerError
from .lora import lora_layers
from .model import CausalLM

PEFT_PREFIX = "base_model.model."


def _checkpoint_files(path):
    single = os.path.join(path, "model.safetensors")
    index = os.path.join(path, "model.safetensors.index.json")
    if os.path.isfile(index):
        try:
            with open(index) as f:
                weight_map = json.load(f)["weight_map"]
        except (OSError, ValueError, KeyError) as e:
            raise TrainerError(f"{index}: unreadable index ({e})") from None
        files = {}
        for name, fn in weight_map.items():
            files.setdefault(os.path.join(path, fn), set()).add(name)
        return files
    if os.path.isfile(single):
        return {single: None}
    raise TrainerError(f"base model {path}: no model.safetensors or model.safetensors.index.json")


def load_tensors(path, label):
    """Every tensor of the HF checkpoint folder `path` (single file or shards), by name; `label` starts the error
    raised when a shard named by the index is missing."""
    tensors = {}
    for fn, names in _checkpoint_files(path).items():
        if not os.path.isfile(fn):
            raise TrainerError(f"{label}: shard {os.path.basename(fn)} is missing")
        tensors.update(st.load_file(fn, names))
    return tensors


def load_base(path, device="cpu", dtype=torch.float32):
    """Builds CausalLM from an HF folder (config.json + safetensors, single or sharded). Returns (model, cfg)."""
    if not os.path.isdir(path):
        raise TrainerError(f"base model {path}: not a folder")
    cfg = ModelConfig.from_folder(path)
    torch.manual_seed(0)  # the random init is overwritten; seeding keeps later RNG use independent of it
    model = CausalLM(cfg)
    expected = dict(model.state_dict())
    tensors = load_tensors(path, f"base model {path}")
    if cfg.tie_word_embeddings:
        tensors.pop("lm_head.weight", None)
        expected.pop("lm_head.weight", None)
    missing = [k for k in expected if k not in tensors]
    if missing:
        raise TrainerError(f"base model {path}: checkpoint lacks {len(missing)} tensors, e.g. {missing[0]} "
                           f"(is config.json right for these weights?)")
    unexpected = [k for k in tensors if k not in expected and "rotary_emb" not in k]
    if unexpected:
        raise TrainerError(f"base model {path}: unexpected tensor {unexpected[0]} (unsupported variant?)")
    for k, v in expected.items():
        if tuple(tensors[k].shape) != tuple(v.shape):
            raise TrainerError(f"base model {path}: tensor {k} has shape {tuple(tensors[k].shape)}, "
                               f"config.json implies {tuple(v.shape)}")
    with torch.no_grad():
        for k, v in expected.items():
            v.copy_(tensors.pop(k))
    model.to(device=device, dtype=dtype)
    model.inv_freq = model.inv_freq.float()  # RoPE frequencies stay float32 in bf16 models
    model.eval()
    return model, cfg


def adapter_config(lora, base_model):
    """PEFT LoraConfig fields for a saved adapter; `lora` is a LoraSpec."""
    return {
        "peft_type": "LORA", "task_type": "CAUSAL_LM", "base_model_name_or_path": base_model,
        "r": lora.rank, "lora_alpha": lora.alpha, "lora_dropout": lora.dropout,
        "target_modules": sorted(lora.targets), "bias": "none", "fan_in_fan_out": False,
        "inference_mode": True, "init_lora_weights": True, "modules_to_save": None,
        "layers_to_transform": None, "layers_pattern": None, "rank_pattern": {}, "alpha_pattern": {},
        "use_rslora": False, "use_dora": False, "revision": None,
    }


def adapter_tensors(model):
    """{PEFT name: tensor} of the trainable adapter, float32 on CPU."""
    out = {}
    for name, m in lora_layers(model).items():
        out[f"{PEFT_PREFIX}{name}.lora_A.weight"] = m.lora_A.detach().float().cpu()
        out[f"{PEFT_PREFIX}{name}.lora_B.weight"] = m.lora_B.detach().float().cpu()
    return out


def write_adapter(model, folder, lora, base_model, tensors=None):
    """Writes the PEFT folder: `tensors` ({PEFT name: tensor}, gathered from FSDP shards) or the model's own adapter."""
    st.save_file(tensors if tensors is not None else adapter_tensors(model), os.path.join(folder, "adapter_model.safetensors"), {"format": "pt"})
    write_json(os.path.join(folder, "adapter_config.json"), adapter_config(lora, base_model))


def read_adapter(folder):
    """Reads a PEFT LoRA folder. Returns (config dict, {module name: (A (r,in), B (out,r))})."""
    cp = os.path.join(folder, "adapter_config.json")
    wp = os.path.join(folder, "adapter_model.safetensors")
    if not os.path.isfile(cp) or not os.path.isfile(wp):
        raise TrainerError(f"adapter {folder}: needs adapter_config.json and adapter_model.safetensors")
    try:
        with open(cp) as f:
            conf = json.load(f)
    except ValueError as e:
        raise TrainerError(f"{cp}: invalid JSON ({e})") from None
    if conf.get("peft_type") != "LORA":
        raise TrainerError(f"adapter {folder}: peft_type {conf.get('peft_type')!r} is not LORA")
    pairs = {}
    for name, t in st.load_file(wp).items():
        if not name.startswith(PEFT_PREFIX) or not name.endswith(".weight"):
            raise TrainerError(f"adapter {folder}: unexpected tensor {name}")
        core = name[len(PEFT_PREFIX):-len(".weight")]
        mod, _, kind = core.rpartition(".")
        if kind not in ("lora_A", "lora_B"):
            raise TrainerError(f"adapter {folder}: unexpected tensor {name}")
        pairs.setdefault(mod, {})[kind] = t
    out = {}
    for mod, d in pairs.items():
        if set(d) != {"lora_A", "lora_B"}:
            raise TrainerError(f"adapter {folder}: {mod} lacks lora_A or lora_B")
        out[mod] = (d["lora_A"], d["lora_B"])
    return conf, out


def install_reference(model, pairs, folder):
    """Sets the adapter read from `folder` as every LoRA layer's reference and trainable starting point."""
    layers = lora_layers(model)
    extra = sorted(set(pairs) - set(layers))
    if extra:
        raise TrainerError(f"adapter {folder}: targets {extra[0]}, which this job's LoRA targets do not cover")
    for name, m in layers.items():
        if name in pairs:
            m.set_reference(*pairs[name])
        else:  # layer not in the previous adapter: zero reference delta, fresh trainable init
            m.set_reference(torch.zeros_like(m.lora_A), torch.zeros_like(m.lora_B), copy=False)


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")
        f.flush()
        os.fsync(f.fileno())
