"""OPCD micro-reproduction v2 on CPU (a benchmark, not a test). Design, metrics and results: docs/opcd-microrepro.md.

A task plugin (bench/tasks/*.py, or any file with the same interface) defines the vocabulary, a pre-training mix,
the main task with and without knowledge, OOD probes and scoring. Per seed, a small Llama-layout base is pre-trained
on the task's mix; then each method trains a LoRA adapter through the trainer's own code (`Round`, the path of
`python3 -m oel_trainer run`) with checkpoints along the way.

  /usr/bin/python3 bench/microrepro.py [--task letters] [--seeds 5]          compare OPCD / forward KL / SFT (+ claim 3)
  /usr/bin/python3 bench/microrepro.py --mode sweep [--lrs 1e-4,3e-4,1e-3]   learning-rate sweep on a separate seed
  /usr/bin/python3 bench/microrepro.py --mode rounds                         3 rounds, a new topic each
  ... --task path/to/my_task.py --cache /tmp/mr-cache --plots ../docs/img --json out.json
"""
import argparse
import json
import os
import shutil
import sys
import tempfile
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)
from mrlib import experiments, plots, report  # noqa: E402
from mrlib.base import base_folder, pretrain  # noqa: E402
from mrlib.tasks import TaskError, has_trajectories, load_task, pretrain_config  # noqa: E402

TRAINER_DEFAULT_LR = 1e-4  # oel_trainer's default (spec.py); see the sweep in docs/opcd-microrepro.md


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--task", default="letters", help="shipped task name, module name or path to a .py file")
    ap.add_argument("--mode", choices=("compare", "sweep", "rounds"), default="compare")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--first-seed", type=int, default=0)
    ap.add_argument("--full", action="store_true", help="10 seeds and twice the steps (longer than 15 minutes)")
    ap.add_argument("--steps", type=int, default=150, help="optimizer steps per method (per round in --mode rounds)")
    ap.add_argument("--batch", type=int, default=16, help="fresh samples per step")
    ap.add_argument("--lr", type=float, default=3e-4, help="chosen by the sweep (see docs/opcd-microrepro.md)")
    ap.add_argument("--lrs", default="1e-4,3e-4,1e-3,3e-3", help="--mode sweep: learning rates")
    ap.add_argument("--sweep-seed", type=int, default=100, help="--mode sweep: a seed the comparison does not use")
    ap.add_argument("--every", type=int, default=15, help="checkpoint every N steps")
    ap.add_argument("--rank", type=int, default=8)
    ap.add_argument("--alpha", type=float, default=16)
    ap.add_argument("--targets", default="q_proj,k_proj,v_proj,o_proj", help="LoRA targets (the trainer's default)")
    ap.add_argument("--train", type=int, default=256, help="distinct training prompts per topic")
    ap.add_argument("--held", type=int, default=64, help="held-out prompts per topic (disjoint from training)")
    ap.add_argument("--ood", type=int, default=64, help="prompts per OOD probe")
    ap.add_argument("--methods", default="opcd,offpolicy_fkl,sft")
    ap.add_argument("--no-trajectories", action="store_true", help="skip claim 3 (OPCD with raw trajectories)")
    ap.add_argument("--pretrain-steps", type=int, help="override the task's pre-training steps")
    ap.add_argument("--hidden", type=int, help="override the task's base width (a bigger model)")
    ap.add_argument("--layers", type=int, help="override the task's base depth")
    ap.add_argument("--device", choices=("cpu", "cuda"), default="cpu", help="where bases and students train")
    ap.add_argument("--min-teacher", type=float, default=0.9, help="seeds whose teacher is weaker are reported and skipped")
    ap.add_argument("--cache", help="folder keeping pre-trained bases between runs")
    ap.add_argument("--plots", help="folder for PNG curves")
    ap.add_argument("--json", help="write every per-seed figure here")
    a = ap.parse_args(argv)
    if a.full:
        a.seeds, a.steps = max(a.seeds, 10), a.steps * 2
    return a


def cfg_of(a, lr=None):
    return {"lr": lr or a.lr, "steps": a.steps, "batch": a.batch, "rank": a.rank, "alpha": a.alpha,
            "targets": a.targets.split(","), "device": a.device}


def base_for(task, a, seed, log):
    steps = a.pretrain_steps or pretrain_config(task)["steps"]
    shape = {"hidden": a.hidden, "layers": a.layers}
    folder = base_folder(a.cache, task, seed, steps, shape)
    if not os.path.isdir(folder):
        t0 = time.perf_counter()
        pretrain(task, folder, seed, steps, log, shape, a.device)
        log(f"  seed {seed}: pre-trained in {time.perf_counter() - t0:.0f}s")
    return folder


def run_compare(task, a, log, tmp):
    methods = a.methods.split(",")
    runs = methods + (["opcd-trajectories"] if has_trajectories(task) and not a.no_trajectories else [])
    rows, skipped = [], []
    for seed in range(a.first_seed, a.first_seed + a.seeds):
        base = base_for(task, a, seed, log)
        data = experiments.make_data(task, seed, 0, a.train, a.held, a.ood)
        row = {"seed": seed, "ref": experiments.reference(task, base, seed, data, cfg_of(a))}
        if row["ref"]["teacher"]["acc"] < a.min_teacher:
            log(f"  seed {seed}: teacher accuracy {row['ref']['teacher']['acc']:.3f} < {a.min_teacher}: skipped")
            skipped.append(seed)
            continue
        for run in runs:
            method, _, ctx = run.partition("-")
            t0 = time.perf_counter()
            row[run] = experiments.consolidate(task, base, seed, method, cfg_of(a), data, ctx or "knowledge",
                                               os.path.join(tmp, f"s{seed}"), a.every)
            c = row[run]["curve"][-1]
            log(f"  seed {seed} {run}: {time.perf_counter() - t0:.0f}s, acc {c['acc']:.3f}, halluc {c['halluc']:.2f}, "
                f"len {c['len']:.2f}, OOD " + ", ".join(f"{k} {v:.3f}" for k, v in c["ood"].items()))
        rows.append(row)
    if not rows:
        raise SystemExit("no seed had a teacher strong enough; see the log")
    text = report.compare(rows, task.OOD_PROBES, runs)
    if skipped:
        text += f"\n\nSeeds skipped for a weak teacher: {skipped}."
    if a.plots:
        path = os.path.join(a.plots, f"opcd-microrepro-{task.NAME}.png")
        plots.curves(path, f"{task.NAME}: {len(rows)} seeds, lr {a.lr:g}, batch {a.batch}",
                     {r: [row[r]["curve"] for row in rows] for r in runs},
                     sum(r["ref"]["teacher"]["acc"] for r in rows) / len(rows), task.OOD_PROBES)
        text += f"\n\nCurves: {path}"
    return text, {"rows": rows}


def run_sweep(task, a, log, tmp):
    seed = a.sweep_seed
    base = base_for(task, a, seed, log)
    data = experiments.make_data(task, seed, 0, a.train, a.held, a.ood)
    teacher = experiments.reference(task, base, seed, data, cfg_of(a))["teacher"]["acc"]
    results = {}
    for lr in [float(x) for x in a.lrs.split(",")]:
        for m in a.methods.split(","):
            r = experiments.consolidate(task, base, seed, m, cfg_of(a, lr), data, "knowledge",
                                        os.path.join(tmp, f"lr{lr}"), a.every)
            r["teacher_acc"] = teacher
            results[(lr, m)] = r
            log(f"  lr {lr:g} {m}: acc {r['curve'][-1]['acc']:.3f}")
    text = f"Sweep on seed {seed} (teacher accuracy {teacher:.3f}):\n\n" + report.sweep_table(results, task.OOD_PROBES)
    return text, {"sweep": [{"lr": lr, "method": m, **r} for (lr, m), r in results.items()]}


def run_rounds(task, a, log, tmp):
    if task.TOPICS < 3:
        raise SystemExit(f"task {task.NAME} has {task.TOPICS} topic(s); the rounds mode needs 3")
    by_method = {m: [] for m in a.methods.split(",")}
    for seed in range(a.first_seed, a.first_seed + a.seeds):
        base = base_for(task, a, seed, log)
        datas = [experiments.make_data(task, seed, t, a.train, a.held, a.ood) for t in range(3)]
        for m in by_method:
            t0 = time.perf_counter()
            figs = experiments.rounds(task, base, seed, m, cfg_of(a), datas, os.path.join(tmp, f"s{seed}"))
            by_method[m].append(figs)
            log(f"  seed {seed} {m}: 3 rounds in {time.perf_counter() - t0:.0f}s; accuracy per topic after round 3: "
                + ", ".join(f"{t['acc']:.2f}" for t in figs[-1]["topics"]))
    text = report.rounds_table(by_method, 3, task.OOD_PROBES)
    if a.plots:
        path = os.path.join(a.plots, f"opcd-microrepro-{task.NAME}-rounds.png")
        plots.rounds_plot(path, f"{task.NAME}: 3 rounds, {a.seeds} seeds, {a.steps} steps per round, lr {a.lr:g}",
                          by_method, 3, task.OOD_PROBES)
        text += f"\n\nCurves: {path}"
    return text, {"rounds": by_method}


def main(argv=None):
    a = parse_args(argv)
    # One intra-op thread: on a shared 2-core VM, two OpenBLAS threads per process were measured 40x slower per step
    # (spin-waiting), and the models here are too small to gain from more.
    torch.set_num_threads(1)
    try:
        task = load_task(a.task)
    except TaskError as e:
        raise SystemExit(f"microrepro: {e}")
    log = lambda s: print(s, flush=True)  # noqa: E731
    tmp = tempfile.mkdtemp(prefix="opcd-microrepro-")
    a.cache = a.cache or os.path.join(tmp, "bases")
    t0 = time.perf_counter()
    try:
        text, data = {"compare": run_compare, "sweep": run_sweep, "rounds": run_rounds}[a.mode](task, a, log, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    wall = time.perf_counter() - t0
    log(f"\n## {task.NAME}, mode {a.mode}: {a.seeds if a.mode != 'sweep' else 1} seed(s), {a.steps} steps x batch "
        f"{a.batch}, lr {a.lr if a.mode != 'sweep' else a.lrs}, LoRA r{a.rank}/alpha {a.alpha:g} on {a.targets}, "
        f"wall {wall:.0f}s\n")
    log(text)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"args": vars(a), "wall_s": wall, **data}, f, indent=1, default=str)


if __name__ == "__main__":
    main()
