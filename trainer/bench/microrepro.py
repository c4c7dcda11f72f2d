"""OPCD micro-reproduction on CPU (not a test): does on-policy context distillation move a rule from the context
into the weights, closing the gap to the teacher while keeping an unrelated task intact?

Task: [Q x1..xn A] -> x1..xn EOS (identity). With the rule in context, [RULE S W Q x1..xn A] -> swap(x1)..swap(xn) EOS,
where swap exchanges letter pairs (0<->1, 2<->3, ...). OOD task: [REV y1..yn A] -> yn..y1 EOS over a separate alphabet.
A small Llama-layout model is pre-trained from scratch on a mix of the three, so it follows the rule only when the
rule is in its context. Then each method trains a LoRA adapter on prompts WITHOUT the rule, with the frozen base +
rule as teacher, and we measure greedy exact-match accuracy on held-out prompts without the rule ("swap" answers)
and on the OOD task.

  /usr/bin/python3 bench/microrepro.py [--seeds 3] [--steps 150]      (cwd trainer/, or PYTHONPATH=trainer)
"""
import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from oel_trainer import safetensors_io as st  # noqa: E402
from oel_trainer.config import ModelConfig  # noqa: E402
from oel_trainer.lora import adapter_mode  # noqa: E402
from oel_trainer.model import CausalLM  # noqa: E402
from oel_trainer.sampling import generate, left_pad  # noqa: E402
from oel_trainer.spec import parse_job  # noqa: E402
from oel_trainer.tiny import hf_config  # noqa: E402
from oel_trainer.train import Round  # noqa: E402

PAD, EOS, Q, A, RULE, S, W, REV = range(8)
LETTERS = list(range(8, 24))
OOD_LETTERS = list(range(24, 40))  # the unrelated task has its own alphabet: the rule does not apply to it
VOCAB = 40
RULE_CTX = [RULE, S, W]


def swap(x):
    return [LETTERS[(LETTERS.index(t)) ^ 1] for t in x]


def rand_seq(rng, letters=LETTERS):
    return [rng.choice(letters) for _ in range(rng.randint(3, 5))]


def example(rng, kind):
    """Returns (prompt, answer) for kind in identity / rule / rev."""
    x = rand_seq(rng, OOD_LETTERS if kind == "rev" else LETTERS)
    if kind == "identity":
        return [Q] + x + [A], x + [EOS]
    if kind == "rule":
        return RULE_CTX + [Q] + x + [A], swap(x) + [EOS]
    return [REV] + x + [A], x[::-1] + [EOS]


def pretrain(folder, seed, steps, log, smoothing=0.0):
    """Trains the base model from scratch and writes it as an HF folder."""
    cfg_dict = hf_config("llama", vocab=VOCAB, hidden=64, layers=2, heads=4, kv_heads=2)
    torch.manual_seed(seed)
    model = CausalLM(ModelConfig.from_dict(cfg_dict))
    for p in model.parameters():
        torch.nn.init.normal_(p, std=0.02) if p.dim() > 1 else None
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.0)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / 200))  # warm-up
    rng = random.Random(seed)
    kinds = ["identity"] * 4 + ["rule"] * 4 + ["rev"] * 2
    for step in range(steps):
        batch = [example(rng, rng.choice(kinds)) for _ in range(64)]
        ids, mask, pos = left_pad([p + a for p, a in batch], PAD, "cpu")
        L = max(len(a) for _, a in batch)
        logits = model(ids, position_ids=pos, key_mask=mask, last_n=L + 1)[:, :-1]
        lens = torch.tensor([len(a) for _, a in batch])
        m = (torch.arange(L).unsqueeze(0) >= (L - lens).unsqueeze(1)).float()
        loss = (F.cross_entropy(logits.reshape(-1, VOCAB), ids[:, -L:].reshape(-1), reduction="none",
                               label_smoothing=smoothing) * m.reshape(-1)).sum() / m.sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 500 == 0 or step == steps - 1:
            log(f"  pretrain step {step} loss {loss.item():.4f}")
    os.makedirs(folder)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(cfg_dict, f)
    st.save_file({k: v for k, v in model.state_dict().items()}, os.path.join(folder, "model.safetensors"))


@torch.no_grad()
def accuracy(model, mode, prompts, answers, bs=100):
    model.eval()
    hits = 0
    with adapter_mode(model, mode):
        for i in range(0, len(prompts), bs):
            outs = generate(model, prompts[i:i + bs], 8, temperature=0.0, stop_ids=[EOS], pad_id=PAD)
            hits += sum(o == a for o, a in zip(outs, answers[i:i + bs]))
    return hits / len(prompts)


def run_seed(seed, args, log):
    rng = random.Random(1000 + seed)
    seen, train, held = set(), [], []
    while len(train) + len(held) < args.train + 200:
        x = rand_seq(rng)
        if tuple(x) in seen:
            continue
        seen.add(tuple(x))
        (train if len(train) < args.train else held).append(x)
    ood = [rand_seq(rng, OOD_LETTERS) for _ in range(200)]
    tmp = tempfile.mkdtemp(prefix="opcd-microrepro-")
    base = os.path.join(args.cache or tmp, f"base-w-seed{seed}-steps{args.pretrain_steps}-ls{args.label_smoothing}")
    if not os.path.isdir(base):
        t0 = time.perf_counter()
        pretrain(base, seed, args.pretrain_steps, log, args.label_smoothing)
        log(f"  pretrain {time.perf_counter() - t0:.0f}s")
    d = {"train": train, "held": held, "held_p": [[Q] + x + [A] for x in held]}
    d["held_rule_p"] = [RULE_CTX + p for p in d["held_p"]]
    d["held_a"] = [swap(x) + [EOS] for x in held]
    d["ood_p"] = [[REV] + x + [A] for x in ood]
    d["ood_a"] = [x[::-1] + [EOS] for x in ood]
    row = {}
    try:
        for method in ("opcd", "offpolicy_fkl", "sft"):
            if not run_method(method, row, seed, args, base, tmp, d, log):
                return None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return row


def run_method(method, row, seed, args, base, tmp, d, log):
    """Trains one method's adapter and records its accuracies in `row`; False if the teacher is too weak."""
    job = parse_job({
        "schema": "oel.trainer.job/v1", "job_id": method, "base_model": base, "output_dir": os.path.join(tmp, method),
        "seed": seed, "device": "cpu", "method": method, "stop_token_ids": [EOS], "pad_token_id": PAD,
        "lora": {"rank": 8, "alpha": 16, "targets": args.targets.split(",")},
        "optim": {"lr": args.lr, "steps": args.steps, "batch_size": args.batch},
        "sampling": {"temperature": 0.7, "max_new_tokens": 8}, "loss": {"temperature": 0.7, "top_k": 256},
        "prompts": {"train": [{"id": str(i), "student": [Q] + x + [A], "teacher": RULE_CTX + [Q] + x + [A]}
                              for i, x in enumerate(d["train"])]},
    })
    r = Round(job)
    if method == "opcd":
        row["base"] = accuracy(r.model, "off", d["held_p"], d["held_a"])
        row["teacher"] = accuracy(r.model, "off", d["held_rule_p"], d["held_a"])
        if row["teacher"] < args.min_teacher:
            log(f"  teacher accuracy {row['teacher']:.3f} < {args.min_teacher}: pre-training failed, seed skipped")
            return False
        row["base_ood"] = accuracy(r.model, "off", d["ood_p"], d["ood_a"])
        row["base_identity"] = accuracy(r.model, "off", d["held_p"], [x + [EOS] for x in d["held"]])
    t1 = time.perf_counter()
    for _ in range(args.steps):
        r.step()
    row[method] = accuracy(r.model, "train", d["held_p"], d["held_a"])
    row[method + "_ood"] = accuracy(r.model, "train", d["ood_p"], d["ood_a"])
    log(f"  {method}: {args.steps} steps in {time.perf_counter() - t1:.0f}s, acc {row[method]:.3f}, "
        f"ood {row[method + '_ood']:.3f}")
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--train", type=int, default=300, help="distinct training prompts (held-out: 200 others)")
    ap.add_argument("--pretrain-steps", type=int, default=1500)
    ap.add_argument("--targets", default="q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj")
    ap.add_argument("--label-smoothing", type=float, default=0.0,
                    help="pre-training label smoothing: > 0 gives a less over-confident base, closer to real LMs")
    ap.add_argument("--min-teacher", type=float, default=0.9, help="skip seeds whose pre-trained teacher is weaker")
    ap.add_argument("--cache", help="folder to keep (and reuse) the pre-trained base models in")
    ap.add_argument("--json", help="also write the per-seed rows here")
    args = ap.parse_args()
    torch.set_num_threads(min(2, os.cpu_count() or 1))
    log = lambda s: print(s, flush=True)  # noqa: E731
    t0 = time.perf_counter()
    rows = []
    seed, skipped = 0, []
    while len(rows) < args.seeds:
        log(f"seed {seed}")
        row = run_seed(seed, args, log)
        if row is None:
            skipped.append(seed)
        else:
            rows.append(row)
        seed += 1
    mean = lambda k: sum(r[k] for r in rows) / len(rows)  # noqa: E731
    lo = lambda k: min(r[k] for r in rows)  # noqa: E731
    hi = lambda k: max(r[k] for r in rows)  # noqa: E731
    log(f"\n{args.seeds} seeds, {args.steps} steps x batch {args.batch}, lr {args.lr}, LoRA r8 on {args.targets}, "
        f"pre-training label smoothing {args.label_smoothing}, "
        f"wall {time.perf_counter() - t0:.0f}s")
    log("| model | held-out acc, no rule in context (target: swap) | OOD task acc (reverse) |")
    log("| --- | --- | --- |")
    fmt = lambda k: f"{mean(k):.3f} ({lo(k):.2f}-{hi(k):.2f})"  # noqa: E731
    log(f"| base (no rule) | {fmt('base')} | {fmt('base_ood')} |")
    log(f"| teacher (base + rule in context) | {fmt('teacher')} | - |")
    for m, name in (("opcd", "after OPCD"), ("offpolicy_fkl", "after off-policy FKL"), ("sft", "after SFT on teacher samples")):
        log(f"| {name} | {fmt(m)} | {fmt(m + '_ood')} |")
    log(f"(base answers identity without the rule: {fmt('base_identity')}; seeds skipped for a failed teacher: {skipped})")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"args": vars(args), "rows": rows}, f, indent=2)


if __name__ == "__main__":
    main()
