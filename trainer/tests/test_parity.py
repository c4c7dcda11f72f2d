"""Parity with Hugging Face transformers / PEFT on tiny random configs. Skipped (with the reason printed by
`pytest -rs`) where those packages are not installed; run them with `pip install transformers peft`."""
import os

import pytest
import torch

from oel_trainer.checkpoint import load_base, write_adapter
from oel_trainer.lora import apply_lora, lora_layers
from oel_trainer.spec import LoraSpec

from helpers import write_model


def _require(name):
    try:
        return __import__(name)
    except Exception as e:  # ImportError, or a broken install
        msg = f"parity vs {name} skipped: cannot import {name} ({type(e).__name__}: {e}); pip install {name} to run it"
        print(msg)
        pytest.skip(msg)


IDS = torch.tensor([[1, 5, 9, 2, 33, 7, 12, 60, 4]])


@pytest.mark.parametrize("arch", ["llama", "llama3", "qwen2", "qwen3", "mistral"])
def test_logits_match_transformers(tmp_path, arch):
    transformers = _require("transformers")
    folder = str(tmp_path / arch)
    write_model(folder, arch, scale=5.0)
    ours, _ = load_base(folder)
    ref = transformers.AutoModelForCausalLM.from_pretrained(folder, torch_dtype=torch.float32).eval()
    with torch.no_grad():
        assert torch.allclose(ours(IDS), ref(IDS).logits.float(), atol=1e-4)
        # left padding with an attention mask
        ids = torch.cat([torch.zeros(1, 2, dtype=torch.long), IDS], 1)
        mask = torch.cat([torch.zeros(1, 2, dtype=torch.long), torch.ones_like(IDS)], 1)
        pos = (mask.cumsum(-1) - 1).clamp(min=0)
        hf = ref(ids, attention_mask=mask, position_ids=pos).logits[:, 2:]
        assert torch.allclose(ours(ids, position_ids=pos, key_mask=mask.bool())[:, 2:], hf, atol=1e-4)


@pytest.mark.parametrize("arch", ["llama", "qwen2", "qwen3"])
def test_peft_loads_adapter_with_same_outputs(tmp_path, arch):
    transformers = _require("transformers")
    peft = _require("peft")
    folder = str(tmp_path / arch)
    write_model(folder, arch, scale=5.0)
    ours, _ = load_base(folder)
    spec = LoraSpec(rank=4, alpha=8, targets=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"])
    apply_lora(ours, spec.rank, spec.alpha, 0.0, spec.targets)
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for m in lora_layers(ours).values():
            m.lora_B.copy_(torch.randn(m.lora_B.shape, generator=g) * 0.1)
    out = tmp_path / "adapter"
    os.makedirs(out)
    write_adapter(ours, str(out), spec, folder)
    base = transformers.AutoModelForCausalLM.from_pretrained(folder, torch_dtype=torch.float32)
    ref = peft.PeftModel.from_pretrained(base, str(out)).eval()
    with torch.no_grad():
        assert torch.allclose(ours(IDS), ref(input_ids=IDS).logits.float(), atol=1e-4)
