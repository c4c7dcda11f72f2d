"""Measurements of the micro-reproduction, on one model in one LoRA mode ("off" = base, "ref" = the round's starting
model, "train" = the student being trained)."""
import torch

from oel_trainer import losses
from oel_trainer.lora import adapter_mode
from oel_trainer.sampling import generate
from oel_trainer.train import response_logits

CONTEXTS = ("none", "knowledge", "trajectories")


def _device(model):
    return next(model.parameters()).device


def with_context(p, context):
    """The prompt ids a model sees: the student prompt, preceded by the knowledge or raw-trajectory block."""
    return p["student"] if context == "none" else p[context] + p["student"]


@torch.no_grad()
def respond(task, model, mode, prompts, temperature=0.0, seed=0, bs=128):
    """Responses (ids incl. EOS when produced); greedy by default, else sampled with a fixed generator."""
    model.eval()
    gen = torch.Generator(device=_device(model)).manual_seed(seed)
    out = []
    with adapter_mode(model, mode):
        for i in range(0, len(prompts), bs):
            out += generate(model, prompts[i:i + bs], task.MAX_NEW_TOKENS, temperature, 1.0, [task.EOS], task.PAD, gen)
    return out


def response_len(task, r):
    """Tokens before EOS (the length the paper reports falling)."""
    return r.index(task.EOS) if task.EOS in r else len(r)


def main_figures(task, topic, model, mode, items, context="none", temperature=0.0, seed=0):
    """{acc, halluc, len, cited_right} over `items` (main prompts of `topic`) answered with `context`."""
    res = respond(task, model, mode, [with_context(p, context) for p in items], temperature, seed)
    sc = [task.score(topic, p, r) for p, r in zip(items, res)]
    n = max(len(items), 1)
    return {"acc": sum(s["correct"] for s in sc) / n, "halluc": sum(s.get("hallucinated", False) for s in sc) / n,
            "cited_right": sum(s.get("cited_right", False) for s in sc) / n,
            "len": sum(response_len(task, r) for r in res) / n}


def ood_figures(task, model, mode, probes):
    """{probe name: greedy accuracy} over the OOD prompts of each probe."""
    out = {}
    for name, items in probes.items():
        res = respond(task, model, mode, [p["student"] for p in items])
        out[name] = sum(bool(task.score_ood(name, p, r)) for p, r in zip(items, res)) / max(len(items), 1)
    return out


@torch.no_grad()
def kl(task, model, a_mode, a_prompts, b_mode, b_prompts, temperature=0.7, seed=1, bs=128):
    """Token-mean KL(a || b) at `temperature` on responses that model a samples (fixed generator) to a_prompts; b
    scores the same tokens after b_prompts. The trainer's eval KL, with any pair of modes."""
    model.eval()
    gen = torch.Generator(device=_device(model)).manual_seed(seed)
    total = n = 0.0
    for i in range(0, len(a_prompts), bs):
        ap, bp = a_prompts[i:i + bs], b_prompts[i:i + bs]
        with adapter_mode(model, a_mode):
            resp = generate(model, ap, task.MAX_NEW_TOKENS, temperature, 1.0, [task.EOS], task.PAD, gen)
            a_logits, _, mask = response_logits(model, ap, resp, task.PAD)
        with adapter_mode(model, b_mode):
            b_logits, _, _ = response_logits(model, bp, resp, task.PAD)
        m = float(mask.sum())
        total += float(losses.reverse_kl(a_logits, b_logits, mask, temperature)) * m
        n += m
    return total / max(n, 1.0)
