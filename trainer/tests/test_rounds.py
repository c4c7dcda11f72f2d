"""`python3 -m oel_trainer rounds`: consecutive rounds, each starting from the adapter the round before it wrote."""
import json
import os
import subprocess
import sys

import pytest
import torch

from oel_trainer.checkpoint import read_adapter
from oel_trainer.errors import TrainerError
from oel_trainer.lora import adapter_mode
from oel_trainer.spec import ROUNDS_SCHEMA, parse_rounds
from oel_trainer.train import Round

from helpers import job_dict, write_model

TRAINER = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def round_job(base, out, knowledge, **over):
    """A job whose teacher prompts carry `knowledge` (a list of ids) in front of the student prompt."""
    j = job_dict(base, out, steps=6, **over)
    for split in ("train", "heldout"):
        for p in j["prompts"][split]:
            p["teacher"] = knowledge + p["student"]
    return j


def cli(*args):
    env = {**os.environ, "PYTHONPATH": TRAINER}
    return subprocess.run([sys.executable, "-m", "oel_trainer", *args], capture_output=True, text=True, timeout=300,
                          env=env, cwd=TRAINER)


@pytest.fixture()
def base(tmp_path):
    folder = str(tmp_path / "base")
    write_model(folder, "qwen2", scale=8.0)
    return folder


def test_three_rounds_chain_their_adapters(tmp_path, base):
    rounds = [round_job(base, str(tmp_path / f"r{i}"), list(range(40 + 2 * i, 44 + 2 * i)), job_id=f"round-{i}")
              for i in (1, 2, 3)]
    (tmp_path / "rounds.json").write_text(json.dumps({"schema": ROUNDS_SCHEMA, "rounds": rounds}))
    r = cli("rounds", str(tmp_path / "rounds.json"))
    assert r.returncode == 0, r.stderr
    events = [json.loads(line) for line in r.stdout.splitlines()]
    markers = [e for e in events if e["event"] == "round"]
    assert [(m["round"], m["total_rounds"], m["job_id"]) for m in markers] == [(i, 3, f"round-{i}") for i in (1, 2, 3)]
    dones = [e for e in events if e["event"] == "done"]
    assert [d["output_dir"] for d in dones] == [str(tmp_path / f"r{i}") for i in (1, 2, 3)]
    m = [d["metrics"] for d in dones]
    # Each round's student starts where the previous round ended: same held-out samples (same seed and prompts),
    # so round N's "before" responses are round N-1's "after" responses.
    for prev, cur in zip(m, m[1:]):
        assert cur["heldout"]["before"]["mean_response_len"] == pytest.approx(prev["heldout"]["after"]["mean_response_len"])
    adapters = [read_adapter(str(tmp_path / f"r{i}"))[1] for i in (1, 2, 3)]
    for a, b in zip(adapters, adapters[1:]):
        assert set(a) == set(b) and any(not torch.equal(a[k][1], b[k][1]) for k in a), "every round trains"


def test_round_two_teacher_is_round_one_model_with_the_new_knowledge(tmp_path, base):
    r1 = round_job(base, str(tmp_path / "r1"), [40, 41, 42])
    r2 = round_job(base, str(tmp_path / "r2"), [50, 51, 52])
    jobs = parse_rounds({"schema": ROUNDS_SCHEMA, "rounds": [r1, r2]})
    assert jobs[1].init_adapter == str(tmp_path / "r1")
    assert jobs[1].train[0].teacher[:3] == [50, 51, 52], "round 2's teacher prompt carries round 2's knowledge"
    from oel_trainer.train import run_job
    run_job(jobs[0], lambda e: None)
    rd = Round(jobs[1])
    ids = torch.tensor([jobs[1].train[0].teacher])
    with torch.no_grad(), adapter_mode(rd.model, "ref"):
        teacher = rd.model(ids)
    # round 1's model, rebuilt from its adapter alone, gives the same logits
    r1_model = Round(parse_rounds({"schema": ROUNDS_SCHEMA, "rounds": [dict(r1, output_dir=str(tmp_path / "x"),
                                                                          init_adapter=str(tmp_path / "r1"))]})[0])
    with torch.no_grad(), adapter_mode(r1_model.model, "ref"):
        expect = r1_model.model(ids)
    with torch.no_grad(), adapter_mode(rd.model, "off"):
        bare = rd.model(ids)
    assert torch.allclose(teacher, expect, atol=1e-6) and not torch.allclose(teacher, bare, atol=1e-4)


def test_a_failing_round_stops_the_sequence_and_keeps_earlier_rounds(tmp_path, base):
    r1 = round_job(base, str(tmp_path / "r1"), [40, 41])
    r2 = round_job(base, str(tmp_path / "r2"), [40, 41])
    r3 = round_job(base, str(tmp_path / "r3"), [40, 41])
    r2["prompts"]["train"][0]["student"] = [500]  # only detectable once the model (vocab 64) is loaded
    (tmp_path / "rounds.json").write_text(json.dumps({"schema": ROUNDS_SCHEMA, "rounds": [r1, r2, r3]}))
    r = cli("rounds", str(tmp_path / "rounds.json"))
    assert r.returncode == 1
    assert r.stderr.strip().splitlines()[-1].startswith("oel_trainer: error: prompt 't0': token id 500 is out of range")
    events = [json.loads(line) for line in r.stdout.splitlines()]
    assert [e["event"] for e in events if e["event"] in ("round", "done", "error")] == ["round", "done", "round", "error"]
    assert os.path.isfile(tmp_path / "r1" / "adapter_model.safetensors")
    assert not os.path.exists(tmp_path / "r2") and not os.path.exists(tmp_path / "r3")


@pytest.mark.parametrize("mutate,message", [
    (lambda rs: rs[1].update(init_adapter="/elsewhere"), "rounds[1]: init_adapter must be null"),
    (lambda rs: rs[1].update(output_dir=rs[0]["output_dir"]), "every round needs its own output_dir"),
    (lambda rs: rs[1].update(lora={"rank": 4, "alpha": 16}), "rounds[1]: lora rank/alpha differ"),
    (lambda rs: rs[1].update(base_model="/other"), "rounds[1]: base_model differs"),
    (lambda rs: rs[0].update(optim={"steps": 0}), "rounds[0]: job field optim.steps must be an integer"),
])
def test_bad_rounds_files_are_refused_before_any_training(tmp_path, mutate, message):
    rs = [job_dict("/m", str(tmp_path / "a")), job_dict("/m", str(tmp_path / "b"))]
    mutate(rs)
    with pytest.raises(TrainerError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_rounds({"schema": ROUNDS_SCHEMA, "rounds": rs})
    with pytest.raises(TrainerError, match="non-empty list"):
        parse_rounds({"schema": ROUNDS_SCHEMA, "rounds": []})
