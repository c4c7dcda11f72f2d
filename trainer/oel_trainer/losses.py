"""Distillation losses as pure functions of student logits, teacher logits and a response-token mask.

All take logits (B,T,V) (any float dtype; computed in float32) and mask (B,T) (1 = response token to count) and
return a scalar token-mean over masked tokens (0 when the mask is empty).
"""
import torch
import torch.nn.functional as F


def _token_mean(per_tok, mask):
    mask = mask.to(per_tok.dtype)
    return (per_tok * mask).sum() / mask.sum().clamp(min=1.0)


def reverse_kl_topk(student_logits, teacher_logits, mask, k=256, temperature=1.0):
    """KL(student || teacher) over the student's top-k tokens per position, both at `temperature`.
    Teacher log-probs are gathered at the student's top-k indices, no renormalisation (as in OPCD)."""
    s_lp = F.log_softmax(student_logits.float() / temperature, dim=-1)
    t_lp = F.log_softmax(teacher_logits.float() / temperature, dim=-1)
    k = min(k, s_lp.shape[-1])
    idx = s_lp.detach().topk(k, dim=-1).indices  # (B,T,k)
    s = s_lp.gather(-1, idx)
    t = t_lp.gather(-1, idx)
    return _token_mean((s.exp() * (s - t)).sum(-1), mask)


def reverse_kl(student_logits, teacher_logits, mask, temperature=1.0):
    """Exact KL(student || teacher) over the full vocabulary."""
    s_lp = F.log_softmax(student_logits.float() / temperature, dim=-1)
    t_lp = F.log_softmax(teacher_logits.float() / temperature, dim=-1)
    return _token_mean((s_lp.exp() * (s_lp - t_lp)).sum(-1), mask)


def forward_kl(student_logits, teacher_logits, mask, temperature=1.0):
    """Exact KL(teacher || student) over the full vocabulary (the off-policy baseline's objective)."""
    return reverse_kl(teacher_logits, student_logits, mask, temperature)


def cross_entropy(student_logits, targets, mask):
    """Token-mean cross-entropy of targets (B,T) under the student (the SFT baseline)."""
    lp = F.log_softmax(student_logits.float(), dim=-1)
    return _token_mean(-lp.gather(-1, targets.unsqueeze(-1)).squeeze(-1), mask)


@torch.no_grad()
def top1_agreement(a_logits, b_logits, mask):
    """Fraction of masked positions where the argmax tokens agree."""
    return float(_token_mean((a_logits.argmax(-1) == b_logits.argmax(-1)).float(), mask))
