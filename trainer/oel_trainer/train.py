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

from . import fsdp, losses
from .checkpoint import install_reference, load_base, read_adapter, write_adapter, write_json
from .distributed import Dist, from_env, row_generators
from .errors import TrainerError
from .lora import adapter_mode, apply_lora
from .sampling import generate, left_pad
from .spec import check_ids

DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16}
# Sampling streams (see distributed.row_seed): training samples and evaluation samples never share draws.
STREAM_TRAIN, STREAM_EVAL = 1, 2


def pick_device(name):
    if name == "cuda" and not torch.cuda.is_available():
        raise TrainerError("device cuda requested but torch.cuda.is_available() is false")
    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return name


def response_logits(model, prompts, responses, pad_id, last_n=None):
    """Scores `responses` after `prompts` (lists of id lists). Returns logits (B,L,V) predicting each response token,
    targets (B,L) and mask (B,L), L = longest response; rows are end-aligned (left padding)."""
    dev = next(model.parameters()).device  # `model` may be the DDP wrapper, which has no lm_head attribute
    ids, key_mask, pos = left_pad([p + r for p, r in zip(prompts, responses)], pad_id, dev)
    L = max(len(r) for r in responses)
    logits = model(ids, position_ids=pos, key_mask=key_mask, last_n=L + 1)[:, :-1]  # (B,L,V)
    lens = torch.tensor([len(r) for r in responses], device=dev)
    mask = torch.arange(L, device=dev).unsqueeze(0) >= (L - lens).unsqueeze(1)  # (B,L)
    return logits, ids[:, -L:], mask


class Round:
    """Model, adapter and settings of one job; methods for sampling, scoring, one optimiser step and evaluation."""

    def __init__(self, job, emit=lambda e: None, dist=None):
        self.job, self.emit = job, emit
        self.dist = dist or Dist()
        self.device_type = pick_device(job.device)
        self.device = f"cuda:{self.dist.local_rank}" if self.device_type == "cuda" and self.dist.enabled else self.device_type
        if job.optim.batch_size < self.dist.world:
            raise TrainerError(f"optim.batch_size {job.optim.batch_size} is smaller than the number of processes "
                               f"{self.dist.world}: every process needs at least one prompt per step")
        self.dtype = DTYPES[job.dtype]
        self.fsdp = job.parallel == "fsdp"
        if self.fsdp:
            fsdp.check_supported(self.device_type)
        torch.manual_seed(job.seed)
        # FSDP: the base is loaded on the CPU in float32 and sharded onto the GPU layer by layer (it may not fit one
        # GPU whole); its mixed-precision policy computes in the job's dtype (fsdp.py).
        self.model, self.cfg = load_base(job.base_model, "cpu" if self.fsdp else self.device,
                                         torch.float32 if self.fsdp else self.dtype)
        self.pad_id = job.pad_token_id if job.pad_token_id is not None else (job.stop_token_ids or [0])[0]
        check_ids(job.train + job.heldout + job.ood, job.stop_token_ids, self.pad_id, self.cfg.vocab_size)
        torch.manual_seed(job.seed)
        lo = job.lora
        # FSDP builds on the CPU; drawing the init on the job's device gives the adapter DDP starts from
        apply_lora(self.model, lo.rank, lo.alpha, lo.dropout, lo.targets, init_device=self.device if self.fsdp else None)
        if job.init_adapter:
            conf, pairs = read_adapter(job.init_adapter)
            if int(conf.get("r", -1)) != lo.rank or float(conf.get("lora_alpha", -1)) != float(lo.alpha):
                raise TrainerError(f"init adapter {job.init_adapter}: r={conf.get('r')} lora_alpha={conf.get('lora_alpha')} "
                                   f"differ from the job's rank={lo.rank} alpha={lo.alpha}")
            install_reference(self.model, pairs, job.init_adapter)
        if self.fsdp:
            # Every pass (student, teacher, sampling) goes through the FSDP root, which gathers the sharded layers.
            self.model = self.student = fsdp.wrap(self.model, self.dtype, self.dist.local_rank)
        else:
            self.model.to(self.device)
            self.student = self.dist.wrap(self.model)  # DDP all-reduces the student's gradients; teacher passes bypass it
        # collected after wrapping: FSDP (use_orig_params) re-points the original parameters at its shards
        self.params = [p for p in self.student.parameters() if p.requires_grad]
        self.opt = torch.optim.AdamW(self.params, lr=job.optim.lr, weight_decay=job.optim.weight_decay)
        self.gen = torch.Generator(device=self.device)
        self.gen.manual_seed(job.seed)
        self.steps_done = 0
        self.order, self.cursor = [], 0
        self.rng = random.Random(job.seed)
        self.sample_tokens = self.sample_s = self.train_tokens = self.train_s = 0.0

    def sample(self, prompts, mode, generator=None):
        s = self.job.sampling
        self.model.eval()
        with adapter_mode(self.model, mode):
            return generate(self.model, prompts, s.max_new_tokens, s.temperature, s.top_p,
                            self.job.stop_token_ids, self.pad_id, generator or self.gen,
                            cache_dtype=self.dtype, all_done=self.dist.all_done if self.fsdp else None)

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
        """One optimiser step on a fresh global batch (this rank scores its share of it). Returns {loss, kl, grad_norm
        (None when skipped), skipped, sample and train tokens/s}, loss and kl as token means over the global batch; the
        step is skipped, leaving the adapter and the optimiser state as they were, when the gradient norm is not
        finite."""
        job, T, dist = self.job, self.job.loss.temperature, self.dist
        batch = self.next_batch()
        lo, hi = dist.share(len(batch))
        gens = row_generators(job.seed, STREAM_TRAIN, self.steps_done, range(lo, hi), self.device)
        self.steps_done += 1
        batch = batch[lo:hi]
        s_prompts, t_prompts = [p.student for p in batch], [p.teacher for p in batch]
        t0 = time.perf_counter()
        if job.method == "opcd":  # the student answers its own prompt (on-policy)
            resp = self.sample(s_prompts, "train", gens)
        else:  # baselines: the teacher answers with knowledge in context (off-policy)
            resp = self.sample(t_prompts, "ref", gens)
        t1 = time.perf_counter()
        self.model.eval()
        with torch.no_grad(), adapter_mode(self.model, "ref"):
            t_logits, _, _ = response_logits(self.model, t_prompts, resp, self.pad_id)
        self.model.train()
        s_logits, targets, mask = response_logits(self.student, s_prompts, resp, self.pad_id)
        if job.method == "opcd":
            if job.loss.exact:
                loss = losses.reverse_kl(s_logits, t_logits, mask, T)
            else:
                loss = losses.reverse_kl_topk(s_logits, t_logits, mask, job.loss.top_k, T)
        elif job.method == "offpolicy_fkl":
            loss = losses.forward_kl(s_logits, t_logits, mask, T)
        else:
            loss = losses.cross_entropy(s_logits, targets, mask)
        n_local = float(mask.sum())
        n_global = dist.all_sum([n_local])[0]
        if dist.enabled:
            # DDP averages gradients over ranks; scaled like this, the average is the gradient of the token mean over
            # the whole global batch, as one process would compute it (ranks may hold different token counts).
            loss = loss * (n_local * dist.world / n_global)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        if self.fsdp:  # each rank holds a shard of the gradients: FSDP's own clip all-reduces the norm
            grad_norm = float(self.model.clip_grad_norm_(job.optim.grad_clip))
        else:
            grad_norm = float(torch.nn.utils.clip_grad_norm_(self.params, job.optim.grad_clip))
        # One NaN/inf gradient would poison AdamW's moments and then every LoRA weight: skip the step instead, as the
        # reference trainer does, and report it so the server can see a round that keeps skipping.
        skipped = not math.isfinite(grad_norm)
        if skipped:
            self.opt.zero_grad(set_to_none=True)
        else:
            self.opt.step()
        if self.device_type == "cuda":
            torch.cuda.synchronize()
        t2 = time.perf_counter()
        kl = float(losses.reverse_kl(s_logits.detach(), t_logits, mask, T))
        loss_v = float(loss) / dist.world if dist.enabled else float(loss)  # undo the scaling above: local sum / n_global
        n_gen = sum(len(r) for r in resp)
        n_train = sum(len(p) + len(r) for p, r in zip(s_prompts, resp))
        loss_v, kl_sum, n_gen, n_train = dist.all_sum([loss_v, kl * n_local, n_gen, n_train])
        kl = kl_sum / max(n_global, 1.0)
        self.sample_tokens += n_gen
        self.sample_s += t1 - t0
        self.train_tokens += n_train
        self.train_s += t2 - t1
        return {"loss": finite_or_none(float(loss_v)), "kl": finite_or_none(kl), "grad_norm": None if skipped else grad_norm,
                "skipped": skipped,
                "sample_tokens_per_s": n_gen / max(t1 - t0, 1e-9), "train_tokens_per_s": n_train / max(t2 - t1, 1e-9)}

    @torch.no_grad()
    def evaluate(self, pairs, student_mode="train", ref_prompts="teacher"):
        """Samples the student (mode `student_mode`, no knowledge) on each pair, then compares it on those tokens with
        the starting model ("ref" mode) prompted with `ref_prompts` ("teacher": with knowledge, "student": without).
        Returns {kl, top1_agreement, mean_response_len}; kl is the full-vocabulary token-mean KL(student || ref).
        Under torchrun each rank evaluates its share of `pairs` and the sums are combined."""
        T, bs = self.job.loss.temperature, self.job.optim.batch_size
        lo, hi = self.dist.share(len(pairs))
        kl_sum = agree_sum = n_tok = n_resp = n_gen = 0.0
        for i in eval_starts(lo, hi, bs, len(pairs), self.dist.world, self.fsdp):
            chunk = pairs[i:min(i + bs, hi)]
            weight = 1.0
            if not chunk:  # FSDP: this rank has no rows left but must join the others' forwards; scored, not counted
                chunk, weight, i = pairs[:1], 0.0, 0
            # each prompt's stream depends on its index only: the same draws before and after training
            gens = row_generators(self.job.seed, STREAM_EVAL, 0, range(i, i + len(chunk)), self.device)
            sp = [p.student for p in chunk]
            rp = [p.teacher if ref_prompts == "teacher" else p.student for p in chunk]
            resp = self.sample(sp, student_mode, gens)
            self.model.eval()
            with adapter_mode(self.model, student_mode):
                s_logits, _, mask = response_logits(self.model, sp, resp, self.pad_id)
            with adapter_mode(self.model, "ref"):
                r_logits, _, _ = response_logits(self.model, rp, resp, self.pad_id)
            n = float(mask.sum()) * weight
            kl_sum += float(losses.reverse_kl(s_logits, r_logits, mask, T)) * n
            agree_sum += losses.top1_agreement(s_logits, r_logits, mask) * n
            n_tok += n
            n_resp += len(resp) * weight
            stops = set(self.job.stop_token_ids)
            n_gen += sum(len(r) - (1 if r and r[-1] in stops else 0) for r in resp) * weight
        kl_sum, agree_sum, n_tok, n_resp, n_gen = self.dist.all_sum([kl_sum, agree_sum, n_tok, n_resp, n_gen])
        n_tok = max(n_tok, 1.0)
        return {"kl": kl_sum / n_tok, "top1_agreement": agree_sum / n_tok, "mean_response_len": n_gen / max(n_resp, 1)}


def eval_starts(lo, hi, bs, n, world, same_count):
    """Start indices of this rank's evaluation chunks over its rows [lo, hi). With `same_count` (FSDP, where every
    forward is collective) every rank gets as many chunks as the largest share needs; starts past `hi` mark chunks
    with no rows."""
    if not same_count:
        return list(range(lo, hi, bs))
    largest = -(-n // world)
    return [lo + k * bs for k in range(-(-largest // bs))]


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


def run_job(job, emit, dist=None):
    """Runs a validated Job, emitting progress events; returns the metrics dict (also in output_dir/metrics.json).
    Under torchrun (WORLD_SIZE > 1, or an explicit `dist`), every rank trains and only rank 0 emits and writes."""
    own_dist = dist is None
    if own_dist:
        if job.parallel == "fsdp":  # before joining any group: the reason, not a hang or a PyTorch stack
            fsdp.check_supported(pick_device(job.device))
        dist = from_env(pick_device(job.device), need_group=job.parallel == "fsdp")
    try:
        return _run_job(job, emit if dist.is_main else (lambda e: None), dist)
    finally:
        if own_dist:
            dist.close()


def run_rounds(jobs, emit):
    """Runs jobs as consecutive rounds (parse_rounds chained their adapters): before each round's own events, a
    {"event": "round", "round": i, "total_rounds": n, "job_id"} marker. Stops at the first failure; the rounds before
    it keep their complete output folders. Returns the list of metrics."""
    if jobs[0].parallel == "fsdp":
        fsdp.check_supported(pick_device(jobs[0].device))
    dist = from_env(pick_device(jobs[0].device), need_group=jobs[0].parallel == "fsdp")
    out = []
    try:
        say = emit if dist.is_main else (lambda e: None)
        for i, job in enumerate(jobs):
            say({"event": "round", "round": i + 1, "total_rounds": len(jobs), "job_id": job.job_id})
            out.append(run_job(job, emit, dist))
    finally:
        dist.close()
    return out


def _run_job(job, emit, dist):
    t_start = time.perf_counter()
    out_dir = check_output_dir(job.output_dir)
    if job.init_adapter and not os.path.isdir(job.init_adapter):
        raise TrainerError(f"init_adapter {job.init_adapter} is not a folder")
    r = Round(job, emit, dist)
    emit({"event": "start", "job_id": job.job_id, "total_steps": job.optim.steps, "device": r.device_type,
          "dtype": job.dtype, "world_size": dist.world})
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
        "device": r.device_type, "dtype": job.dtype, "wall_s": 0.0, "skipped_steps": skipped, "world_size": dist.world,
        "parallel": job.parallel,
    }
    # FSDP: gathering the adapter is collective (every rank joins, rank 0 receives); DDP: rank 0 holds it whole.
    tensors = fsdp.lora_state(r.model, dist.rank) if r.fsdp else None
    if not dist.is_main:  # the other ranks hold the same adapter (DDP keeps them in step); rank 0 writes it
        dist.barrier()  # returns once the folder is in place, so a next round can read it as its init_adapter
        return metrics
    tmp = os.path.join(os.path.dirname(out_dir), f".{os.path.basename(out_dir)}.tmp-{os.getpid()}")
    try:
        os.mkdir(tmp)
        write_adapter(r.model, tmp, job.lora, job.base_model, tensors)
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
    dist.barrier()
    emit({"event": "done", "output_dir": out_dir, "metrics": metrics})
    return metrics


def fsync_dir(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
