"""Minimal GGUF v3 writer and reader (llama.cpp's model file format), torch only.

Layout: magic "GGUF", version 3, tensor count and key/value count (u64), the key/values, the tensor infos
(name, dims in ggml order = torch shape reversed, ggml type, offset into the data section), padding to
`general.alignment` (32), then each tensor's bytes, each padded to the alignment. All little-endian.
Only F32 tensors are written: the exports are for exact parity, and quantizing is llama.cpp's job.
"""
import os
import struct

import torch

from .errors import TrainerError

MAGIC = b"GGUF"
VERSION = 3
ALIGNMENT = 32

# GGUF value types (gguf.h: enum gguf_type)
U8, I8, U16, I16, U32, I32, F32, BOOL, STRING, ARRAY, U64, I64, F64 = range(13)
_SCALAR = {U8: "<B", I8: "<b", U16: "<H", I16: "<h", U32: "<I", I32: "<i", F32: "<f", BOOL: "<?", U64: "<Q",
           I64: "<q", F64: "<d"}
GGML_TYPE_F32 = 0

# llama.cpp token types (llama_token_type / gguf-py TokenType)
TOKEN_NORMAL, TOKEN_UNKNOWN, TOKEN_CONTROL, TOKEN_USER_DEFINED, TOKEN_UNUSED, TOKEN_BYTE = 1, 2, 3, 4, 5, 6


def _string(s):
    b = s.encode("utf-8")
    return struct.pack("<Q", len(b)) + b


def _value(vtype, value, etype=None):
    if vtype == STRING:
        return _string(value)
    if vtype == ARRAY:
        out = [struct.pack("<IQ", etype, len(value))]
        if etype == STRING:
            out.extend(_string(v) for v in value)
        else:
            fmt = _SCALAR[etype]
            out.append(struct.pack("<" + fmt[1] * len(value), *value))
        return b"".join(out)
    return struct.pack(_SCALAR[vtype], value)


class GGUFWriter:
    """Collects key/values and F32 tensors in insertion order, then writes the file in one go (atomically)."""

    def __init__(self):
        self.kv = []  # (key, type, value, element type)
        self.tensors = []  # (name, float32 contiguous CPU tensor)
        self._keys, self._names = set(), set()

    def add(self, key, vtype, value, etype=None):
        if key in self._keys:
            raise TrainerError(f"gguf: duplicate key {key}")
        if vtype == ARRAY and etype is None:
            raise TrainerError(f"gguf: array {key} needs an element type")
        self._keys.add(key)
        self.kv.append((key, vtype, value, etype))

    def add_tensor(self, name, t):
        if name in self._names:
            raise TrainerError(f"gguf: duplicate tensor {name}")
        if len(name.encode()) >= 64:  # GGML_MAX_NAME: llama.cpp refuses longer names
            raise TrainerError(f"gguf: tensor name {name} is too long")
        self._names.add(name)
        self.tensors.append((name, t.detach().to("cpu", torch.float32).contiguous()))

    def write(self, path):
        """Writes to a temporary file next to `path`, fsyncs and renames it into place."""
        head = [MAGIC, struct.pack("<IQQ", VERSION, len(self.tensors), len(self.kv))]
        for key, vtype, value, etype in self.kv:
            head.append(_string(key) + struct.pack("<I", vtype) + _value(vtype, value, etype))
        offset = 0
        for name, t in self.tensors:
            dims = list(reversed(t.shape)) or [1]
            head.append(_string(name) + struct.pack("<I", len(dims)) + struct.pack(f"<{len(dims)}Q", *dims)
                        + struct.pack("<IQ", GGML_TYPE_F32, offset))
            offset += _pad(t.numel() * 4)
        header = b"".join(head)
        tmp = f"{path}.tmp-{os.getpid()}"
        try:
            with open(tmp, "wb") as f:
                f.write(header)
                f.write(b"\0" * (_pad(len(header)) - len(header)))
                for _, t in self.tensors:
                    data = t.numpy().tobytes()
                    f.write(data)
                    f.write(b"\0" * (_pad(len(data)) - len(data)))
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except OSError as e:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise TrainerError(f"cannot write {path}: {e.strerror or e}") from None


def _pad(n):
    return (n + ALIGNMENT - 1) // ALIGNMENT * ALIGNMENT


class _Reader:
    def __init__(self, f, path):
        self.f, self.path = f, path

    def take(self, fmt):
        size = struct.calcsize(fmt)
        b = self.f.read(size)
        if len(b) != size:
            raise TrainerError(f"{self.path}: truncated GGUF file")
        return struct.unpack(fmt, b)

    def string(self):
        (n,) = self.take("<Q")
        if n > 1 << 24:
            raise TrainerError(f"{self.path}: not a GGUF file (string length {n})")
        return self.f.read(n).decode("utf-8")

    def value(self, vtype):
        if vtype == STRING:
            return self.string()
        if vtype == ARRAY:
            etype, n = self.take("<IQ")
            return [self.value(etype) for _ in range(n)]
        if vtype not in _SCALAR:
            raise TrainerError(f"{self.path}: unknown GGUF value type {vtype}")
        return self.take(_SCALAR[vtype])[0]


def read_gguf(path, load_tensors=True):
    """Reads a GGUF file written by GGUFWriter (F32 tensors). Returns (metadata dict, {name: torch tensor in torch
    layout}); with load_tensors=False the second dict maps names to (torch shape, ggml type)."""
    try:
        with open(path, "rb") as f:
            r = _Reader(f, path)
            if f.read(4) != MAGIC:
                raise TrainerError(f"{path}: not a GGUF file")
            version, n_tensors, n_kv = r.take("<IQQ")
            if version != VERSION:
                raise TrainerError(f"{path}: GGUF version {version}, expected {VERSION}")
            meta = {}
            for _ in range(n_kv):
                key = r.string()
                (vtype,) = r.take("<I")
                meta[key] = r.value(vtype)
            infos = []
            for _ in range(n_tensors):
                name = r.string()
                (nd,) = r.take("<I")
                dims = r.take(f"<{nd}Q")
                gtype, off = r.take("<IQ")
                infos.append((name, tuple(reversed(dims)), gtype, off))
            align = int(meta.get("general.alignment", ALIGNMENT))
            start = (f.tell() + align - 1) // align * align
            tensors = {}
            for name, shape, gtype, off in infos:
                if not load_tensors:
                    tensors[name] = (shape, gtype)
                    continue
                if gtype != GGML_TYPE_F32:
                    raise TrainerError(f"{path}: tensor {name} has ggml type {gtype}; only F32 is read here")
                n = 1
                for s in shape:
                    n *= s
                f.seek(start + off)
                buf = bytearray(f.read(n * 4))
                if len(buf) != n * 4:
                    raise TrainerError(f"{path}: tensor {name} is truncated")
                tensors[name] = torch.frombuffer(buf, dtype=torch.float32).reshape(shape) if n else torch.empty(shape)
            return meta, tensors
    except OSError as e:
        raise TrainerError(f"cannot read {path}: {e.strerror or e}") from None
