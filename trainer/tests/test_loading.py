import json
import os

import pytest
import torch

from oel_trainer.checkpoint import load_base
from oel_trainer.errors import TrainerError
from oel_trainer.model import rope_inv_freq

from helpers import ARCHS, write_model

IDS = torch.tensor([[3, 1, 4, 1, 5, 9, 2, 6]])


@pytest.mark.parametrize("arch", ARCHS)
def test_every_arch_loads_single_and_sharded(tmp_path, arch):
    write_model(str(tmp_path / "one"), arch)
    write_model(str(tmp_path / "sharded"), arch, shards=3)
    m1, cfg = load_base(str(tmp_path / "one"))
    m2, _ = load_base(str(tmp_path / "sharded"))
    out = m1(IDS)
    assert out.shape == (1, 8, 64) and torch.isfinite(out).all()
    assert torch.equal(out, m2(IDS))
    assert cfg.qkv_bias == (arch == "qwen2") and cfg.qk_norm == (arch == "qwen3")
    if cfg.tie_word_embeddings:
        assert m1.lm_head.weight is m1.model.embed_tokens.weight


def test_bf16_load_close_to_fp32(tmp_path):
    write_model(str(tmp_path / "m"), "qwen2")
    m32, _ = load_base(str(tmp_path / "m"))
    m16, _ = load_base(str(tmp_path / "m"), dtype=torch.bfloat16)
    assert m16.lm_head.weight.dtype == torch.bfloat16
    assert torch.allclose(m16(IDS), m32(IDS), atol=5e-2)


def test_llama3_rope_scaling_changes_low_frequencies(tmp_path):
    write_model(str(tmp_path / "l3"), "llama3", hidden=256, heads=2, kv_heads=1)
    _, cfg = load_base(str(tmp_path / "l3"))
    scaled = rope_inv_freq(cfg)
    cfg.rope_scaling = None
    plain = rope_inv_freq(cfg)
    assert torch.allclose(scaled[:4], plain[:4])  # high frequencies untouched
    assert torch.allclose(scaled[-1], plain[-1] / 8)  # lowest frequency divided by factor


def test_position_ids_shift_equivariance(tmp_path):
    """Left padding with a key mask and shifted positions gives the same logits as the unpadded prompt."""
    write_model(str(tmp_path / "m"), "qwen3")
    m, _ = load_base(str(tmp_path / "m"))
    ids = torch.cat([torch.zeros(1, 3, dtype=torch.long), IDS], 1)
    mask = torch.tensor([[False] * 3 + [True] * 8])
    pos = (mask.long().cumsum(-1) - 1).clamp(min=0)
    assert torch.allclose(m(ids, position_ids=pos, key_mask=mask)[:, 3:], m(IDS), atol=1e-5)


def test_bad_checkpoints_are_clear_errors(tmp_path):
    with pytest.raises(TrainerError, match="not a folder"):
        load_base(str(tmp_path / "nope"))
    write_model(str(tmp_path / "m"), "llama")
    cfgp = tmp_path / "m" / "config.json"
    cfg = json.loads(cfgp.read_text())
    cfg["hidden_size"] = 48
    cfgp.write_text(json.dumps(cfg))
    with pytest.raises(TrainerError, match="shape"):
        load_base(str(tmp_path / "m"))
    cfg["model_type"] = "gpt2"
    cfgp.write_text(json.dumps(cfg))
    with pytest.raises(TrainerError, match="unsupported model_type"):
        load_base(str(tmp_path / "m"))
    write_model(str(tmp_path / "s"), "llama", shards=2)
    os.remove(tmp_path / "s" / "model-00002-of-00002.safetensors")
    with pytest.raises(TrainerError, match="missing"):
        load_base(str(tmp_path / "s"))
