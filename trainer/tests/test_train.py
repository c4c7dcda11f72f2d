import os

import pytest
import torch

from oel_trainer.checkpoint import read_adapter
from oel_trainer.lora import adapter_mode, lora_layers
from oel_trainer.spec import parse_job
from oel_trainer.train import Round, run_job

from helpers import job_dict, write_model


def _base(tmp_path, arch="qwen2"):
    folder = str(tmp_path / "base")
    if not os.path.isdir(folder):
        write_model(folder, arch, scale=8.0)
    return folder


# Margins below come from measuring this setup over 6 base-model seeds x 2 job seeds (4 held-out prompts, 12 steps):
# held-out KL after/before ranged 0.36-0.82 for every method (this seeded run: opcd 0.54, offpolicy_fkl 0.54,
# sft 0.76), while a round that does not learn (lr ~0) stays at 1.00 and one that climbs the loss lands above 1.
# 0.9 leaves room for numeric drift across torch versions and still fails a method that stops training.
LEARNS = 0.9


def test_opcd_lowers_heldout_kl(tmp_path):
    events = []
    job = parse_job(job_dict(_base(tmp_path), str(tmp_path / "out"), steps=12))
    m = run_job(job, events.append)
    assert m["heldout"]["after"]["kl"] < 0.7 * m["heldout"]["before"]["kl"]  # 0.54 here
    assert [e["event"] for e in events][:2] == ["start", "eval"] and events[-1]["event"] == "done"
    assert sum(e["event"] == "step" for e in events) == 12
    # Off-task drift of the trained model from the starting one: an unchanged model reads ~1e-8, these 12 steps
    # 0.24-0.84 over the seeds above (0.75 here); a metric that compared the model with itself would read ~0.
    assert m["ood"] is not None and m["ood"]["kl_new_vs_prev"] > 0.1
    assert m["ood"]["top1_agreement_new_vs_prev"] < 1
    assert sorted(os.listdir(tmp_path / "out")) == ["adapter_config.json", "adapter_model.safetensors", "metrics.json"]
    assert not [n for n in os.listdir(tmp_path) if ".tmp-" in n]


def test_deterministic_for_a_seed(tmp_path):
    base = _base(tmp_path)
    ms = [run_job(parse_job(job_dict(base, str(tmp_path / f"o{i}"), steps=3, heldout=False, ood=False)), lambda e: None)
          for i in range(2)]
    a, b = (read_adapter(str(tmp_path / f"o{i}"))[1] for i in range(2))
    assert all(torch.equal(a[k][0], b[k][0]) and torch.equal(a[k][1], b[k][1]) for k in a)


@pytest.mark.parametrize("method", ["opcd", "offpolicy_fkl", "sft"])
def test_each_method_lowers_heldout_kl(tmp_path, method):
    m = run_job(parse_job(job_dict(_base(tmp_path), str(tmp_path / method), steps=12, method=method, ood=False)),
                lambda e: None)
    assert m["method"] == method
    assert m["heldout"]["after"]["kl"] < LEARNS * m["heldout"]["before"]["kl"]


def test_exact_loss_and_dropout_options(tmp_path):
    base = _base(tmp_path)
    j = job_dict(base, str(tmp_path / "o"), steps=2, heldout=False, ood=False, loss={"exact": True})
    j["lora"] = {"rank": 2, "alpha": 4, "dropout": 0.1, "targets": ["q_proj", "gate_proj"]}
    run_job(parse_job(j), lambda e: None)
    conf, pairs = read_adapter(str(tmp_path / "o"))
    assert conf["target_modules"] == ["gate_proj", "q_proj"] and conf["r"] == 2
    assert len(pairs) == 2 * 2  # two targets x two layers


def _wide_heldout(j):
    """16 held-out prompts instead of 4: round 2's gains are smaller than round 1's, and with 4 prompts the sampled KL
    estimate is too noisy to tell them apart (its own after/before reached 1.03 on one seed; with 16, at most 0.89)."""
    know = list(range(40, 48))
    j["prompts"]["heldout"] = [{"id": f"w{i}", "student": [12 + i, 3], "teacher": know + [12 + i, 3]} for i in range(16)]
    return j


def _kl_to_base_teacher(base, adapter, out):
    """Held-out KL(base + `adapter` without knowledge || the BASE model with knowledge): how close an adapter brings
    the student to what round 1 distilled, whatever round produced it. The adapter is loaded as the trainable one of
    a job without init adapter, so the evaluation's reference is the bare base, as in round 1."""
    r = Round(parse_job(_wide_heldout(job_dict(base, out, ood=False))))
    _, pairs = read_adapter(adapter)
    with torch.no_grad():
        for name, layer in lora_layers(r.model).items():
            layer.lora_A.copy_(pairs[name][0])
            layer.lora_B.copy_(pairs[name][1])
    return r.evaluate(r.job.heldout)["kl"]


def test_round_two_starts_from_the_previous_adapter(tmp_path):
    base = _base(tmp_path)
    r1 = run_job(parse_job(_wide_heldout(job_dict(base, str(tmp_path / "r1"), steps=8))), lambda e: None)
    job2 = parse_job(_wide_heldout(job_dict(base, str(tmp_path / "r2"), steps=8, init_adapter=str(tmp_path / "r1"))))
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
    # Round 2 moves toward its own teacher (round 1's model with knowledge): after/before 0.49-0.89 over the 12
    # seed pairs (0.71 here); a round-2 step that climbs the loss gave 4-17.
    assert m2["heldout"]["after"]["kl"] < m2["heldout"]["before"]["kl"]
    # ... and does not undo round 1: measured against the ORIGINAL teacher (base with knowledge), round 2 keeps at
    # least 60% of round 1's reduction. Observed kept 0.79-1.26 (0.99 here); a round 2 that distils toward the
    # bare base (teacher without knowledge or adapter) kept -0.27-0.39, one that climbs the loss below 0.
    before = r1["heldout"]["before"]["kl"]
    after1 = _kl_to_base_teacher(base, str(tmp_path / "r1"), str(tmp_path / "e1"))
    assert abs(after1 - r1["heldout"]["after"]["kl"]) < 1e-5  # the helper measures what round 1 reported
    after2 = _kl_to_base_teacher(base, str(tmp_path / "r2"), str(tmp_path / "e2"))
    assert before - after2 >= 0.6 * (before - after1)
    _, p1 = read_adapter(str(tmp_path / "r1"))
    _, p2 = read_adapter(str(tmp_path / "r2"))
    assert set(p1) == set(p2) and any(not torch.equal(p1[k][1], p2[k][1]) for k in p1)  # relative to base, updated


def test_bfloat16_run_keeps_float32_adapter(tmp_path):
    base = _base(tmp_path)
    job = parse_job(job_dict(base, str(tmp_path / "bf"), steps=6, ood=False, dtype="bfloat16"))
    r = Round(job)
    assert r.model.lm_head.weight.dtype == torch.bfloat16
    assert all(p.dtype == torch.float32 for p in r.params)
    m = run_job(job, lambda e: None)
    # bf16 base still learns: 6 steps gave after/before 0.46-0.76 over the 12 seed pairs (0.55 here)
    assert m["dtype"] == "bfloat16" and m["heldout"]["after"]["kl"] < LEARNS * m["heldout"]["before"]["kl"]
    _, pairs = read_adapter(str(tmp_path / "bf"))
    assert all(a.dtype == torch.float32 and torch.isfinite(b).all() for a, b in pairs.values())


def test_topk_smaller_than_vocab_trains(tmp_path):
    base = _base(tmp_path)
    m = run_job(parse_job(job_dict(base, str(tmp_path / "k"), steps=6, ood=False, loss={"top_k": 8})), lambda e: None)
    assert m["heldout"]["after"]["kl"] < m["heldout"]["before"]["kl"]
