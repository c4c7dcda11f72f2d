import json
import struct

import pytest
import torch

from oel_trainer import safetensors_io as st
from oel_trainer.errors import TrainerError


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16, torch.float16])
def test_roundtrip(tmp_path, dtype):
    g = torch.Generator().manual_seed(0)
    tensors = {"a.weight": torch.randn(3, 5, generator=g).to(dtype), "b": torch.randn(7, generator=g).to(dtype),
               "empty": torch.zeros(0, 4, dtype=dtype)}
    p = str(tmp_path / "x.safetensors")
    st.save_file(tensors, p, {"format": "pt"})
    back = st.load_file(p)
    assert set(back) == set(tensors)
    for k, v in tensors.items():
        assert back[k].dtype == dtype and back[k].shape == v.shape
        assert torch.equal(back[k], v)


def test_header_layout(tmp_path):
    p = str(tmp_path / "x.safetensors")
    st.save_file({"w": torch.arange(6, dtype=torch.float32).reshape(2, 3)}, p, {"format": "pt"})
    raw = open(p, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    assert n % 8 == 0
    header = json.loads(raw[8:8 + n])
    assert header["w"] == {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}
    assert header["__metadata__"] == {"format": "pt"}
    assert struct.unpack("<6f", raw[8 + n:]) == (0, 1, 2, 3, 4, 5)


def test_garbage_is_a_clear_error(tmp_path):
    p = tmp_path / "bad.safetensors"
    p.write_bytes(b"\xff" * 16)
    with pytest.raises(TrainerError, match="safetensors"):
        st.load_file(str(p))
