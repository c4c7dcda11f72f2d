import torch

from oel_trainer.sampling import generate, sample_next

from helpers import tiny_model


def greedy_no_cache(model, prompt, n, stop=()):
    """Reference: recompute the whole sequence for every new token."""
    seq, out = list(prompt), []
    for _ in range(n):
        tok = int(model(torch.tensor([seq]))[0, -1].argmax())
        out.append(tok)
        seq.append(tok)
        if tok in stop:
            break
    return out


def test_kv_cache_greedy_equals_no_cache(tmp_path):
    model, _, _ = tiny_model(tmp_path, "qwen3", scale=20.0)
    prompts = [[1, 2, 3, 4, 5], [7], [9, 8, 7]]  # different lengths: left padding
    got = generate(model, prompts, 10, temperature=0.0, pad_id=0)
    for p, g in zip(prompts, got):
        assert g == greedy_no_cache(model, p, 10)
    assert len({tuple(g) for g in got}) > 1


def test_batched_sampling_equals_single_with_stop(tmp_path):
    model, _, _ = tiny_model(tmp_path, "llama", scale=20.0)
    prompts = [[1, 2, 3], [4, 5, 6, 7, 8, 9], [10]]
    singles = [generate(model, [p], 8, temperature=0.0)[0] for p in prompts]
    stop = singles[1][2]
    got = generate(model, prompts, 8, temperature=0.0, stop_ids=[stop], pad_id=63)
    for g, s in zip(got, singles):
        cut = s.index(stop) + 1 if stop in s else len(s)
        assert g == s[:cut]
    assert got[1][-1] == stop


def test_sampling_is_seeded_and_top_p_tiny_is_greedy(tmp_path):
    model, _, _ = tiny_model(tmp_path, "mistral", scale=5.0)
    prompts = [[1, 2], [3, 4, 5]]
    a = generate(model, prompts, 6, 0.7, generator=torch.Generator().manual_seed(3))
    b = generate(model, prompts, 6, 0.7, generator=torch.Generator().manual_seed(3))
    assert a == b
    greedy = generate(model, prompts, 6, 0.0)
    assert generate(model, prompts, 6, 1.0, top_p=1e-6, generator=torch.Generator().manual_seed(0)) == greedy


def test_sample_next_top_p_keeps_nucleus():
    logits = torch.log(torch.tensor([[0.5, 0.3, 0.15, 0.05]]))
    g = torch.Generator().manual_seed(0)
    seen = {int(sample_next(logits, 1.0, 0.8, g)) for _ in range(200)}
    assert seen == {0, 1}
