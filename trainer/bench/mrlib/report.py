"""Markdown tables of the micro-reproduction, from the per-seed rows the runs produce."""
from .stats import better, fmt

METHODS = ("opcd", "offpolicy_fkl", "sft")
NAMES = {"opcd": "OPCD", "offpolicy_fkl": "forward KL (teacher samples)", "sft": "SFT (teacher samples)",
         "opcd-trajectories": "OPCD, raw trajectories in context"}
LEVEL = 0.9  # "reached the teacher": held-out accuracy >= LEVEL x the teacher's


def reached(curve, teacher_acc):
    """First checkpoint whose held-out accuracy is >= LEVEL x the teacher's, or None."""
    for c in curve:
        if c["acc"] >= LEVEL * teacher_acc:
            return c
    return None


def _table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def compare(rows, probes, runs):
    """Tables for the comparison mode. rows: per seed {"ref": reference figures, run name: {curve, tokens}}."""
    out = []
    col = lambda f: [f(r) for r in rows]  # noqa: E731
    ref_rows = [
        ["base, no context (greedy)", fmt(col(lambda r: r["ref"]["base"]["acc"])), fmt(col(lambda r: r["ref"]["base"]["halluc"])),
         fmt(col(lambda r: r["ref"]["base"]["len"]), 2)],
        ["base, no context (sampled, T = 0.7)", fmt(col(lambda r: r["ref"]["base_sampled"]["acc"])),
         fmt(col(lambda r: r["ref"]["base_sampled"]["halluc"])), fmt(col(lambda r: r["ref"]["base_sampled"]["len"]), 2)],
        ["teacher: base + knowledge", fmt(col(lambda r: r["ref"]["teacher"]["acc"])),
         fmt(col(lambda r: r["ref"]["teacher"]["halluc"])) + " (cites right: " + fmt(col(lambda r: r["ref"]["teacher"]["cited_right"])) + ")",
         fmt(col(lambda r: r["ref"]["teacher"]["len"]), 2)],
    ]
    if "teacher_raw" in rows[0]["ref"]:
        ref_rows.append(["base + raw trajectories (same token budget)", fmt(col(lambda r: r["ref"]["teacher_raw"]["acc"])),
                         fmt(col(lambda r: r["ref"]["teacher_raw"]["halluc"])), fmt(col(lambda r: r["ref"]["teacher_raw"]["len"]), 2)])
    out.append("Reference models (held-out prompts):\n\n" + _table(["model", "accuracy", "citations", "length"], ref_rows))
    out.append("Base OOD accuracy: " + ", ".join(f"{p} {fmt(col(lambda r: r['ref']['base_ood'][p]))}" for p in probes))

    last = lambda r, m: r[m]["curve"][-1]  # noqa: E731
    hdr = ["method", "held-out acc", "KL to teacher", "hallucinated citations", "length"]
    hdr += [f"OOD acc {p}" for p in probes] + [f"OOD KL {p}" for p in probes] + ["response tokens trained on"]
    body = []
    for m in runs:
        body.append([NAMES.get(m, m), fmt(col(lambda r: last(r, m)["acc"])), fmt(col(lambda r: last(r, m)["kl_teacher"])),
                     fmt(col(lambda r: last(r, m)["halluc"])), fmt(col(lambda r: last(r, m)["len"]), 2)]
                    + [fmt(col(lambda r: last(r, m)["ood"][p])) for p in probes]
                    + [fmt(col(lambda r: last(r, m)["ood_kl"][p]), 4) for p in probes]
                    + [fmt(col(lambda r: r[m]["tokens"]), 0)])
    out.append("At the last step (mean ± 95% interval over seeds):\n\n" + _table(hdr, body))

    hdr = ["method", "seeds reaching it", "step reached"] + [f"OOD acc {p}" for p in probes]
    hdr += [f"OOD KL {p}" for p in probes] + ["hallucinated citations", "length"]
    body = []
    for m in runs:
        at = [reached(r[m]["curve"], r["ref"]["teacher"]["acc"]) for r in rows]
        g = lambda f: [f(c) if c else None for c in at]  # noqa: E731
        body.append([NAMES.get(m, m), f"{sum(c is not None for c in at)}/{len(at)}", fmt(g(lambda c: c["step"]), 0)]
                    + [fmt(g(lambda c: c["ood"][p])) for p in probes] + [fmt(g(lambda c: c["ood_kl"][p]), 4) for p in probes]
                    + [fmt(g(lambda c: c["halluc"])), fmt(g(lambda c: c["len"]), 2)])
    out.append(f"At matched in-distribution level: the first checkpoint where held-out accuracy >= {LEVEL:.0%} of the "
               "teacher's (per seed):\n\n" + _table(hdr, body))

    sign_rows = []
    for base in [m for m in runs if m in METHODS and m != "opcd"]:
        at_o = [reached(r["opcd"]["curve"], r["ref"]["teacher"]["acc"]) for r in rows]
        at_b = [reached(r[base]["curve"], r["ref"]["teacher"]["acc"]) for r in rows]
        both = lambda f, A: [f(c) if c and d else None for c, d in zip(*A)]  # noqa: E731
        cells = [better(col(lambda r: last(r, "opcd")["acc"]), col(lambda r: last(r, base)["acc"])),
                 better(col(lambda r: last(r, "opcd")["halluc"]), col(lambda r: last(r, base)["halluc"]), False)]
        cells += [better(both(lambda c: c["ood"][p], (at_o, at_b)), both(lambda c: c["ood"][p], (at_b, at_o))) for p in probes]
        cells += [better(both(lambda c: c["ood_kl"][p], (at_o, at_b)), both(lambda c: c["ood_kl"][p], (at_b, at_o)), False)
                  for p in probes]
        cells += [better([c["step"] if c else None for c in at_o], [c["step"] if c else None for c in at_b], False)]
        sign_rows.append([f"OPCD vs {NAMES[base]}"] + cells)
    hdr = ["seeds where OPCD is better/tie/worse", "final acc", "final hallucination"]
    hdr += [f"matched OOD acc {p}" for p in probes] + [f"matched OOD KL {p}" for p in probes] + ["steps to 90%"]
    if sign_rows:
        out.append("Sign counts (matched columns: seeds where both reached the level):\n\n" + _table(hdr, sign_rows))
    if "opcd-trajectories" in runs:
        out.append("Claim 3 (OPCD, same steps, equal context token budget): final held-out accuracy with knowledge "
                   f"{fmt(col(lambda r: last(r, 'opcd')['acc']))}, with raw trajectories "
                   f"{fmt(col(lambda r: last(r, 'opcd-trajectories')['acc']))}; knowledge better/tie/worse on "
                   f"{better(col(lambda r: last(r, 'opcd')['acc']), col(lambda r: last(r, 'opcd-trajectories')['acc']))} seeds.")
    return "\n\n".join(out)


def rounds_table(by_method, topics, probes):
    out = []
    for m, runs in by_method.items():
        hdr = ["round"] + [f"topic {t + 1} acc" for t in range(topics)] + [f"OOD acc {p}" for p in probes]
        hdr += [f"OOD KL {p} (vs base)" for p in probes] + ["hallucinated citations", "length"]
        body = []
        for i in range(len(runs[0])):
            col = lambda f: [f(r[i]) for r in runs]  # noqa: E731
            body.append([str(i) if i else "0 (base)"] + [fmt(col(lambda f: f["topics"][t]["acc"])) for t in range(topics)]
                        + [fmt(col(lambda f: f["ood"][p])) for p in probes] + [fmt(col(lambda f: f["ood_kl"][p]), 4) for p in probes]
                        + [fmt(col(lambda f: sum(t["halluc"] for t in f["topics"]) / topics)),
                           fmt(col(lambda f: sum(t["len"] for t in f["topics"]) / topics), 2)])
        out.append(f"{NAMES.get(m, m)}, {len(runs)} seeds:\n\n" + _table(hdr, body))
    return "\n\n".join(out)


def sweep_table(results, probes):
    hdr = ["lr", "method", "final held-out acc", "step reaching 90% of teacher"] + [f"final OOD acc {p}" for p in probes]
    body = []
    for (lr, m), r in sorted(results.items()):
        c = reached(r["curve"], r["teacher_acc"])
        body.append([f"{lr:g}", NAMES.get(m, m), f"{r['curve'][-1]['acc']:.3f}", str(c["step"]) if c else "not reached"]
                    + [f"{r['curve'][-1]['ood'][p]:.3f}" for p in probes])
    return _table(hdr, body)
