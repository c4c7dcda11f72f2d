"""Data parallelism under torchrun: two CPU processes (gloo, DDP) must train the adapter one process trains over the
same global batch, and only rank 0 may speak and write."""
import json
import os
import subprocess
import sys

import pytest
import torch

from oel_trainer.checkpoint import read_adapter
from oel_trainer.distributed import Dist, row_generators
from oel_trainer.errors import TrainerError
from oel_trainer.sampling import generate
from oel_trainer.spec import parse_job
from oel_trainer.train import Round, run_job

from helpers import job_dict, write_model

TRAINER = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def torchrun(nproc, *args, timeout=240):
    """`python3 -m torch.distributed.run` as the server launches it (see src/server/trainerRunner.ts)."""
    env = {**os.environ, "PYTHONPATH": TRAINER, "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--rdzv_backend=c10d", "--rdzv_endpoint=127.0.0.1:0",
           "--nnodes=1", f"--nproc_per_node={nproc}", "--redirects=2", "--tee=2", "-m", "oel_trainer", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=TRAINER)


def events_of(stdout):
    out = []
    for line in stdout.splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            pass
    return out


def test_two_processes_train_the_same_adapter_as_one(tmp_path):
    base = str(tmp_path / "base")
    write_model(base, "qwen2", scale=8.0)
    # 5 prompts per step over 2 ranks: a 2/3 split, so ranks hold different token counts and the loss scaling matters.
    jd = job_dict(base, str(tmp_path / "one"), steps=4, optim={"steps": 4, "batch_size": 5, "lr": 1e-2})
    one = run_job(parse_job(jd), lambda e: None, Dist())

    jd2 = dict(jd, output_dir=str(tmp_path / "two"))
    (tmp_path / "job2.json").write_text(json.dumps(jd2))
    r = torchrun(2, "run", str(tmp_path / "job2.json"))
    assert r.returncode == 0, r.stderr[-3000:]
    ev = events_of(r.stdout)
    kinds = [e["event"] for e in ev]
    assert kinds.count("start") == 1 and kinds.count("done") == 1, "only rank 0 reports"
    assert kinds.count("step") == 4
    assert ev[0]["world_size"] == 2
    two = ev[-1]["metrics"]
    assert two["world_size"] == 2 and one["world_size"] == 1
    assert not [n for n in os.listdir(tmp_path) if ".tmp-" in n], "only rank 0 writes, and it cleans up"

    _, a = read_adapter(str(tmp_path / "one"))
    _, b = read_adapter(str(tmp_path / "two"))
    assert set(a) == set(b)
    assert any(float(a[k][1].abs().max()) > 1e-3 for k in a), "training must have moved the adapter"
    for k in a:
        for x, y in zip(a[k], b[k]):
            assert torch.allclose(x, y, atol=1e-5, rtol=1e-4), f"{k}: max diff {float((x - y).abs().max())}"
    # The evaluation is split over the ranks and summed: same figures as one process.
    for phase in ("before", "after"):
        for key, v in one["heldout"][phase].items():
            assert two["heldout"][phase][key] == pytest.approx(v, rel=1e-4, abs=1e-6), (phase, key)
    assert two["ood"]["kl_new_vs_prev"] == pytest.approx(one["ood"]["kl_new_vs_prev"], rel=1e-3, abs=1e-6)


def test_a_failing_job_under_torchrun_reports_one_error_and_writes_nothing(tmp_path):
    base = str(tmp_path / "base")
    write_model(base, "llama")
    jd = job_dict(base, str(tmp_path / "out"), steps=1)
    jd["prompts"]["train"][0]["student"] = [999]  # out of the vocabulary: every rank rejects the job
    (tmp_path / "job.json").write_text(json.dumps(jd))
    r = torchrun(2, "run", str(tmp_path / "job.json"))
    assert r.returncode != 0
    errors = [e for e in events_of(r.stdout) if e["event"] == "error"]
    assert errors and all("out of range" in e["message"] for e in errors), r.stdout
    assert not os.path.exists(tmp_path / "out")


def test_batch_smaller_than_the_process_count_is_refused(tmp_path):
    base = str(tmp_path / "base")
    write_model(base, "llama")
    job = parse_job(job_dict(base, str(tmp_path / "out"), optim={"batch_size": 1}))
    with pytest.raises(TrainerError, match="batch_size 1 is smaller than the number of processes 2"):
        Round(job, dist=Dist(rank=0, world=2))


def test_a_prompts_sample_does_not_depend_on_its_batch_mates(tmp_path):
    """What lets each rank sample its own share: row i draws from its own seeded stream."""
    base = str(tmp_path / "base")
    write_model(base, "llama", scale=4.0)
    r = Round(parse_job(job_dict(base, str(tmp_path / "o"))))
    prompts = [[1, 2, 3], [5, 6], [7, 8, 9, 10]]
    together = generate(r.model, prompts, 6, 1.0, 1.0, [63], 63, row_generators(0, 1, 0, range(3), "cpu"))
    alone = generate(r.model, prompts[1:2], 6, 1.0, 1.0, [63], 63, row_generators(0, 1, 0, [1], "cpu"))
    tail = generate(r.model, prompts[2:], 6, 1.0, 1.0, [63], 63, row_generators(0, 1, 0, [2], "cpu"))
    assert together[1] == alone[0] and together[2] == tail[0]
    other_step = generate(r.model, prompts, 6, 1.0, 1.0, [63], 63, row_generators(0, 1, 1, range(3), "cpu"))
    assert other_step != together, "a new step draws new samples"
