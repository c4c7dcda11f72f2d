"""Job files, validated field by field with the defaults of src/core/protocol/trainer.ts (the wire format)."""
import json
import os
from dataclasses import dataclass, field
from typing import List, Optional

from .errors import TrainerError
from .lora import TARGETS

JOB_SCHEMA = "oel.trainer.job/v1"
GENERATE_SCHEMA = "oel.trainer.generate/v1"
ROUNDS_SCHEMA = "oel.trainer.rounds/v1"


class _V:
    """Reads one JSON object, checking types; `path` names the object in error messages."""

    def __init__(self, obj, path):
        if not isinstance(obj, dict):
            raise TrainerError(f"{path or 'job'}: expected an object")
        self.obj, self.path, self.seen = obj, path, set()

    def _name(self, key):
        return f"{self.path}.{key}" if self.path else key

    def get(self, key, default=..., nullable=False):
        self.seen.add(key)
        if key not in self.obj:
            if default is ...:
                raise TrainerError(f"job field {self._name(key)} is required")
            return default
        v = self.obj[key]
        if v is None and not nullable:
            raise TrainerError(f"job field {self._name(key)} must not be null")
        return v

    def string(self, key, default=..., nullable=False, min_len=0):
        v = self.get(key, default, nullable)
        if v is None and nullable:
            return None
        if not isinstance(v, str) or len(v) < min_len:
            raise TrainerError(f"job field {self._name(key)} must be a {'non-empty ' if min_len else ''}string")
        return v

    def number(self, key, default=..., integer=False, lo=None, hi=None, lo_open=False, nullable=False):
        v = self.get(key, default, nullable)
        if v is None and nullable:
            return None
        ok = isinstance(v, (int, float)) and not isinstance(v, bool)
        if ok and integer:
            ok = float(v).is_integer()
        if ok and lo is not None:
            ok = v > lo if lo_open else v >= lo
        if ok and hi is not None:
            ok = v <= hi
        if not ok:
            rng = "" if lo is None else f" {'>' if lo_open else '>='} {lo}"
            rng += "" if hi is None else f" and <= {hi}"
            raise TrainerError(f"job field {self._name(key)} must be {'an integer' if integer else 'a number'}{rng}, got {v!r}")
        return int(v) if integer else float(v)

    def boolean(self, key, default=...):
        v = self.get(key, default)
        if not isinstance(v, bool):
            raise TrainerError(f"job field {self._name(key)} must be true or false")
        return v

    def enum(self, key, choices, default=...):
        v = self.get(key, default)
        if v not in choices:
            raise TrainerError(f"job field {self._name(key)} must be one of {', '.join(choices)}, got {v!r}")
        return v

    def ids(self, key, default=..., min_len=0):
        v = self.get(key, default)
        if not isinstance(v, list) or len(v) < min_len or not all(
                isinstance(t, int) and not isinstance(t, bool) and t >= 0 for t in v):
            raise TrainerError(f"job field {self._name(key)} must be a list of non-negative integer token ids"
                               + (" (not empty)" if min_len else ""))
        return list(v)

    def sub(self, key):
        return _V(self.get(key, {}), self._name(key))

    def items(self, key, default=..., min_len=0):
        v = self.get(key, default)
        if not isinstance(v, list) or len(v) < min_len:
            raise TrainerError(f"job field {self._name(key)} must be a list" + (f" of at least {min_len}" if min_len else ""))
        return [_V(x, f"{self._name(key)}[{i}]") for i, x in enumerate(v)]

    def done(self):
        extra = sorted(set(self.obj) - self.seen)
        if extra:
            raise TrainerError(f"unknown job field {self._name(extra[0])}")


@dataclass
class LoraSpec:
    rank: int = 8
    alpha: float = 16.0
    dropout: float = 0.0
    targets: List[str] = field(default_factory=lambda: ["q_proj", "k_proj", "v_proj", "o_proj"])


@dataclass
class OptimSpec:
    lr: float = 1e-4
    # 0 on purpose: decay pulls LoRA weights toward zero, i.e. toward the base model, so in a later round it erodes
    # what earlier rounds consolidated instead of regularising toward round N-1.
    weight_decay: float = 0.0
    grad_clip: float = 1.0
    steps: int = 20
    batch_size: int = 4


@dataclass
class SamplingSpec:
    temperature: float = 0.7
    top_p: float = 1.0
    max_new_tokens: int = 128


@dataclass
class LossSpec:
    top_k: int = 256
    exact: bool = False
    temperature: float = 0.7


@dataclass
class PromptPair:
    id: str
    student: List[int]
    teacher: List[int]


@dataclass
class Job:
    job_id: str
    base_model: str
    output_dir: str
    stop_token_ids: List[int]
    train: List[PromptPair]
    heldout: List[PromptPair] = field(default_factory=list)
    ood: List[PromptPair] = field(default_factory=list)  # teacher unused (== student)
    init_adapter: Optional[str] = None
    seed: int = 0
    device: str = "auto"
    dtype: str = "float32"
    parallel: str = "ddp"  # "ddp" (replicated base) or "fsdp" (sharded base, CUDA only; see fsdp.py)
    method: str = "opcd"
    lora: LoraSpec = field(default_factory=LoraSpec)
    optim: OptimSpec = field(default_factory=OptimSpec)
    sampling: SamplingSpec = field(default_factory=SamplingSpec)
    loss: LossSpec = field(default_factory=LossSpec)
    pad_token_id: Optional[int] = None


@dataclass
class GenerateJob:
    base_model: str
    output_file: str
    stop_token_ids: List[int]
    prompts: List[PromptPair]  # teacher unused
    adapter: Optional[str] = None
    seed: int = 0
    device: str = "auto"
    dtype: str = "float32"
    sampling: SamplingSpec = field(default_factory=SamplingSpec)


def _sampling(v):
    s = SamplingSpec(temperature=v.number("temperature", 0.7, lo=0),
                     top_p=v.number("top_p", 1.0, lo=0, lo_open=True, hi=1),
                     max_new_tokens=v.number("max_new_tokens", 128, integer=True, lo=0, lo_open=True))
    v.done()
    return s


def _pairs(items, with_teacher=True):
    out = []
    for p in items:
        sid = p.string("id")
        student = p.ids("student", min_len=1)
        teacher = p.ids("teacher", min_len=1) if with_teacher else student
        p.done()
        out.append(PromptPair(sid, student, teacher))
    return out


def parse_job(obj):
    """Validates a decoded job object; returns Job. Raises TrainerError naming the first bad field."""
    v = _V(obj, "")
    if v.get("schema") != JOB_SCHEMA:
        raise TrainerError(f"job field schema must be {JOB_SCHEMA!r}")
    lv, ov, lsv = v.sub("lora"), v.sub("optim"), v.sub("loss")
    targets = lv.get("targets", ["q_proj", "k_proj", "v_proj", "o_proj"])
    if not isinstance(targets, list) or not targets or any(t not in TARGETS for t in targets):
        raise TrainerError(f"job field lora.targets must be a non-empty list of {', '.join(TARGETS)}")
    lora = LoraSpec(rank=lv.number("rank", 8, integer=True, lo=0, lo_open=True),
                    alpha=lv.number("alpha", 16.0, lo=0, lo_open=True),
                    dropout=lv.number("dropout", 0.0, lo=0, hi=1), targets=list(dict.fromkeys(targets)))
    lv.done()
    optim = OptimSpec(lr=ov.number("lr", 1e-4, lo=0, lo_open=True), weight_decay=ov.number("weight_decay", 0.0, lo=0),
                      grad_clip=ov.number("grad_clip", 1.0, lo=0, lo_open=True),
                      steps=ov.number("steps", 20, integer=True, lo=0, lo_open=True),
                      batch_size=ov.number("batch_size", 4, integer=True, lo=0, lo_open=True))
    ov.done()
    loss = LossSpec(top_k=lsv.number("top_k", 256, integer=True, lo=0, lo_open=True), exact=lsv.boolean("exact", False),
                    temperature=lsv.number("temperature", 0.7, lo=0, lo_open=True))
    lsv.done()
    pv = v.sub("prompts")
    job = Job(
        job_id=v.string("job_id", min_len=1), base_model=v.string("base_model", min_len=1),
        init_adapter=v.string("init_adapter", None, nullable=True), output_dir=v.string("output_dir", min_len=1),
        seed=v.number("seed", 0, integer=True), device=v.enum("device", ("auto", "cpu", "cuda"), "auto"),
        dtype=v.enum("dtype", ("float32", "bfloat16"), "float32"),
        parallel=v.enum("parallel", ("ddp", "fsdp"), "ddp"),
        method=v.enum("method", ("opcd", "offpolicy_fkl", "sft"), "opcd"),
        lora=lora, optim=optim, sampling=_sampling(v.sub("sampling")), loss=loss,
        stop_token_ids=v.ids("stop_token_ids"),
        pad_token_id=v.number("pad_token_id", None, integer=True, lo=0, nullable=True),
        train=_pairs(pv.items("train", min_len=1)), heldout=_pairs(pv.items("heldout", [])),
        ood=_pairs(pv.items("ood", []), with_teacher=False),
    )
    pv.done()
    v.done()
    return job


def parse_rounds(obj):
    """Validates a rounds file: {"schema": ROUNDS_SCHEMA, "rounds": [job, ...]}. Round 1 may name an init_adapter;
    every later round must not, because it starts from the round before it: its init_adapter is set here to the
    previous round's output_dir (student and teacher both start from round N-1's model). Returns [Job]."""
    v = _V(obj, "")
    if v.get("schema") != ROUNDS_SCHEMA:
        raise TrainerError(f"job field schema must be {ROUNDS_SCHEMA!r}")
    raw = v.get("rounds")
    if not isinstance(raw, list) or not raw:
        raise TrainerError("job field rounds must be a non-empty list of jobs")
    v.done()
    jobs = []
    for i, r in enumerate(raw):
        try:
            job = parse_job(r)
        except TrainerError as e:
            raise TrainerError(f"rounds[{i}]: {e}") from None
        if i > 0:
            if job.init_adapter is not None:
                raise TrainerError(f"rounds[{i}]: init_adapter must be null: round {i + 1} starts from round {i}'s output_dir")
            first = jobs[0]
            if job.base_model != first.base_model:
                raise TrainerError(f"rounds[{i}]: base_model differs from round 1's; rounds chain adapters of one base")
            if job.parallel != first.parallel:
                raise TrainerError(f"rounds[{i}]: parallel differs from round 1's; the rounds share one process group")
            if (job.lora.rank, job.lora.alpha) != (first.lora.rank, first.lora.alpha):
                raise TrainerError(f"rounds[{i}]: lora rank/alpha differ from round 1's; an adapter only continues itself")
            job.init_adapter = jobs[-1].output_dir
        jobs.append(job)
    dirs = [os.path.abspath(j.output_dir) for j in jobs]
    if len(set(dirs)) != len(dirs):
        raise TrainerError("rounds: every round needs its own output_dir")
    return jobs


def parse_generate(obj):
    v = _V(obj, "")
    if v.get("schema") != GENERATE_SCHEMA:
        raise TrainerError(f"job field schema must be {GENERATE_SCHEMA!r}")
    prompts = []
    for p in v.items("prompts", min_len=1):
        pid, ids = p.string("id"), p.ids("ids", min_len=1)
        p.done()
        prompts.append(PromptPair(pid, ids, ids))
    job = GenerateJob(
        base_model=v.string("base_model", min_len=1), adapter=v.string("adapter", None, nullable=True),
        seed=v.number("seed", 0, integer=True), device=v.enum("device", ("auto", "cpu", "cuda"), "auto"),
        dtype=v.enum("dtype", ("float32", "bfloat16"), "float32"), sampling=_sampling(v.sub("sampling")),
        stop_token_ids=v.ids("stop_token_ids"), prompts=prompts, output_file=v.string("output_file", min_len=1))
    v.done()
    return job


def read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except OSError as e:
        raise TrainerError(f"cannot read job file {path}: {e.strerror}") from None
    except ValueError as e:
        raise TrainerError(f"job file {path} is not valid JSON ({e})") from None


def check_ids(job_prompts, stop_ids, pad_id, vocab_size):
    """Raises TrainerError if any token id is >= vocab_size."""
    for p in job_prompts:
        for side in (p.student, p.teacher):
            bad = [t for t in side if t >= vocab_size]
            if bad:
                raise TrainerError(f"prompt {p.id!r}: token id {bad[0]} is out of range for vocab_size {vocab_size}")
    for t in list(stop_ids) + ([pad_id] if pad_id is not None else []):
        if t >= vocab_size:
            raise TrainerError(f"stop/pad token id {t} is out of range for vocab_size {vocab_size}")
