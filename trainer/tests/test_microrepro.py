"""Smoke runs of the micro-reproduction (bench/microrepro.py) with tiny settings: the task-plugin interface, including
a task file from outside the repository, and the rounds mode. Figures are not checked here (a benchmark, not a test;
results are in docs/opcd-microrepro.md)."""
import json
import os
import subprocess
import sys
import textwrap

BENCH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bench")
TINY = ["--seeds", "1", "--steps", "2", "--every", "1", "--pretrain-steps", "3", "--train", "12", "--held", "4",
        "--ood", "4", "--min-teacher", "0"]

# A complete task written from scratch, as an outside user would: "add k" over digits, k stated in the knowledge.
OUTSIDE_TASK = textwrap.dedent('''
    NAME = "outside-add"
    PAD, EOS, A, K, Q, REV = range(6)
    DIGITS = list(range(6, 16))
    VOCAB, MAX_NEW_TOKENS, TOPICS = 16, 6, 3
    OOD_PROBES = ["reverse"]
    MODEL = {"hidden": 16, "layers": 1, "heads": 2, "kv_heads": 1}

    def _xs(rng):
        return [rng.choice(DIGITS) for _ in range(3)]

    def add(xs, k):
        return [DIGITS[(DIGITS.index(x) + k) % 10] for x in xs]

    def pretrain_example(rng):
        xs, k = _xs(rng), rng.randrange(1, 4)
        return [K, DIGITS[k], Q] + xs + [A], add(xs, k) + [EOS]

    def main_prompt(rng, topic):
        xs = _xs(rng)
        return {"student": [Q] + xs + [A], "knowledge": [K, DIGITS[topic + 1]], "trajectories": [K, xs[0]],
                "key": tuple(xs), "xs": xs}

    def score(topic, prompt, response):
        return {"correct": response == add(prompt["xs"], topic + 1) + [EOS]}

    def ood_prompt(rng, name):
        xs = _xs(rng)
        return {"student": [REV] + xs + [A], "answer": xs[::-1] + [EOS]}

    def score_ood(name, prompt, response):
        return response == prompt["answer"]
''')


def bench(*args, cwd=None):
    return subprocess.run([sys.executable, os.path.join(BENCH, "microrepro.py"), *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd)


def test_an_outside_task_file_runs_with_no_code_change(tmp_path):
    task = tmp_path / "elsewhere" / "my_task.py"
    task.parent.mkdir()
    task.write_text(OUTSIDE_TASK)
    r = bench("--task", str(task), *TINY, "--json", str(tmp_path / "out.json"), "--plots", str(tmp_path / "png"),
              cwd=str(tmp_path))
    assert r.returncode == 0, r.stderr[-3000:]
    assert "## outside-add, mode compare" in r.stdout
    assert "| OPCD |" in r.stdout and "| forward KL (teacher samples) |" in r.stdout and "Claim 3" in r.stdout
    rows = json.loads((tmp_path / "out.json").read_text())["rows"]
    assert set(rows[0]) >= {"ref", "opcd", "offpolicy_fkl", "sft", "opcd-trajectories"}
    assert [c["step"] for c in rows[0]["opcd"]["curve"]] == [0, 1, 2]
    assert (tmp_path / "png" / "opcd-microrepro-outside-add.png").stat().st_size > 10_000


def test_rounds_mode_runs_three_rounds(tmp_path):
    r = bench("--mode", "rounds", "--task", "letters", *TINY, "--methods", "opcd", "--json", str(tmp_path / "r.json"))
    assert r.returncode == 0, r.stderr[-3000:]
    runs = json.loads((tmp_path / "r.json").read_text())["rounds"]["opcd"]
    assert [f["round"] for f in runs[0]] == [0, 1, 2, 3]
    assert all(len(f["topics"]) == 3 and set(f["ood"]) == {"copy", "reverse"} for f in runs[0])


def test_a_broken_task_is_refused_with_a_message_naming_the_problem(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(OUTSIDE_TASK.replace("def score(", "def not_score("))
    r = bench("--task", str(bad), *TINY)
    assert r.returncode != 0 and "missing score" in r.stderr
    unequal = tmp_path / "unequal.py"
    unequal.write_text(OUTSIDE_TASK.replace('"trajectories": [K, xs[0]]', '"trajectories": [K, xs[0], xs[1]]'))
    r = bench("--task", str(unequal), *TINY)
    assert r.returncode != 0 and "equal token budgets" in r.stderr
