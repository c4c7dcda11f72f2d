"""PNG curves of the micro-reproduction (matplotlib, headless). Means over seeds with a shaded 95% interval."""
import os

from .stats import mean_ci

COLORS = {"opcd": "tab:blue", "offpolicy_fkl": "tab:orange", "sft": "tab:green", "opcd-trajectories": "tab:purple"}
LABELS = {"opcd": "OPCD (reverse KL, own samples)", "offpolicy_fkl": "forward KL on teacher samples",
          "sft": "SFT on teacher samples", "opcd-trajectories": "OPCD, raw trajectories as context"}


def _plt():
    try:
        import matplotlib
    except ImportError:
        raise SystemExit("microrepro: --plots needs matplotlib (Debian: python3-matplotlib, see "
                         "scripts/install-system-deps.sh)") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _series(runs, get):
    """runs: per seed, a curve (list of checkpoints); returns steps, means, half-widths."""
    steps = [c["step"] for c in runs[0]]
    means, hws = [], []
    for i in range(len(steps)):
        m, h = mean_ci([get(r[i]) for r in runs if i < len(r)])
        means.append(m)
        hws.append(h or 0.0)
    return steps, means, hws


def curves(path, title, by_method, teacher_acc, probes):
    """One figure, panels: held-out accuracy, KL to the teacher, hallucination rate, response length, OOD accuracy per
    probe, and held-out vs OOD accuracy (the first probe) along training. `by_method`: {name: [curve per seed]}.
    Shaded: the 95% interval of the mean over seeds, clipped to the metric's range."""
    plt = _plt()
    panels = [("held-out accuracy (no knowledge in context)", lambda c: c["acc"], (0, 1)),
              ("KL(student || teacher with knowledge)", lambda c: c["kl_teacher"], (0, None)),
              ("hallucinated citations (rate)", lambda c: c["halluc"], (0, 1)),
              ("response length (tokens)", lambda c: c["len"], (0, None))]
    panels += [(f"OOD accuracy: {p}", (lambda p: lambda c: c["ood"][p])(p), (0, 1)) for p in probes]
    n = len(panels) + 1
    cols = 3
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(5 * cols, 3.6 * rows))
    axes = axes.ravel()
    for ax, (name, get, (lo, hi)) in zip(axes, panels):
        for method, runs in by_method.items():
            steps, m, h = _series(runs, get)
            ax.plot(steps, m, label=LABELS.get(method, method), color=COLORS.get(method))
            clip = lambda v: min(hi, max(lo, v)) if hi is not None else max(lo, v)  # noqa: E731
            ax.fill_between(steps, [clip(a - b) for a, b in zip(m, h)], [clip(a + b) for a, b in zip(m, h)],
                            color=COLORS.get(method), alpha=0.15)
        if name.startswith("held-out accuracy") and teacher_acc is not None:
            ax.axhline(teacher_acc, color="black", linestyle=":", label="teacher (knowledge in context)")
            ax.axhline(0.9 * teacher_acc, color="grey", linestyle="--", linewidth=0.8, label="90% of teacher")
        ax.set_title(name, fontsize=10)
        ax.set_xlabel("optimizer step")
    ax = axes[len(panels)]
    for method, runs in by_method.items():
        _, ind, _ = _series(runs, lambda c: c["acc"])
        _, ood, _ = _series(runs, lambda c: c["ood"][probes[0]])
        ax.plot(ind, ood, marker="o", markersize=3, label=LABELS.get(method, method), color=COLORS.get(method))
    ax.set_title(f"in-distribution vs OOD ({probes[0]}) along training", fontsize=10)
    ax.set_xlabel("held-out accuracy")
    ax.set_ylabel(f"OOD accuracy: {probes[0]}")
    for ax in axes[len(panels) + 1:]:
        ax.axis("off")
    axes[0].legend(fontsize=7, loc="lower right")
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def rounds_plot(path, title, by_method, topics, probes):
    """Per round: accuracy on each topic without context, OOD accuracy, response length. `by_method`: {name: [list of
    per-round figures, per seed]}."""
    plt = _plt()
    fig, axes = plt.subplots(1, 3, figsize=(15, 3.8))
    for method, runs in by_method.items():
        rounds = [f["round"] for f in runs[0]]
        for t in range(topics):
            m = [mean_ci([r[i]["topics"][t]["acc"] for r in runs])[0] for i in range(len(rounds))]
            axes[0].plot(rounds, m, marker="o", color=COLORS.get(method), linestyle=["-", "--", ":"][t % 3],
                         label=f"{method}: topic {t + 1}")
        for j, p in enumerate(probes):
            m = [mean_ci([r[i]["ood"][p] for r in runs])[0] for i in range(len(rounds))]
            axes[1].plot(rounds, m, marker="o", color=COLORS.get(method), linestyle=["-", "--"][j % 2], label=f"{method}: {p}")
        m = [mean_ci([sum(t["len"] for t in r[i]["topics"]) / topics for r in runs])[0] for i in range(len(rounds))]
        axes[2].plot(rounds, m, marker="o", color=COLORS.get(method), label=method)
    axes[0].set_title("accuracy without context, per topic (topic r is learnt in round r)", fontsize=10)
    axes[1].set_title("OOD accuracy", fontsize=10)
    axes[2].set_title("mean response length (tokens, all topics)", fontsize=10)
    for ax in axes:
        ax.set_xlabel("round (0 = base)")
        ax.set_xticks(range(len(next(iter(by_method.values()))[0])))
        ax.legend(fontsize=7)
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path
