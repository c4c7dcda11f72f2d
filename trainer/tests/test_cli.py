import json
import os
import signal
import subprocess
import sys

import pytest

from helpers import job_dict, write_model

TRAINER = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def cli(*args, cwd=None):
    env = dict(os.environ, PYTHONPATH=TRAINER)
    return subprocess.run([sys.executable, "-m", "oel_trainer", *args], capture_output=True, text=True, env=env,
                          cwd=cwd or TRAINER, timeout=120)


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    folder = str(tmp_path_factory.mktemp("cli") / "base")
    write_model(folder, "llama", scale=8.0)
    return folder


def write_job(tmp_path, obj, name="job.json"):
    p = tmp_path / name
    p.write_text(obj if isinstance(obj, str) else json.dumps(obj))
    return str(p)


def one_error_line(r):
    assert r.returncode != 0
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("oel_trainer: error:"), r.stderr
    return lines[0]


def test_run_end_to_end(tmp_path, base):
    out = tmp_path / "out"
    r = cli("run", write_job(tmp_path, job_dict(base, str(out), steps=2)))
    assert r.returncode == 0, r.stderr
    events = [json.loads(line) for line in r.stdout.splitlines()]
    assert [e["event"] for e in events] == ["start", "eval", "step", "step", "eval", "eval", "done"]
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics == events[-1]["metrics"]
    assert set(metrics) == {"job_id", "method", "steps", "heldout", "ood", "throughput", "device", "dtype", "wall_s", "skipped_steps",
                            "world_size", "parallel"}
    assert set(metrics["heldout"]["before"]) == {"kl", "top1_agreement", "mean_response_len"}
    assert set(metrics["ood"]) == {"kl_new_vs_prev", "top1_agreement_new_vs_prev"}
    assert set(events[2]) == {"event", "step", "total_steps", "loss", "kl", "grad_norm", "skipped", "sample_tokens_per_s", "train_tokens_per_s"}
    assert events[2]["skipped"] is False and events[2]["grad_norm"] > 0


BAD = {
    "not json": ("{oops", "not valid JSON"),
    "wrong schema": ({"schema": "x"}, "schema"),
    "unknown field": (lambda j: {**j, "epochs": 3}, "unknown job field epochs"),
    "bad nested": (lambda j: {**j, "optim": {"steps": 0}}, "optim.steps"),
    "bad target": (lambda j: {**j, "lora": {"targets": ["mlp"]}}, "lora.targets"),
    "empty train": (lambda j: {**j, "prompts": {"train": []}}, "prompts.train"),
    "id out of range": (lambda j: {**j, "stop_token_ids": [64]}, "out of range"),
    "prompt id out of range": (lambda j: {**j, "prompts": {"train": [{"id": "a", "student": [1], "teacher": [999]}]}},
                               "out of range"),
    "missing base": (lambda j: {**j, "base_model": "/nonexistent/model"}, "not a folder"),
    "missing adapter": (lambda j: {**j, "init_adapter": "/nonexistent/adapter"}, "init_adapter"),
    "output parent missing": (lambda j: {**j, "output_dir": "/nonexistent/dir/out"}, "does not exist"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_one_clear_line(tmp_path, base, case):
    spec, needle = BAD[case]
    good = job_dict(base, str(tmp_path / "out"), steps=1)
    obj = spec(good) if callable(spec) else spec
    r = cli("run", write_job(tmp_path, obj))
    line = one_error_line(r)
    assert needle in line, line
    last = json.loads(r.stdout.strip().splitlines()[-1])
    assert last["event"] == "error" and needle in last["message"]
    assert not (tmp_path / "out").exists()


def test_existing_output_dir_and_incompatible_checkpoint(tmp_path, base):
    (tmp_path / "out").mkdir()
    assert "already exists" in one_error_line(cli("run", write_job(tmp_path, job_dict(base, str(tmp_path / "out")))))
    bad = tmp_path / "bad"
    write_model(str(bad), "llama", hidden=48, heads=4, kv_heads=2)
    cfg = json.loads((bad / "config.json").read_text())
    cfg["hidden_size"] = 32
    (bad / "config.json").write_text(json.dumps(cfg))
    assert "shape" in one_error_line(cli("run", write_job(tmp_path, job_dict(str(bad), str(tmp_path / "o2")))))
    assert "cannot read job file" in one_error_line(cli("run", str(tmp_path / "missing.json")))


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_killed_run_leaves_no_output_dir(tmp_path, base, sig):
    out = tmp_path / "out"
    job = write_job(tmp_path, job_dict(base, str(out), steps=100000, heldout=False, ood=False))
    p = subprocess.Popen([sys.executable, "-m", "oel_trainer", "run", job], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONPATH=TRAINER))
    for line in p.stdout:
        if json.loads(line)["event"] == "step":
            break
    p.send_signal(sig)
    rest, err = p.communicate(timeout=60)
    assert p.returncode != 0
    assert not out.exists()
    if sig == signal.SIGTERM:
        assert json.loads(rest.strip().splitlines()[-1])["event"] == "error"
        assert len(err.strip().splitlines()) == 1
        assert not [n for n in os.listdir(tmp_path) if ".tmp-" in n]


def test_generate(tmp_path, base):
    gen = {"schema": "oel.trainer.generate/v1", "base_model": base, "device": "cpu", "stop_token_ids": [63],
           "sampling": {"max_new_tokens": 5, "temperature": 0}, "output_file": str(tmp_path / "samples.json"),
           "prompts": [{"id": "a", "ids": [1, 2, 3]}, {"id": "b", "ids": [4]}]}
    r = cli("generate", write_job(tmp_path, gen))
    assert r.returncode == 0, r.stderr
    samples = json.loads((tmp_path / "samples.json").read_text())["samples"]
    assert [s["id"] for s in samples] == ["a", "b"]
    assert all(1 <= len(s["ids"]) <= 5 and 63 not in s["ids"] for s in samples)
    gen["prompts"] = [{"id": "a", "ids": [100]}]
    assert "out of range" in one_error_line(cli("generate", write_job(tmp_path, gen, "g2.json")))


def test_generate_with_adapter(tmp_path, base):
    out = tmp_path / "ad"
    assert cli("run", write_job(tmp_path, job_dict(base, str(out), steps=2, heldout=False, ood=False))).returncode == 0
    gen = {"schema": "oel.trainer.generate/v1", "base_model": base, "adapter": str(out), "device": "cpu",
           "stop_token_ids": [63], "sampling": {"max_new_tokens": 4}, "output_file": str(tmp_path / "s.json"),
           "prompts": [{"id": "a", "ids": [1, 2, 3]}]}
    r = cli("generate", write_job(tmp_path, gen, "g.json"))
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("arch", ["llama", "llama3", "qwen2", "qwen3", "mistral"])
def test_init_tiny_writes_a_loadable_folder_with_tokenizer(tmp_path, arch):
    out = tmp_path / arch
    r = cli("init-tiny", str(out), "--arch", arch, "--hidden", "32", "--layers", "1", "--seed", "3")
    assert r.returncode == 0, r.stderr
    cfg = json.loads((out / "config.json").read_text())
    assert cfg["vocab_size"] == 259 and cfg["num_hidden_layers"] == 1
    assert cfg["model_type"] == {"llama3": "llama"}.get(arch, arch)
    tok = json.loads((out / "tokenizer.json").read_text())
    assert tok["model"]["type"] == "BPE" and len(tok["model"]["vocab"]) == 256 and tok["model"]["merges"] == []
    assert sorted(tok["model"]["vocab"].values()) == list(range(256))
    assert tok["model"]["vocab"]["Ġ"] == 32 and tok["model"]["vocab"]["a"] == 97
    assert {t["content"]: t["id"] for t in tok["added_tokens"]} == {
        "<|endoftext|>": 256, "<|im_start|>": 257, "<|im_end|>": 258}
    tc = json.loads((out / "tokenizer_config.json").read_text())
    assert tc["eos_token"] == "<|im_end|>" and tc["pad_token"] == "<|endoftext|>" and tc["bos_token"] is None
    assert "<|im_start|>assistant\\n" in tc["chat_template"] or "<|im_start|>assistant\n" in tc["chat_template"]
    from oel_trainer.checkpoint import load_base
    load_base(str(out))


def test_init_tiny_errors(tmp_path):
    assert ">= 259" in one_error_line(cli("init-tiny", str(tmp_path / "x"), "--arch", "llama", "--vocab", "100"))
    assert "--arch" in one_error_line(cli("init-tiny", str(tmp_path / "x"), "--arch", "gpt2"))
    assert one_error_line(cli("init-tiny", str(tmp_path / "y"), "--arch", "qwen2", "--heads", "3"))


def test_module_runs_from_trainer_cwd(tmp_path):
    r = subprocess.run([sys.executable, "-m", "oel_trainer", "--help"], capture_output=True, text=True, cwd=TRAINER)
    assert r.returncode == 0 and "init-tiny" in r.stdout
