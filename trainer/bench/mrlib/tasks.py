"""Task plugins of the micro-reproduction: loading by module name or file path, and checking the interface.

The interface is documented in docs/opcd-microrepro.md ("Task plugins"); `REQUIRED` below is its checked part.
"""
import importlib
import importlib.util
import os
import random

REQUIRED = {
    "NAME": str, "VOCAB": int, "PAD": int, "EOS": int, "MAX_NEW_TOKENS": int, "TOPICS": int, "OOD_PROBES": list,
    "pretrain_example": callable, "main_prompt": callable, "score": callable, "ood_prompt": callable,
    "score_ood": callable,
}
DEFAULT_MODEL = {"hidden": 64, "layers": 2, "heads": 4, "kv_heads": 2}
DEFAULT_PRETRAIN = {"steps": 2000, "batch": 64, "lr": 3e-3}
SHIPPED = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tasks")


class TaskError(Exception):
    pass


def load_task(spec):
    """`spec` is a file path (anything ending in .py or containing a slash), a shipped task name (bench/tasks/NAME.py)
    or an importable module name. Returns the module after checking the interface."""
    if spec.endswith(".py") or os.sep in spec:
        path = os.path.abspath(spec)
        if not os.path.isfile(path):
            raise TaskError(f"task file {path} does not exist")
        mod_spec = importlib.util.spec_from_file_location(f"mr_task_{os.path.basename(path)[:-3]}", path)
        mod = importlib.util.module_from_spec(mod_spec)
        mod_spec.loader.exec_module(mod)
    elif os.path.isfile(os.path.join(SHIPPED, spec + ".py")):
        return load_task(os.path.join(SHIPPED, spec + ".py"))
    else:
        try:
            mod = importlib.import_module(spec)
        except ImportError as e:
            raise TaskError(f"cannot import task module {spec!r} ({e}); shipped tasks: {', '.join(shipped())}") from None
    check(mod)
    return mod


def shipped():
    return sorted(n[:-3] for n in os.listdir(SHIPPED) if n.endswith(".py") and not n.startswith("_"))


def check(task):
    """Raises TaskError naming the first missing or ill-typed attribute, or a prompt that breaks the contract."""
    name = getattr(task, "NAME", getattr(task, "__name__", "task"))
    for attr, kind in REQUIRED.items():
        if not hasattr(task, attr):
            raise TaskError(f"task {name}: missing {attr}")
        v = getattr(task, attr)
        if (kind is callable and not callable(v)) or (kind is not callable and not isinstance(v, kind)):
            raise TaskError(f"task {name}: {attr} must be {'a function' if kind is callable else kind.__name__}")
    if task.TOPICS < 1 or not task.OOD_PROBES:
        raise TaskError(f"task {name}: needs TOPICS >= 1 and at least one OOD probe")
    rng = random.Random(0)
    ok_ids = lambda ids: isinstance(ids, list) and ids and all(isinstance(t, int) and 0 <= t < task.VOCAB for t in ids)  # noqa: E731
    p, a = task.pretrain_example(rng)
    if not ok_ids(p) or not ok_ids(a) or a[-1] != task.EOS:
        raise TaskError(f"task {name}: pretrain_example must return (prompt ids, answer ids ending with EOS) in the vocabulary")
    for t in range(task.TOPICS):
        mp = task.main_prompt(rng, t)
        for key in ("student", "knowledge"):
            if not ok_ids(mp.get(key)):
                raise TaskError(f"task {name}: main_prompt(topic {t})[{key!r}] must be a non-empty id list in the vocabulary")
        if "key" not in mp:
            raise TaskError(f"task {name}: main_prompt must give a hashable 'key' (keeps train and held-out apart)")
        tr = mp.get("trajectories")
        if tr is not None and (not ok_ids(tr) or len(tr) != len(mp["knowledge"])):
            raise TaskError(f"task {name}: 'trajectories' must be ids of exactly the knowledge block's length "
                            f"({len(mp['knowledge'])}), so the two contexts have equal token budgets")
    for probe in task.OOD_PROBES:
        op = task.ood_prompt(rng, probe)
        if not ok_ids(op.get("student")):
            raise TaskError(f"task {name}: ood_prompt({probe!r})['student'] must be a non-empty id list")


def model_config(task, override=None):
    """The task's base-model shape over the defaults, then `override` (command-line sizes) over that."""
    return {**DEFAULT_MODEL, **getattr(task, "MODEL", {}), **{k: v for k, v in (override or {}).items() if v}}


def pretrain_config(task):
    return {**DEFAULT_PRETRAIN, **getattr(task, "PRETRAIN", {})}


def has_trajectories(task):
    return "trajectories" in task.main_prompt(random.Random(0), 0)
