import torch

from oel_trainer.checkpoint import adapter_tensors, install_reference, read_adapter, write_adapter
from oel_trainer.lora import adapter_mode, apply_lora, lora_layers, merged_state
from oel_trainer.model import CausalLM
from oel_trainer.spec import LoraSpec

from helpers import tiny_model

ALL = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
IDS = torch.tensor([[5, 9, 2, 7, 1, 3]])


def _randomise_b(model, seed=1):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in lora_layers(model).values():
            m.lora_B.copy_(torch.randn(m.lora_B.shape, generator=g) * 0.1)


def test_zero_b_equals_base(tmp_path):
    model, cfg, _ = tiny_model(tmp_path, "qwen2")
    base = model(IDS)
    apply_lora(model, 4, 8, 0.0, ALL)
    assert all(not p.requires_grad for n, p in model.named_parameters() if "lora_" not in n)
    assert torch.allclose(model(IDS), base, atol=1e-6)


def test_merged_equals_unmerged_and_off_equals_base(tmp_path):
    model, cfg, _ = tiny_model(tmp_path, "qwen3")
    base = model(IDS)
    apply_lora(model, 4, 8, 0.0, ALL)
    _randomise_b(model)
    out = model(IDS)
    assert not torch.allclose(out, base, atol=1e-4)
    merged = CausalLM(cfg)
    merged.load_state_dict(merged_state(model), strict=False)
    assert torch.allclose(merged(IDS), out, atol=1e-5)
    with adapter_mode(model, "off"):
        assert torch.allclose(model(IDS), base, atol=1e-6)
    with adapter_mode(model, "ref"):  # no reference adapter: ref is the base
        assert torch.allclose(model(IDS), base, atol=1e-6)


def test_adapter_files_round_trip_and_reference(tmp_path):
    model, cfg, folder = tiny_model(tmp_path, "llama")
    base = model(IDS)
    spec = LoraSpec(rank=4, alpha=8, targets=["q_proj", "v_proj", "down_proj"])
    apply_lora(model, spec.rank, spec.alpha, 0.0, spec.targets)
    _randomise_b(model)
    trained = model(IDS)
    out = tmp_path / "adapter"
    out.mkdir()
    write_adapter(model, str(out), spec, folder)
    conf, pairs = read_adapter(str(out))
    assert conf["peft_type"] == "LORA" and conf["r"] == 4 and conf["lora_alpha"] == 8
    assert conf["target_modules"] == ["down_proj", "q_proj", "v_proj"]
    saved = adapter_tensors(model)
    assert "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight" in saved
    for name, (A, B) in pairs.items():
        m = lora_layers(model)[name]
        assert torch.equal(A, m.lora_A) and torch.equal(B, m.lora_B)
    # a fresh model that starts from the saved adapter: ref == train == the saved model, off == base
    model2, _, _ = tiny_model(tmp_path / "again", "llama")
    apply_lora(model2, 4, 8, 0.0, spec.targets)
    install_reference(model2, pairs, str(out))
    assert torch.allclose(model2(IDS), trained, atol=1e-6)
    with adapter_mode(model2, "ref"):
        assert torch.allclose(model2(IDS), trained, atol=1e-6)
    with adapter_mode(model2, "off"):
        assert torch.allclose(model2(IDS), base, atol=1e-6)
    # training the trainable copy leaves the reference alone
    with torch.no_grad():
        for m in lora_layers(model2).values():
            m.lora_B.add_(0.5)
    with adapter_mode(model2, "ref"):
        assert torch.allclose(model2(IDS), trained, atol=1e-6)


def test_dropout_only_in_training_mode(tmp_path):
    model, cfg, _ = tiny_model(tmp_path, "mistral")
    apply_lora(model, 4, 8, 0.5, ["q_proj"])
    _randomise_b(model)
    model.eval()
    a, b = model(IDS), model(IDS)
    assert torch.equal(a, b)
    model.train()
    torch.manual_seed(0)
    assert not torch.allclose(model(IDS), a)
