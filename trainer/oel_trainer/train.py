"""One consolidation round: OPCD (or a baseline) into a LoRA adapter, with before/after evaluation.

Roles share one set of base weights through the LoRA mode switch (lora.py):
  student = base + trainable adapter, prompted WITHOUT knowledge;
  teacher = the round's starting model (base + init adapter, frozen), prompted WITH knowledge.
"""
import math
import os
import random
import shutil
import time

import torch

from . import losses
from .checkpoint import install_reference, load_base, read_adapter, write_adapter, write_json
from .errors import TrainerError
from .lora import adapter_mode, apply_lora
from .sampling import generate, left_pad
from .spec import check_ids

DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16}


def pick_device(name):
    if name == "cuda" and not torch.cuda.is_available():
        raise TrainerError("device cuda requested but torch.cuda.is_available() is false")
    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return name


def response_logits(model, prompts, responses, pad_id, last_n=None):
    """Scores `responses` after `prompts` (lists of id lists). Returns logits (B,L,V) predicting each response token,
    targets (B,L) and mask (B,L), L = longest response; rows are end-aligned (left padding)."""
    dev = model.lm_head.weight.device
    ids, key_mask, pos = left_pad([p + r for p, r in zip(prompts, responses)], pad_id, dev)
    L = max(len(r) for r in responses)
    logits = model(ids, position_ids=pos, key_mask=key_mask, last_n=L + 1)[:, :-1]  # (B,L,V)
    lens = torch.tensor([len(r) for r in responses], device=dev)
    mask = torch.arange(L, device=dev).unsqueeze(0) >= (L - lens).unsqueeze(1)  # (B,L)
    return logits, ids[:, -L:], mask


class Round:
    """Model, adapter and settings of one job; methods for sampling, scoring, one optimiser step and evaluation."""

    def __init__(self, job, emit=lambda e: None):
        self.job, self.emit = job, emit
        self.device = pick_device(job.device)
        self.dtype = DTYPES[job.dtype]
        torch.manual_seed(job.seed)
        self.model, self.cfg = load_base(job.base_model, self.device, self.dtype)
        self.pad_id = job.pad_token_id if job.pad_token_id is not None else (job.stop_token_ids or [0])[0]
        check_ids(job.train + job.heldout + job.ood, job.stop_token_ids, self.pad_id, self.cfg.vocab_size)
        torch.manual_seed(job.seed)
        lo = job.lora
        apply_lora(self.model, lo.rank, lo.alpha, lo.dropout, lo.targets)
        if job.init_adapter:
            conf, pairs = read_adapter(job.init_adapter)
            if int(conf.get("r", -1)) != lo.rank or float(conf.get("lora_alpha", -1)) != float(lo.alpha):
                raise TrainerError(f"init adapter {job.init_adapter}: r={conf.get('r')} lora_alpha={conf.get('lora_alpha')} "
                                   f"differ from the job's rank={lo.rank} alpha={lo.alpha}")
            install_reference(self.model, pairs, job.init_adapter)
        self.model.to(self.device)
        self.params = [p for p in self.model.parameters() if p.requires_grad]
        self.opt = torch.optim.AdamW(self.params, lr=job.optim.lr, weight_decay=job.optim.weight_decay)
        self.gen = torch.Generator(device=self.device)
        self.gen.manual_seed(job.seed)
        self.order, self.cursor = [], 0
        self.rng = random.Random(job.seed)
        self.sample_tokens = self.sample_s = self.train_tokens = self.train_s = 0.0

    def sample(self, prompts, mode, generator=None):
        s = self.job.sampling
        self.model.eval()
        with adapter_mode(self.model, mode):
            return generate(self.model, prompts, s.max_new_tokens, s.temperature, s.top_p,
                            self.job.stop_token_ids, self.pad_id, generator or self.gen)

    def next_batch(self):
        out = []
        while len(out) < self.job.optim.batch_size:
            if self.cursor >= len(self.order):
                self.order = list(range(len(self.job.train)))
                self.rng.shuffle(self.order)
                self.cursor = 0
            out.append(self.job.train[self.order[self.cursor]])
            self.cursor += 1
        return out

    def step(self):
        """One optimiser step on a fresh batch. Returns {loss, kl, grad_norm (None when skipped), skipped, sample and
        train tokens/s}; the step is skipped, leaving the adapter and the optimiser state as they were, when the
        gradient norm is not finite."""
        job, T = self.job, self.job.loss.temperature
        batch = self.next_batch()
        s_prompts, t_prompts = [p.student for p in batch], [p.teacher for p in batch]
        t0 = time.perf_counter()
        if job.method == "opcd":  # the student answers its own prompt (on-policy)
            resp = self.sample(s_prompts, "train")
        else:  # baselines: the teacher answers with knowledge in context (off-policy)
            resp = self.sample(t_prompts, "ref")
        t1 = time.perf_counter()
        self.model.eval()
        with torch.no_grad(), adapter_mode(self.model, "ref"):
            t_logits, _, _ = response_logits(self.model, t_prompts, resp, self.pad_id)
        self.model.train()
        s_logits, targets, mask = response_logits(self.model, s_prompts, resp, self.pad_id)
        if job.method == "opcd":
            if job.loss.exact:
                loss = losses.reverse_kl(s_logits, t_logits, mask, T)
            else:
                loss = losses.reverse_kl_topk(s_logits, t_logits, mask, job.loss.top_k, T)
        elif job.method == "offpolicy_fkl":
            loss = losses.forward_kl(s_logits, t_logits, mask, T)
        else:
            loss = losses.cross_entropy(s_logits, targets, mask)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        grad_norm = float(torch.nn.utils.clip_grad_norm_(self.params, job.optim.grad_clip))
        # One NaN/inf gradient would poison AdamW's moments and then every LoRA weight: skip the step instead, as the
        # reference trainer does, and report it so the server can see a round that keeps skipping.
        skipped = not math.isfinite(grad_norm)
        if skipped:
            self.opt.zero_grad(set_to_none=True)
        else:
            self.opt.step()
        if self.device == "cuda":
            torch.cuda.synchronize()
        t2 = time.perf_counter()
        kl = float(losses.reverse_kl(s_logits.detach(), t_logits, mask, T))
        n_gen = sum(len(r) for r in resp)
        n_train = sum(len(p) + len(r) for p, r in zip(s_prompts, resp))
        self.sample_tokens += n_gen
        self.sample_s += t1 - t0
        self.train_tokens += n_train
        self.train_s += t2 - t1
        return {"loss": finite_or_none(float(loss)), "kl": finite_or_none(kl), "grad_norm": None if skipped else grad_norm,
                "skipped": skipped,
                "sample_tokens_per_s": n_gen / max(t1 - t0, 1e-9), "train_tokens_per_s": n_train / max(t2 - t1, 1e-9)}

    @torch.no_grad()
    def evaluate(self, pairs, student_mode="train", ref_prompts="teacher"):
        """Samples the student (mode `student_mode`, no knowledge) on each pair, then compares it on those tokens with
        the starting model ("ref" mode) prompted with `ref_prompts` ("teacher": with knowledge, "student": without).
        Returns {kl, top1_agreement, mean_response_len}; kl is the full-vocabulary token-mean KL(student || ref)."""
        T, bs = self.job.loss.temperature, self.job.optim.batch_size
        gen = torch.Generator(device=self.device)
        gen.manual_seed(self.job.seed + 1)  # same stream before and after training
        kl_sum = agree_sum = n_tok = n_resp = n_gen = 0.0
        for i in range(0, len(pairs), bs):
            chunk = pairs[i:i + bs]
            sp = [p.student for p in chunk]
            rp = [p.teacher if ref_prompts == "teacher" else p.student for p in chunk]
            resp = self.sample(sp, student_mode, gen)
            self.model.eval()
            with adapter_mode(self.model, student_mode):
                s_logits, _, mask = response_logits(self.model, sp, resp, self.pad_id)
            with adapter_mode(self.model, "ref"):
                r_logits, _, _ = response_logits(self.model, rp, resp, self.pad_id)
            n = float(mask.sum())
            kl_sum += float(losses.reverse_kl(s_logits, r_logits, mask, T)) * n
            agree_sum += losses.top1_agreement(s_logits, r_logits, mask) * n
            n_tok += n
            n_resp += len(resp)
            stops = set(self.job.stop_token_ids)
            n_gen += sum(len(r) - (1 if r and r[-1] in stops else 0) for r in resp)
        n_tok = max(n_tok, 1.0)
        return {"kl": kl_sum / n_tok, "top1_agreement": agree_sum / n_tok, "mean_response_len": n_gen / max(n_resp, 1)}


def check_output_dir(path):
    path = os.path.abspath(path)
    if os.path.lexists(path):
        raise TrainerError(f"output_dir {path} already exists")
    parent = os.path.dirname(path)
    if not os.path.isdir(parent):
        raise TrainerError(f"output_dir parent {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise TrainerError(f"output_dir parent {parent} is not writable")
    return path


def finite_or_none(x):
    """x, or None when it is NaN or infinite (JSON has no NaN: a progress line carrying one would be unreadable)."""
    return x if math.isfinite(x) else None


def run_job(job, emit):
    """Runs a validated Job, emitting progress events; returns the metrics dict (also in output_dir/metrics.json)."""
    t_start = time.perf_counter()
    out_dir = check_output_dir(job.output_dir)
    if job.init_adapter and not os.path.isdir(job.init_adapter):
        raise TrainerError(f"init_adapter {job.init_adapter} is not a folder")
    r = Round(job, emit)
    emit({"event": "start", "job_id": job.job_id, "total_steps": job.optim.steps, "device": r.device, "dtype": job.dtype})
    before = None
    if job.heldout:
        before = r.evaluate(job.heldout)
        emit({"event": "eval", "phase": "before", "split": "heldout", "figures": before})
    skipped = 0
    for i in range(job.optim.steps):
        st = r.step()
        skipped += st["skipped"]
        emit({"event": "step", "step": i + 1, "total_steps": job.optim.steps, **st})
    heldout = None
    if job.heldout:
        after = r.evaluate(job.heldout)
        emit({"event": "eval", "phase": "after", "split": "heldout", "figures": after})
        heldout = {"before": before, "after": after}
    ood = None
    if job.ood:
        f = r.evaluate(job.ood, ref_prompts="student")
        ood = {"kl_new_vs_prev": f["kl"], "top1_agreement_new_vs_prev": f["top1_agreement"]}
        emit({"event": "eval", "phase": "after", "split": "ood", "figures": ood})
    metrics = {
        "job_id": job.job_id, "method": job.method, "steps": job.optim.steps, "heldout": heldout, "ood": ood,
        "throughput": {"sampling_tokens_per_s": r.sample_tokens / max(r.sample_s, 1e-9),
                       "training_tokens_per_s": r.train_tokens / max(r.train_s, 1e-9)},
        "device": r.device, "dtype": job.dtype, "wall_s": 0.0, "skipped_steps": skipped,
    }
    tmp = os.path.join(os.path.dirname(out_dir), f".{os.path.basename(out_dir)}.tmp-{os.getpid()}")
    try:
        os.mkdir(tmp)
        write_adapter(r.model, tmp, job.lora, job.base_model)
        metrics["wall_s"] = time.perf_counter() - t_start
        write_json(os.path.join(tmp, "metrics.json"), metrics)
        fsync_dir(tmp)
        if os.path.lexists(out_dir):
            raise TrainerError(f"output_dir {out_dir} appeared while training; result left in {tmp}")
        os.rename(tmp, out_dir)
        fsync_dir(os.path.dirname(out_dir))
    except TrainerError:
        raise
    except OSError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        raise TrainerError(f"cannot write output_dir {out_dir}: {e.strerror or e}") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    emit({"event": "done", "output_dir": out_dir, "metrics": metrics})
    return metrics


def fsync_dir(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
