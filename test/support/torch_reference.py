"""PyTorch side of the GGUF parity test, through the trainer's own code (oel_trainer's model and LoRA layers).

  make-adapter MODEL OUT --rank R --alpha A --seed S [--std X]   random PEFT LoRA on all seven projections
  reference SPEC.json                                             log-probs and greedy continuations as JSON

SPEC.json: {"model": DIR, "adapter": DIR | null, "prompts": [[ids]], "greedy": N}. Output on stdout:
{"logprobs": [[[V floats] per position] per prompt], "greedy": [[N ids] per prompt]}, all float32 math like llama.cpp.
"""
import json
import sys

import torch

from oel_trainer.checkpoint import install_reference, load_base, read_adapter, write_adapter
from oel_trainer.lora import TARGETS, adapter_mode, apply_lora, lora_layers
from oel_trainer.spec import LoraSpec


def make_adapter(model_dir, out, rank, alpha, seed, std):
    model, _ = load_base(model_dir)
    apply_lora(model, rank, alpha, 0.0, list(TARGETS))
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in lora_layers(model).values():  # B != 0 so the adapter really changes the model
            m.lora_A.copy_(torch.randn(m.lora_A.shape, generator=g) * std)
            m.lora_B.copy_(torch.randn(m.lora_B.shape, generator=g) * std)
    import os
    os.makedirs(out, exist_ok=True)
    write_adapter(model, out, LoraSpec(rank=rank, alpha=alpha, targets=list(TARGETS)), os.path.abspath(model_dir))


@torch.no_grad()
def reference(spec):
    model, _ = load_base(spec["model"])
    mode = "off"
    if spec.get("adapter"):
        conf, pairs = read_adapter(spec["adapter"])
        targets = sorted({name.rsplit(".", 1)[-1] for name in pairs})
        apply_lora(model, int(conf["r"]), float(conf["lora_alpha"]), 0.0, targets)
        install_reference(model, pairs, spec["adapter"])
        mode = "ref"
    out = {"logprobs": [], "greedy": []}
    with adapter_mode(model, mode):
        for ids in spec["prompts"]:
            logits = model(torch.tensor([ids]))[0]
            out["logprobs"].append(torch.log_softmax(logits.float(), -1).tolist())
            seq = list(ids)
            for _ in range(spec["greedy"]):
                seq.append(int(model(torch.tensor([seq]), last_n=1)[0, -1].argmax()))
            out["greedy"].append(seq[len(ids):])
    return out


def main(argv):
    if argv[0] == "make-adapter":
        args = dict(zip(argv[3::2], argv[4::2]))
        make_adapter(argv[1], argv[2], int(args["--rank"]), float(args["--alpha"]), int(args["--seed"]),
                     float(args.get("--std", "0.1")))
    elif argv[0] == "reference":
        with open(argv[1]) as f:
            json.dump(reference(json.load(f)), sys.stdout)
    else:
        raise SystemExit(f"unknown command {argv[0]}")


if __name__ == "__main__":
    main(sys.argv[1:])
