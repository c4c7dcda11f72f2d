import os

import torch

from oel_trainer.checkpoint import read_adapter
from oel_trainer.lora import adapter_mode
from oel_trainer.spec import parse_job
from oel_trainer.train import Round, run_job

from helpers import job_dict, write_model


def _base(tmp_path, arch="qwen2"):
    folder = str(tmp_path / "base")
    if not os.path.isdir(folder):
        write_model(folder, arch, scale=8.0)
    return folder


def test_opcd_lowers_heldout_kl(tmp_path):
    events = []
    job = parse_job(job_dict(_base(tmp_path), str(tmp_path / "out"), steps=12))
    m = run_job(job, events.append)
    assert m["heldout"]["after"]["kl"] < 0.7 * m["heldout"]["before"]["kl"]
    assert [e["event"] for e in events][:2] == ["start", "eval"] and events[-1]["event"] == "done"
    assert sum(e["event"] == "step" for e in events) == 12
    assert m["ood"] is not None and m["ood"]["kl_new_vs_prev"] >= 0
    assert sorted(os.listdir(tmp_path / "out")) == ["adapter_config.json", "adapter_model.safetensors", "metrics.json"]
    assert not [n for n in os.listdir(tmp_path) if ".tmp-" in n]


def test_deterministic_for_a_seed(tmp_path):
    base = _base(tmp_path)
    ms = [run_job(parse_job(job_dict(base, str(tmp_path / f"o{i}"), steps=3, heldout=False, ood=False)), lambda e: None)
          for i in range(2)]
    a, b = (read_adapter(str(tmp_path / f"o{i}"))[1] for i in range(2))
    assert all(torch.equal(a[k][0], b[k][0]) and torch.equal(a[k][1], b[k][1]) for k in a)


def test_baselines_run(tmp_path):
    base = _base(tmp_path)
    for method in ("offpolicy_fkl", "sft"):
        m = run_job(parse_job(job_dict(base, str(tmp_path / method), steps=2, method=method, ood=False)), lambda e: None)
        assert m["method"] == method and m["heldout"]["after"]["kl"] >= 0


def test_exact_loss_and_dropout_options(tmp_path):
    base = _base(tmp_path)
    j = job_dict(base, str(tmp_path / "o"), steps=2, heldout=False, ood=False, loss={"exact": True})
    j["lora"] = {"rank": 2, "alpha": 4, "dropout": 0.1, "targets": ["q_proj", "gate_proj"]}
    run_job(parse_job(j), lambda e: None)
    conf, pairs = read_adapter(str(tmp_path / "o"))
    assert conf["target_modules"] == ["gate_proj", "q_proj"] and conf["r"] == 2
    assert len(pairs) == 2 * 2  # two targets x two layers


def test_round_two_starts_from_the_previous_adapter(tmp_path):
    base = _base(tmp_path)
    r1 = run_job(parse_job(job_dict(base, str(tmp_path / "r1"), steps=8)), lambda e: None)
    job2 = parse_job(job_dict(base, str(tmp_path / "r2"), steps=8, init_adapter=str(tmp_path / "r1")))
    r = Round(job2)
    ids = torch.tensor([[1, 2, 3, 4]])
    with torch.no_grad():
        student = r.model(ids)
        with adapter_mode(r.model, "ref"):
            teacher = r.model(ids)  # starting model of round 2 = base + round-1 adapter
        with adapter_mode(r.model, "off"):
            bare = r.model(ids)
    assert torch.allclose(student, teacher, atol=1e-6) and not torch.allclose(student, bare, atol=1e-4)
    # the student's starting point is round 1's result: same samples/lengths as round 1's after-eval
    assert abs(r.evaluate(job2.heldout)["mean_response_len"] - r1["heldout"]["after"]["mean_response_len"]) < 1e-9
    m2 = run_job(job2, lambda e: None)
    assert m2["heldout"]["after"]["kl"] <= m2["heldout"]["before"]["kl"] * 1.05
    _, p1 = read_adapter(str(tmp_path / "r1"))
    _, p2 = read_adapter(str(tmp_path / "r2"))
    assert set(p1) == set(p2) and any(not torch.equal(p1[k][1], p2[k][1]) for k in p1)  # relative to base, updated


def test_bfloat16_run_keeps_float32_adapter(tmp_path):
    base = _base(tmp_path)
    job = parse_job(job_dict(base, str(tmp_path / "bf"), steps=2, ood=False, dtype="bfloat16"))
    r = Round(job)
    assert r.model.lm_head.weight.dtype == torch.bfloat16
    assert all(p.dtype == torch.float32 for p in r.params)
    m = run_job(job, lambda e: None)
    assert m["dtype"] == "bfloat16" and m["heldout"]["after"]["kl"] >= 0
    _, pairs = read_adapter(str(tmp_path / "bf"))
    assert all(a.dtype == torch.float32 and torch.isfinite(b).all() for a, b in pairs.values())


def test_topk_smaller_than_vocab_trains(tmp_path):
    base = _base(tmp_path)
    m = run_job(parse_job(job_dict(base, str(tmp_path / "k"), steps=6, ood=False, loss={"top_k": 8})), lambda e: None)
    assert m["heldout"]["after"]["kl"] < m["heldout"]["before"]["kl"]
