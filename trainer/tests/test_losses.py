import torch

from oel_trainer import losses


def _logits(seed, shape=(2, 5, 11)):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed)) * 2


def test_identical_logits_give_zero():
    s = _logits(0)
    m = torch.ones(2, 5)
    assert abs(float(losses.reverse_kl_topk(s, s.clone(), m, k=4))) < 1e-6
    assert abs(float(losses.reverse_kl(s, s.clone(), m))) < 1e-6
    assert abs(float(losses.forward_kl(s, s.clone(), m))) < 1e-6


def test_topk_equal_to_vocab_is_exact_reverse_kl():
    s, t, m = _logits(0), _logits(1), torch.ones(2, 5)
    for temp in (0.7, 1.0):
        exact = losses.reverse_kl(s, t, m, temp)
        assert torch.allclose(losses.reverse_kl_topk(s, t, m, k=11, temperature=temp), exact, atol=1e-6)
        assert torch.allclose(losses.reverse_kl_topk(s, t, m, k=10_000, temperature=temp), exact, atol=1e-6)  # clamped
    # manual check of the definition at one position
    p, q = torch.softmax(s[0, 0], -1), torch.softmax(t[0, 0], -1)
    one = torch.zeros(2, 5)
    one[0, 0] = 1
    assert torch.allclose(losses.reverse_kl(s, t, one), (p * (p.log() - q.log())).sum(), atol=1e-6)


def test_topk_uses_student_indices_without_renormalisation():
    s, t, m = _logits(2), _logits(3), torch.ones(2, 5)
    k = 3
    s_lp, t_lp = torch.log_softmax(s, -1), torch.log_softmax(t, -1)
    idx = s_lp.topk(k, -1).indices
    ss, tt = s_lp.gather(-1, idx), t_lp.gather(-1, idx)
    expected = (ss.exp() * (ss - tt)).sum(-1).mean()
    assert torch.allclose(losses.reverse_kl_topk(s, t, m, k=k, temperature=1.0), expected, atol=1e-6)


def test_masked_tokens_are_ignored():
    s, t = _logits(0), _logits(1)
    m = torch.ones(2, 5)
    m[:, 3:] = 0
    t2 = t.clone()
    t2[:, 3:] = 100 * torch.randn(2, 2, 11)
    for f in (lambda a, b: losses.reverse_kl_topk(a, b, m, 4), lambda a, b: losses.reverse_kl(a, b, m),
              lambda a, b: losses.forward_kl(a, b, m)):
        assert torch.allclose(f(s, t), f(s, t2))
    assert float(losses.reverse_kl(s, t, torch.zeros(2, 5))) == 0.0  # empty mask: zero, not NaN


def test_gradient_flows_only_to_student_and_masked_positions():
    s = _logits(0).requires_grad_(True)
    t = _logits(1)
    m = torch.ones(2, 5)
    m[1] = 0
    losses.reverse_kl_topk(s, t, m, k=5, temperature=0.7).backward()
    assert s.grad[0].abs().sum() > 0 and s.grad[1].abs().sum() == 0


def test_cross_entropy_and_agreement():
    s = _logits(0)
    targets = s.argmax(-1)
    m = torch.ones(2, 5)
    ce = losses.cross_entropy(s, targets, m)
    assert torch.allclose(ce, -torch.log_softmax(s, -1).max(-1).values.mean())
    assert losses.top1_agreement(s, s, m) == 1.0
