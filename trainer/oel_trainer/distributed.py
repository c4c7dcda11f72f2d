"""Data parallelism under torchrun: PyTorch DDP over gloo (CPU) or NCCL (GPU).

`python3 -m torch.distributed.run --nproc_per_node N -m oel_trainer run JOB.json` starts N copies of the trainer with
RANK / WORLD_SIZE / LOCAL_RANK set. Every rank draws the same global batch (same seed), scores only its contiguous
share of it, and DDP all-reduces the LoRA gradients; only rank 0 writes events, the adapter and metrics. Sampling is
seeded per prompt (see `row_seed`), so a prompt's response does not depend on which rank drew it: N processes train
the same adapter as one process over the same global batch, up to float rounding.
"""
import os

import torch

from .errors import TrainerError


class Dist:
    """This process's place in the job. The single-process default does no communication at all."""

    def __init__(self, rank=0, world=1, local_rank=0, backend=None, group=False):
        self.rank, self.world, self.local_rank, self.backend = rank, world, local_rank, backend
        self.group = group or world > 1  # a process group exists (FSDP needs one even in one process)

    @property
    def enabled(self):
        return self.world > 1

    @property
    def is_main(self):
        return self.rank == 0

    def share(self, n):
        """(lo, hi): this rank's contiguous slice of n global rows (sizes differ by at most one)."""
        return self.rank * n // self.world, (self.rank + 1) * n // self.world

    def all_sum(self, values):
        """Element-wise sum over ranks of a list of floats (float64, so token counts stay exact)."""
        if not self.enabled:
            return list(values)
        dev = f"cuda:{self.local_rank}" if self.backend == "nccl" else "cpu"
        t = torch.tensor(values, dtype=torch.float64, device=dev)
        torch.distributed.all_reduce(t)
        return t.tolist()

    def barrier(self):
        if self.enabled:
            torch.distributed.barrier()

    def wrap(self, model):
        """The model wrapped in DDP for the student's forward/backward, or the model itself in one process. Frozen
        base weights are left out of DDP's start-up broadcast: every rank loaded the same checkpoint, and for a big
        base that broadcast would cost as much as the load."""
        if not self.enabled:
            return model
        from torch.nn.parallel import DistributedDataParallel as DDP
        frozen = [n for n, p in model.named_parameters() if not p.requires_grad]
        frozen += [n for n, _ in model.named_buffers()]  # RoPE table, reference adapter: identical on every rank
        DDP._set_params_and_buffers_to_ignore_for_model(model, frozen)
        ids = [self.local_rank] if self.backend == "nccl" else None
        return DDP(model, device_ids=ids, broadcast_buffers=False)

    def all_done(self, done):
        """True when `done` is true on every rank (one all-reduce). FSDP ranks must run the same number of forwards,
        so sampling goes on until every rank's rows are finished."""
        if not self.enabled:
            return done
        return self.all_sum([0.0 if done else 1.0])[0] == 0

    def close(self):
        if self.group and torch.distributed.is_initialized():
            torch.distributed.destroy_process_group()


def from_env(device, need_group=False):
    """Joins the process group torchrun describes in the environment (WORLD_SIZE > 1), else returns a one-process Dist.
    `device` is the job's resolved device type ("cpu" or "cuda"): gloo on CPU, NCCL on GPU. `need_group` (FSDP) also
    creates a one-process group when the trainer runs without torchrun."""
    world = int(os.environ.get("WORLD_SIZE", "1") or 1)
    if world <= 1 and not need_group:
        return Dist()
    standalone = "RANK" not in os.environ  # no torchrun: a private one-member group on a free local port
    rank, local_rank = int(os.environ.get("RANK", "0")), int(os.environ.get("LOCAL_RANK", "0"))
    if not torch.distributed.is_available():
        raise TrainerError("this job needs a process group, but this PyTorch build has no torch.distributed")
    backend = "nccl" if device == "cuda" else "gloo"
    if backend == "nccl":
        if torch.cuda.device_count() <= local_rank:
            raise TrainerError(f"local rank {local_rank} has no GPU ({torch.cuda.device_count()} visible)")
        torch.cuda.set_device(local_rank)
    if standalone:
        torch.distributed.init_process_group(backend, init_method=f"tcp://127.0.0.1:{_free_port()}", rank=0,
                                             world_size=1)
    else:
        torch.distributed.init_process_group(backend)
    return Dist(rank, world, local_rank, backend, group=True)


def _free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_MASK = (1 << 64) - 1


def _mix(x):
    """splitmix64 finaliser: spreads nearby integers over 64 bits."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def row_seed(seed, stream, step, row):
    """Seed of one prompt's sampling stream: a function of the job seed, the purpose (`stream`), the step and the
    prompt's index in the global batch, never of the rank or of the other rows. 63 bits (manual_seed wants int64)."""
    x = _mix(seed & _MASK)
    for v in (stream, step, row):
        x = _mix(x ^ (v & _MASK))
    return x >> 1


def row_generators(seed, stream, step, rows, device):
    """One seeded torch.Generator per global row index in `rows`."""
    out = []
    for r in rows:
        g = torch.Generator(device=device)
        g.manual_seed(row_seed(seed, stream, step, r))
        out.append(g)
    return out
