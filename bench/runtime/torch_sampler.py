"""PyTorch side of bench/runtime/embedded.bench.ts: the trainer's own model and sampler (oel_trainer.sampling.generate,
greedy, float32) on the same model and the same prompt ids as the embedded llama.cpp runtime.

  python3 torch_sampler.py SPEC.json   SPEC: {"model": DIR, "prompt": [ids], "generate": N, "runs": R, "threads": T}

Prints one JSON object: load time, prompt tokens/s (one forward over the prompt), time to first token (prefill plus
the first greedy token), generation tokens/s (tokens after the first), the greedy ids, and the RSS growth.
"""
import json
import resource
import sys
import time

import torch

from oel_trainer.checkpoint import load_base
from oel_trainer.sampling import generate


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2]


@torch.no_grad()
def main(spec):
    torch.set_num_threads(spec["threads"])
    rss0 = rss_bytes()
    t = time.perf_counter()
    model, _ = load_base(spec["model"])
    model.eval()
    load_ms = (time.perf_counter() - t) * 1000
    ids, n, runs = spec["prompt"], spec["generate"], spec["runs"]
    generate(model, [ids], 2, temperature=0)  # warm-up: first-call allocations are not the sampler's speed
    prompt_ms, ttft_ms, gen_ms, greedy = [], [], [], None
    for _ in range(runs):
        t = time.perf_counter()
        model(torch.tensor([ids]), last_n=1)
        prompt_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        generate(model, [ids], 1, temperature=0)
        ttft_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        greedy = generate(model, [ids], n, temperature=0)[0]
        gen_ms.append((time.perf_counter() - t) * 1000)
    ttft, total = median(ttft_ms), median(gen_ms)
    return {
        "loadMs": load_ms,
        "promptTokensPerS": len(ids) / (median(prompt_ms) / 1000),
        "ttftMs": ttft,
        "genTokensPerS": (len(greedy) - 1) / (max(total - ttft, 1e-6) / 1000),
        "greedy": greedy,
        "rssGrowthBytes": rss_bytes() - rss0,
        "peakRssBytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        json.dump(main(json.load(f)), sys.stdout)
