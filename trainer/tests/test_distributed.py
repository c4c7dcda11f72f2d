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
from oel_trainer.spec import ROUNDS_SCHEMA, parse_job, parse_rounds
from oel_trainer.train import Round, run_rounds

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


def test_two_processes_train_the_same_adapters_as_one(tmp_path):
    """Two consecutive rounds (the second starts from the first's adapter, which rank 0 alone writes) under torchrun
    with 2 processes, against the same rounds in one process."""
    base = str(tmp_path / "base")
    write_model(base, "qwen2", scale=8.0)
    # 5 prompts per step over 2 ranks: a 2/3 split, so ranks hold different token counts and the loss scaling matters.
    optim = {"steps": 4, "batch_size": 5, "lr": 1e-2}
    rounds = lambda tag: {"schema": ROUNDS_SCHEMA, "rounds": [  # noqa: E731
        job_dict(base, str(tmp_path / f"{tag}{i}"), optim=optim, job_id=f"r{i}") for i in (1, 2)]}
    one = run_rounds(parse_rounds(rounds("one")), lambda e: None)

    (tmp_path / "two.json").write_text(json.dumps(rounds("two")))
    r = torchrun(2, "rounds", str(tmp_path / "two.json"))
    assert r.returncode == 0, r.stderr[-3000:]
    ev = events_of(r.stdout)
    kinds = [e["event"] for e in ev]
    assert kinds.count("start") == 2 and kinds.count("done") == 2, "only rank 0 reports"
    assert kinds.count("step") == 2 * 4
    assert all(e["world_size"] == 2 for e in ev if e["event"] == "start")
    two = [e["metrics"] for e in ev if e["event"] == "done"]
    assert [m["world_size"] for m in two] == [2, 2] and [m["world_size"] for m in one] == [1, 1]
    assert not [n for n in os.listdir(tmp_path) if ".tmp-" in n], "only rank 0 writes, and it cleans up"

    for i, (m1, m2) in enumerate(zip(one, two), 1):
        _, a = read_adapter(str(tmp_path / f"one{i}"))
        _, b = read_adapter(str(tmp_path / f"two{i}"))
        assert set(a) == set(b)
        assert any(float(a[k][1].abs().max()) > 1e-3 for k in a), "training must have moved the adapter"
        # Float rounding differs (other matmul shapes, summation order of the all-reduce) and Adam turns a rounding
        # difference in a near-zero gradient into an lr-sized step, so the bound is loose against rounding (measured
        # max 3e-5 after 8 steps) and tight against any real error (a wrong loss scaling or sampling: 4e-2).
        for k in a:
            for x, y in zip(a[k], b[k]):
                assert torch.allclose(x, y, atol=2e-4, rtol=1e-3), f"round {i} {k}: max diff {float((x - y).abs().max())}"
        # The evaluation is split over the ranks and summed: same figures as one process.
        for phase in ("before", "after"):
            for key, v in m1["heldout"][phase].items():
                assert m2["heldout"][phase][key] == pytest.approx(v, rel=1e-4, abs=1e-6), (i, phase, key)
        assert m2["ood"]["kl_new_vs_prev"] == pytest.approx(m1["ood"]["kl_new_vs_prev"], rel=1e-3, abs=1e-6)


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
