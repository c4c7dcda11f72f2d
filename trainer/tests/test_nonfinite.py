"""A non-finite gradient must not reach the adapter: the step is skipped and reported, training goes on."""
import math

import torch

from oel_trainer import losses, train
from oel_trainer.spec import parse_job

from helpers import job_dict, write_model


def lora_state(model):
    return {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}


def test_nan_loss_skips_the_step_and_keeps_the_adapter(tmp_path, monkeypatch):
    base = str(tmp_path / "base")
    write_model(base)
    job = parse_job(job_dict(base, str(tmp_path / "out"), steps=3))
    r = train.Round(job, lambda e: None)
    r.step()  # a healthy step first, so the adapter and AdamW's moments are not at their initial values
    before = lora_state(r.model)
    opt_before = {k: {kk: vv.clone() if torch.is_tensor(vv) else vv for kk, vv in v.items()} for k, v in r.opt.state.items()}

    real = losses.reverse_kl_topk
    monkeypatch.setattr(losses, "reverse_kl_topk", lambda *a, **k: real(*a, **k) * float("nan"))
    st = r.step()
    assert st["skipped"] is True and st["grad_norm"] is None and st["loss"] is None
    after = lora_state(r.model)
    for name, value in before.items():
        assert torch.equal(value, after[name]), f"{name} changed on a NaN step"
        assert torch.isfinite(after[name]).all()
    for k, v in r.opt.state.items():
        for kk, vv in v.items():
            if torch.is_tensor(vv):
                assert torch.equal(vv, opt_before[k][kk]), f"optimiser state {kk} changed on a NaN step"

    monkeypatch.setattr(losses, "reverse_kl_topk", real)
    st = r.step()
    assert st["skipped"] is False and math.isfinite(st["grad_norm"]) and math.isfinite(st["loss"])
    assert any(not torch.equal(before[n], p) for n, p in lora_state(r.model).items()), "a healthy step must train"


def test_run_job_reports_skipped_steps_as_valid_json(tmp_path, monkeypatch):
    import json

    base = str(tmp_path / "base")
    write_model(base)
    job = parse_job(job_dict(base, str(tmp_path / "out"), steps=2))
    monkeypatch.setattr(losses, "reverse_kl_topk", lambda *a, **k: torch.tensor(float("inf"), requires_grad=True) * a[0].sum())
    lines = []
    metrics = train.run_job(job, lambda e: lines.append(json.dumps(e, allow_nan=False)))
    steps = [json.loads(line) for line in lines if json.loads(line)["event"] == "step"]
    assert [s["skipped"] for s in steps] == [True, True]
    assert metrics["skipped_steps"] == 2
    # The adapter written is the untouched initial one: finite (LoRA B starts at zero).
    from oel_trainer.checkpoint import read_adapter
    _, pairs = read_adapter(str(tmp_path / "out"))
    assert all(torch.isfinite(a).all() and torch.isfinite(b).all() for a, b in pairs.values())
    assert all(torch.count_nonzero(b) == 0 for _, b in pairs.values()), "no step may have changed the adapter"
