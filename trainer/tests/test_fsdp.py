"""FSDP (`parallel: "fsdp"`): what can be checked without a GPU. PyTorch refuses FSDP without CUDA (and Debian's torch
1.13 cannot import it on Python 3.11), so these tests cover the decisions fsdp.py makes — which modules become FSDP
units, which tensors make up the saved adapter, the refusal on CPU, equal forward counts on every rank — and the
config path. That FSDP trains the same adapter as DDP is checked on a GPU machine by bench/gpu-check.sh
(bench/fsdp_check.py)."""
import json
import os
import subprocess
import sys

import pytest
import torch

from oel_trainer import fsdp
from oel_trainer.checkpoint import adapter_tensors, install_reference
from oel_trainer.errors import TrainerError
from oel_trainer.lora import apply_lora
from oel_trainer.sampling import generate
from oel_trainer.spec import ROUNDS_SCHEMA, parse_job, parse_rounds
from oel_trainer.train import eval_starts

from helpers import job_dict, tiny_model, write_model

TRAINER = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def lora_model(tmp_path, layers=3):
    model, cfg, folder = tiny_model(tmp_path, "qwen2", layers=layers)
    torch.manual_seed(1)
    apply_lora(model, 4, 8.0, 0.0, ["q_proj", "v_proj", "down_proj"])
    return model, cfg, folder


def test_auto_wrap_policy_gives_each_decoder_layer_its_own_unit(tmp_path):
    model, _, _ = lora_model(tmp_path, layers=3)
    units = [n for n, m in model.named_modules() if fsdp.is_decoder_layer(m)]
    assert units == ["model.layers.0", "model.layers.1", "model.layers.2"]
    # the LoRA layers are inside those units, and nothing else (embeddings, norm, lm_head) is a unit of its own
    lora_names = [n for n, _ in model.named_parameters() if ".lora_" in n]
    assert lora_names and all(any(n.startswith(u + ".") for u in units) for n in lora_names)


def fsdp_style(name):
    """The name FSDP's wrappers give a parameter of the root and of each decoder-layer unit."""
    parts = name.split(".")
    if parts[:2] == ["model", "layers"]:
        parts.insert(3, "_fsdp_wrapped_module")
    return "_fsdp_wrapped_module." + ".".join(parts)


def test_lora_only_extraction_from_fsdp_names_matches_the_plain_adapter(tmp_path):
    model, _, _ = lora_model(tmp_path)
    with torch.no_grad():  # a non-trivial adapter and a different reference adapter, so a mix-up would show
        for n, p in model.named_parameters():
            if ".lora_" in n:
                p.copy_(torch.randn(p.shape))
    pairs = {n: (torch.randn(m.lora_A.shape), torch.randn(m.lora_B.shape))
             for n, m in model.named_modules() if type(m).__name__ == "LoRALinear"}
    install_reference(model, pairs, "ref")
    with torch.no_grad():
        for n, p in model.named_parameters():
            if ".lora_" in n:
                p.add_(1.0)  # trainable adapter moved away from the reference
    want = adapter_tensors(model)
    state = model.state_dict(keep_vars=True)
    assert any(".ref_A" in k for k in state) and any(".base.weight" in k for k in state)
    got = fsdp.lora_tensors((fsdp_style(k), v) for k, v in state.items())
    assert sorted(got) == sorted(want)
    for k in want:
        assert torch.equal(got[k], want[k]), k
        assert got[k].dtype == torch.float32 and got[k].device.type == "cpu"
    # DDP's `module.` prefix and plain names give the same
    assert sorted(fsdp.lora_tensors(("module." + k, v) for k, v in state.items())) == sorted(want)


def test_wrapper_segments_are_removed_but_real_names_kept():
    assert fsdp.peft_name("_fsdp_wrapped_module.model.layers.0._fsdp_wrapped_module.self_attn.q_proj.lora_A") == \
        "model.layers.0.self_attn.q_proj.lora_A"
    assert fsdp.peft_name("module.model.layers.1._checkpoint_wrapped_module.mlp.down_proj.lora_B") == \
        "model.layers.1.mlp.down_proj.lora_B"
    assert fsdp.peft_name("model.layers.0.mlp.up_proj.base.weight") == "model.layers.0.mlp.up_proj.base.weight"


def test_refusal_names_the_reason():
    cpu = fsdp.refusal("cpu")
    assert "needs CUDA GPUs" in cpu and "FSDP does not support CPU only execution" in cpu and "ddp" in cpu
    assert "is_available() is false" in fsdp.refusal("cuda", "2.4.0", cuda_available=False)
    old = fsdp.refusal("cuda", "1.13.0a0", cuda_available=True)
    assert "torch >= 2.1" in old and "1.13.0a0" in old
    assert fsdp.refusal("cuda", "2.4.1+cu124", cuda_available=True) is None
    assert fsdp.torch_version("2.10.0") == (2, 10)


def cli(*args):
    env = dict(os.environ, PYTHONPATH=TRAINER)
    return subprocess.run([sys.executable, "-m", "oel_trainer", *args], capture_output=True, text=True, env=env,
                          cwd=TRAINER, timeout=120)


@pytest.mark.parametrize("how", ["job", "flag"])
def test_fsdp_on_cpu_fails_with_the_reason_and_writes_nothing(tmp_path, how):
    base = str(tmp_path / "base")
    write_model(base, "llama")
    out = tmp_path / "out"
    job = job_dict(base, str(out), **({"parallel": "fsdp"} if how == "job" else {}))
    (tmp_path / "job.json").write_text(json.dumps(job))
    r = cli("run", str(tmp_path / "job.json"), *(["--parallel", "fsdp"] if how == "flag" else []))
    assert r.returncode != 0
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "needs CUDA GPUs" in lines[0] and "FSDP does not support CPU only" in lines[0], r.stderr
    last = json.loads(r.stdout.strip().splitlines()[-1])
    assert last["event"] == "error" and "needs CUDA GPUs" in last["message"]
    assert not any(json.loads(line)["event"] == "step" for line in r.stdout.strip().splitlines())
    assert not out.exists()


def test_parallel_field_is_validated(tmp_path):
    assert parse_job(job_dict("b", "o")).parallel == "ddp"
    assert parse_job(job_dict("b", "o", parallel="fsdp")).parallel == "fsdp"
    with pytest.raises(TrainerError, match="parallel"):
        parse_job(job_dict("b", "o", parallel="zero3"))
    rounds = {"schema": ROUNDS_SCHEMA, "rounds": [job_dict("b", "o1"), job_dict("b", "o2", parallel="fsdp")]}
    with pytest.raises(TrainerError, match="parallel differs"):
        parse_rounds(rounds)


@pytest.mark.parametrize("n,bs,world", [(5, 2, 2), (4, 4, 3), (1, 2, 2), (9, 2, 4), (8, 3, 1)])
def test_fsdp_evaluation_runs_the_same_number_of_chunks_on_every_rank(n, bs, world):
    """Under FSDP every forward is collective: a rank with fewer rows must still join every chunk, or all hang."""
    counts, covered = set(), []
    for rank in range(world):
        lo, hi = rank * n // world, (rank + 1) * n // world
        starts = eval_starts(lo, hi, bs, n, world, same_count=True)
        counts.add(len(starts))
        for i in starts:
            covered += list(range(i, min(i + bs, hi)))
    assert len(counts) == 1, counts
    assert sorted(covered) == list(range(n)), "every row scored exactly once"


def test_sampling_that_waits_for_other_ranks_returns_the_same_responses(tmp_path):
    """With FSDP a rank whose rows are done keeps stepping until every rank is done; its responses must not change."""
    model, _, _ = lora_model(tmp_path)
    prompts = [[1, 2, 3], [4, 5]]
    stops = list(range(20, 60))  # most tokens stop: every row ends early
    solo = generate(model, prompts, 12, 1.0, 1.0, stops, 0, torch.Generator().manual_seed(3))
    assert all(len(r) < 12 for r in solo), "precondition: rows stop before max_new_tokens"
    calls = []
    never = lambda done: calls.append(done) or False  # noqa: E731  (another rank is never done)
    waited = generate(model, prompts, 12, 1.0, 1.0, stops, 0, torch.Generator().manual_seed(3),
                      cache_dtype=torch.float32, all_done=never)
    assert waited == solo
    assert len(calls) == 12, "asked the other ranks at every token until max_new_tokens"
