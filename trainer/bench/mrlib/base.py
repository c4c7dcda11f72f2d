"""Pre-training the micro-reproduction's base model from a task's mix, written as a Hugging Face folder."""
import json
import os
import random
import time

import torch
import torch.nn.functional as F

from oel_trainer import safetensors_io as st
from oel_trainer.config import ModelConfig
from oel_trainer.model import CausalLM
from oel_trainer.sampling import left_pad
from oel_trainer.tiny import hf_config

from .tasks import model_config, pretrain_config


def base_folder(cache, task, seed, steps, shape=None):
    m = model_config(task, shape)
    return os.path.join(cache, f"{task.NAME}-h{m['hidden']}l{m['layers']}-steps{steps}-seed{seed}")


def pretrain(task, folder, seed, steps=None, log=print, shape=None, device="cpu"):
    """Trains a Llama-layout model from scratch on task.pretrain_example (AdamW, warm-up, cross-entropy on answer
    tokens) and writes config.json + model.safetensors into `folder` (atomically: a temporary sibling, then rename).
    Skips the work when `folder` exists (a cache)."""
    if os.path.isdir(folder):
        return folder
    pc, m = pretrain_config(task), model_config(task, shape)
    steps = steps or pc["steps"]
    cfg_dict = hf_config("llama", vocab=task.VOCAB, hidden=m["hidden"], layers=m["layers"], heads=m["heads"],
                         kv_heads=m["kv_heads"])
    cfg_dict.update(eos_token_id=task.EOS, pad_token_id=task.PAD)
    torch.manual_seed(seed)
    model = CausalLM(ModelConfig.from_dict(cfg_dict))
    for p in model.parameters():
        if p.dim() > 1:
            torch.nn.init.normal_(p, std=0.02)
    model.to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=pc["lr"], weight_decay=0.0)
    warm = max(1, steps // 10)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / warm) * max(0.1, 1 - s / steps))
    rng = random.Random(seed)
    t0 = time.perf_counter()
    for step in range(steps):
        batch = [task.pretrain_example(rng) for _ in range(pc["batch"])]
        ids, mask, pos = left_pad([p + a for p, a in batch], task.PAD, device)
        L = max(len(a) for _, a in batch)
        logits = model(ids, position_ids=pos, key_mask=mask, last_n=L + 1)[:, :-1]
        lens = torch.tensor([len(a) for _, a in batch], device=device)
        w = (torch.arange(L, device=device).unsqueeze(0) >= (L - lens).unsqueeze(1)).float()
        loss = (F.cross_entropy(logits.reshape(-1, task.VOCAB), ids[:, -L:].reshape(-1), reduction="none")
                * w.reshape(-1)).sum() / w.sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 500 == 0 or step == steps - 1:
            log(f"    pretrain {task.NAME} seed {seed} step {step} loss {loss.item():.4f} ({time.perf_counter() - t0:.0f}s)")
    tmp = f"{folder}.tmp-{os.getpid()}"
    os.makedirs(tmp)
    with open(os.path.join(tmp, "config.json"), "w") as f:
        json.dump(cfg_dict, f)
    st.save_file({k: v.cpu() for k, v in model.state_dict().items()}, os.path.join(tmp, "model.safetensors"))
    os.rename(tmp, folder)
    return folder
