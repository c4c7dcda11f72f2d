"""Minimal safetensors reader/writer: 8-byte little-endian header length, JSON header, raw little-endian bytes."""
import json
import os
import struct

import torch

from .errors import TrainerError

_DTYPES = {
    "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "F64": torch.float64,
    "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8, "BOOL": torch.bool,
}
_NAMES = {v: k for k, v in _DTYPES.items()}
# torch.frombuffer has no bfloat16 path in older releases: read as int16 and reinterpret.
_RAW = {torch.bfloat16: torch.int16}


def read_header(path):
    """Returns (header dict without __metadata__, metadata dict, data start offset)."""
    try:
        with open(path, "rb") as f:
            (n,) = struct.unpack("<Q", f.read(8))
            if n > 100_000_000:
                raise TrainerError(f"{path}: not a safetensors file (header length {n})")
            header = json.loads(f.read(n))
    except (OSError, struct.error, ValueError) as e:
        raise TrainerError(f"{path}: cannot read safetensors header ({e})") from None
    meta = header.pop("__metadata__", None) or {}
    return header, meta, 8 + n


def load_file(path, names=None):
    """Reads tensors (all, or only `names`) from a .safetensors file into CPU tensors of their stored dtype."""
    header, _, start = read_header(path)
    out = {}
    with open(path, "rb") as f:
        for name, info in header.items():
            if names is not None and name not in names:
                continue
            dtype = _DTYPES.get(info.get("dtype"))
            if dtype is None:
                raise TrainerError(f"{path}: tensor {name} has unsupported dtype {info.get('dtype')}")
            a, b = info["data_offsets"]
            f.seek(start + a)
            buf = bytearray(f.read(b - a))
            shape = info["shape"]
            numel = 1
            for s in shape:
                numel *= s
            if numel == 0:
                out[name] = torch.empty(shape, dtype=dtype)
                continue
            raw = _RAW.get(dtype, dtype)
            t = torch.frombuffer(buf, dtype=raw)
            if t.numel() != numel:
                raise TrainerError(f"{path}: tensor {name} has {t.numel()} elements, shape {shape} needs {numel}")
            out[name] = t.view(dtype).reshape(shape) if raw is not dtype else t.reshape(shape)
    return out


def save_file(tensors, path, metadata=None):
    """Writes {name: tensor} to `path` (tensors moved to CPU, made contiguous) and fsyncs it."""
    header, chunks, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().to("cpu").contiguous()
        if t.dtype not in _NAMES:
            raise TrainerError(f"cannot save tensor {name} of dtype {t.dtype}")
        raw = t.view(_RAW[t.dtype]) if t.dtype in _RAW else t
        data = raw.numpy().tobytes() if t.numel() else b""
        header[name] = {"dtype": _NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    hb = json.dumps(header, separators=(",", ":")).encode()
    hb += b" " * (-len(hb) % 8)  # the format pads the header with spaces to 8-byte alignment
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hb)))
        f.write(hb)
        for c in chunks:
            f.write(c)
        f.flush()
        os.fsync(f.fileno())
