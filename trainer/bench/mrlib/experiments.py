"""The micro-reproduction's runs, all through the trainer's own code: `Round` (the path of `oel_trainer run`) for one
consolidation with checkpoints, and `run_rounds` (the path of `oel_trainer rounds`) for the multi-round mode."""
import os
import random

from oel_trainer.spec import ROUNDS_SCHEMA, parse_job, parse_rounds
from oel_trainer.train import Round, run_rounds

from .evaluate import kl, main_figures, ood_figures, with_context


def make_data(task, seed, topic, n_train, n_held, n_ood):
    """Distinct train and held-out prompts of `topic` (disjoint by key), and OOD prompts per probe; seeded."""
    rng = random.Random(10_000 * seed + topic)
    seen, train, held = set(), [], []
    tries = 0
    while len(train) + len(held) < n_train + n_held:
        p = task.main_prompt(rng, topic)
        tries += 1
        if tries > 100 * (n_train + n_held):
            raise RuntimeError(f"task {task.NAME}: cannot draw {n_train + n_held} distinct prompts for topic {topic}")
        if p["key"] in seen:
            continue
        seen.add(p["key"])
        (train if len(train) < n_train else held).append(p)
    ood = {name: [task.ood_prompt(rng, name) for _ in range(n_ood)] for name in task.OOD_PROBES}
    return {"topic": topic, "train": train, "held": held, "ood": ood}


def job_dict(task, base, out_dir, seed, method, cfg, train, context, job_id=None):
    """An oel.trainer.job/v1 job: student prompts without context, teacher prompts with the context block."""
    return {
        "schema": "oel.trainer.job/v1", "job_id": job_id or f"{method}-{context}", "base_model": base,
        "output_dir": out_dir, "seed": seed, "device": cfg.get("device", "cpu"), "method": method,
        "stop_token_ids": [task.EOS], "pad_token_id": task.PAD,
        "lora": {"rank": cfg["rank"], "alpha": cfg["alpha"], "targets": cfg["targets"]},
        "optim": {"lr": cfg["lr"], "steps": cfg["steps"], "batch_size": cfg["batch"]},
        "sampling": {"temperature": 0.7, "max_new_tokens": task.MAX_NEW_TOKENS},
        "loss": {"temperature": 0.7, "top_k": 256},
        "prompts": {"train": [{"id": str(i), "student": p["student"], "teacher": with_context(p, context)}
                              for i, p in enumerate(train)]},
    }


def checkpoint(task, model, mode, data, base_mode="off"):
    """Held-out figures without context, KL to the knowledge teacher (the base with the knowledge block: the yardstick
    for every method and context), OOD accuracy per probe and KL(new || base) on the OOD prompts."""
    held, topic = data["held"], data["topic"]
    f = main_figures(task, topic, model, mode, held)
    f["kl_teacher"] = kl(task, model, mode, [p["student"] for p in held], base_mode,
                         [with_context(p, "knowledge") for p in held])
    f["ood"] = ood_figures(task, model, mode, data["ood"])
    f["ood_kl"] = {name: kl(task, model, mode, [p["student"] for p in items], base_mode, [p["student"] for p in items])
                   for name, items in data["ood"].items()}
    return f


def consolidate(task, base, seed, method, cfg, data, context, tmp, every):
    """One method's consolidation with a checkpoint every `every` steps (and at step 0). Returns {curve, tokens}:
    tokens = response tokens the loss was computed on, over all steps."""
    job = parse_job(job_dict(task, base, os.path.join(tmp, f"{method}-{context}"), seed, method, cfg, data["train"], context))
    r = Round(job)
    curve = [dict(step=0, tokens=0, **checkpoint(task, r.model, "train", data))]
    for s in range(1, cfg["steps"] + 1):
        r.step()
        if s % every == 0 or s == cfg["steps"]:
            curve.append(dict(step=s, tokens=int(r.sample_tokens), **checkpoint(task, r.model, "train", data)))
    return {"curve": curve, "tokens": int(r.sample_tokens)}


def reference(task, base, seed, data, cfg):
    """Figures of the base without and with each context (mode "off"), and its sampled behaviour at T=0.7."""
    r = Round(parse_job(job_dict(task, base, "/nonexistent/x", seed, "opcd", cfg, data["train"][:1], "knowledge")))
    held, topic, m = data["held"], data["topic"], r.model
    out = {"base": main_figures(task, topic, m, "off", held),
           "base_sampled": main_figures(task, topic, m, "off", held, temperature=0.7, seed=seed),
           "teacher": main_figures(task, topic, m, "off", held, "knowledge"),
           "base_ood": ood_figures(task, m, "off", data["ood"])}
    if "trajectories" in held[0]:
        out["teacher_raw"] = main_figures(task, topic, m, "off", held, "trajectories")
    return out


def rounds(task, base, seed, method, cfg, datas, tmp):
    """Consecutive rounds, one topic each (round r: topic r's knowledge and prompts), through oel_trainer's `rounds`
    code path; then every round's model is measured on all topics without context. Returns a list of per-round
    figures, round 0 being the base."""
    os.makedirs(tmp, exist_ok=True)
    jobs = parse_rounds({"schema": ROUNDS_SCHEMA, "rounds": [
        job_dict(task, base, os.path.join(tmp, f"{method}-round{i + 1}"), seed, method, cfg, d["train"], "knowledge",
                 job_id=f"round-{i + 1}") for i, d in enumerate(datas)]})
    run_rounds(jobs, lambda e: None)
    out = []
    for i in range(len(jobs) + 1):
        spec = job_dict(task, base, "/nonexistent/x", seed, method, cfg, datas[0]["train"][:1], "knowledge")
        spec["init_adapter"] = jobs[i - 1].output_dir if i else None
        ev = Round(parse_job(spec))
        mode = "ref" if i else "off"  # "ref" = base + round i's adapter
        fig = {"round": i, "topics": [main_figures(task, d["topic"], ev.model, mode, d["held"]) for d in datas],
               "ood": ood_figures(task, ev.model, mode, datas[0]["ood"]),
               "ood_kl": {n: kl(task, ev.model, mode, [p["student"] for p in items], "off", [p["student"] for p in items])
                          for n, items in datas[0]["ood"].items()}}
        out.append(fig)
    return out
