"""Batched sampling with a KV cache: left-padded prompts, temperature / top-p, stop ids."""
import torch

from .model import KVCache


def left_pad(seqs, pad_id, device):
    """seqs: list of id lists. Returns ids (B,T), key_mask (B,T) bool, position_ids (B,T) counting real tokens."""
    T = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), T), pad_id, dtype=torch.long)
    mask = torch.zeros((len(seqs), T), dtype=torch.bool)
    for i, s in enumerate(seqs):
        if s:
            ids[i, T - len(s):] = torch.tensor(s, dtype=torch.long)
            mask[i, T - len(s):] = True
    pos = (mask.long().cumsum(-1) - 1).clamp(min=0)
    return ids.to(device), mask.to(device), pos.to(device)


def sample_next(logits, temperature, top_p, generator):
    """logits (B,V) float32 -> (B,) ids. temperature 0 is greedy; top_p keeps the smallest nucleus >= top_p.
    `generator` is one torch.Generator for the batch, or a list with one per row: then a row's draws depend on its
    own stream only, not on which other rows share the batch (what makes data-parallel runs match one process)."""
    if temperature <= 0:
        return logits.argmax(-1)
    probs = torch.softmax(logits / temperature, dim=-1)
    if top_p < 1.0:
        sp, si = probs.sort(dim=-1, descending=True)
        keep = (sp.cumsum(-1) - sp) < top_p  # always keeps the first token
        sp = sp * keep
        probs = torch.zeros_like(probs).scatter(-1, si, sp)
    if isinstance(generator, (list, tuple)):
        return torch.cat([torch.multinomial(probs[i:i + 1], 1, generator=g) for i, g in enumerate(generator)]).squeeze(-1)
    return torch.multinomial(probs, 1, generator=generator).squeeze(-1)


@torch.no_grad()
def generate(model, prompts, max_new_tokens, temperature=1.0, top_p=1.0, stop_ids=(), pad_id=0, generator=None,
             cache_dtype=None, all_done=None):
    """prompts: list of id lists (any lengths). Returns one generated id list per prompt, ending with (and
    including) its stop id when one was produced. The prefix is encoded once; each new token reuses the cache.
    `generator`: one for the batch or one per prompt (see sample_next). `cache_dtype`: the KV cache's dtype when the
    weights are stored in another one (FSDP mixed precision). `all_done(bool) -> bool`: under FSDP, whether every rank
    is done (the ranks' forwards are collective, so they stop together)."""
    dev = model.lm_head.weight.device
    ids, mask, pos = left_pad(prompts, pad_id, dev)
    B, T = ids.shape
    cache = KVCache(model.cfg, B, T + max_new_tokens, dev, cache_dtype or model.lm_head.weight.dtype)
    key_mask = torch.ones((B, T + max_new_tokens), dtype=torch.bool, device=dev)
    key_mask[:, :T] = mask
    stop = torch.tensor(sorted(set(stop_ids)) or [-1], device=dev)
    done = torch.zeros(B, dtype=torch.bool, device=dev)
    out = []
    logits = model(ids, position_ids=pos, key_mask=key_mask, cache=cache, last_n=1)[:, -1]  # (B,V)
    next_pos = pos[:, -1:] + 1  # (B,1)
    for _ in range(max_new_tokens):
        tok = sample_next(logits, temperature, top_p, generator)  # (B,)
        tok = torch.where(done, torch.full_like(tok, pad_id), tok)
        out.append(tok)
        done = done | (tok.unsqueeze(-1) == stop).any(-1)
        finished = bool(done.all())
        if all_done is not None:
            finished = all_done(finished)
        if finished or len(out) == max_new_tokens:
            break
        logits = model(tok.unsqueeze(-1), position_ids=next_pos, key_mask=key_mask, cache=cache)[:, -1]
        next_pos = next_pos + 1
    gen = torch.stack(out, dim=1).tolist() if out else [[] for _ in range(B)]
    stop_set = set(stop_ids)
    results = []
    for row in gen:
        r = []
        for t in row:
            r.append(t)
            if t in stop_set:
                break
        results.append(r)
    return results
