"""Command line: `run JOB.json`, `rounds ROUNDS.json`, `generate GEN.json`, `init-tiny OUT_DIR --arch ...`,
`export-gguf (--model DIR | --adapter DIR) --out FILE.gguf`.

Progress of `run` goes to stdout as JSON lines; any failure is one line on stderr (and, for `run` and `generate`,
an `error` event on stdout) with a non-zero exit status.
"""
import argparse
import json
import os
import signal
import sys

from .errors import TrainerError

EXIT_ERROR, EXIT_USAGE = 1, 2


def emit(event):
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse prints usage + message; keep it to one line
        sys.stderr.write(f"oel_trainer: error: {message} (see --help)\n")
        sys.exit(EXIT_USAGE)


def _parser():
    p = _Parser(prog="python3 -m oel_trainer", description="OEL consolidation trainer (OPCD into a LoRA adapter)")
    sub = p.add_subparsers(dest="cmd", parser_class=_Parser)
    sub.required = True
    r = sub.add_parser("run", help="run a training job (oel.trainer.job/v1)")
    r.add_argument("job")
    rs = sub.add_parser("rounds", help="run consecutive rounds, each from the previous adapter (oel.trainer.rounds/v1)")
    rs.add_argument("job")
    g = sub.add_parser("generate", help="sample continuations (oel.trainer.generate/v1)")
    g.add_argument("job")
    t = sub.add_parser("init-tiny", help="write a randomly initialised HF checkpoint folder with a byte tokenizer")
    t.add_argument("out_dir")
    t.add_argument("--arch", required=True, choices=["llama", "llama3", "qwen2", "qwen3", "mistral"])
    t.add_argument("--vocab", type=int, default=259)
    t.add_argument("--hidden", type=int, default=64)
    t.add_argument("--layers", type=int, default=2)
    t.add_argument("--heads", type=int, default=4)
    t.add_argument("--kv-heads", type=int, default=2)
    t.add_argument("--seed", type=int, default=0)
    x = sub.add_parser("export-gguf", help="convert an HF model folder or a PEFT LoRA adapter to llama.cpp GGUF (F32)")
    x.add_argument("--model", help="HF checkpoint folder (alone: export the base model; with --adapter: its base)")
    x.add_argument("--adapter", help="PEFT LoRA adapter folder to export as a llama.cpp LoRA adapter")
    x.add_argument("--out", required=True, help="the .gguf file to write")
    x.add_argument("--tokenizer-pre", help="llama.cpp pre-tokenizer name when tokenizer.json's is not recognised")
    return p


def _on_sigterm(signum, frame):
    raise KeyboardInterrupt(f"terminated by signal {signum}")


def cmd_run(path):
    from .spec import parse_job, read_json
    from .train import run_job
    run_job(parse_job(read_json(path)), emit)


def cmd_rounds(path):
    from .spec import parse_rounds, read_json
    from .train import run_rounds
    run_rounds(parse_rounds(read_json(path)), emit)


def cmd_generate(path):
    import torch

    from .checkpoint import install_reference, load_base, read_adapter
    from .lora import adapter_mode, apply_lora
    from .sampling import generate
    from .spec import check_ids, parse_generate, read_json
    from .train import DTYPES, pick_device
    job = parse_generate(read_json(path))
    out = os.path.abspath(job.output_file)
    if not os.path.isdir(os.path.dirname(out)) or not os.access(os.path.dirname(out), os.W_OK):
        raise TrainerError(f"output_file folder {os.path.dirname(out)} does not exist or is not writable")
    dev = pick_device(job.device)
    model, cfg = load_base(job.base_model, dev, DTYPES[job.dtype])
    pad = (job.stop_token_ids or [0])[0]
    check_ids(job.prompts, job.stop_token_ids, pad, cfg.vocab_size)
    mode = "off"
    if job.adapter:
        conf, pairs = read_adapter(job.adapter)
        targets = sorted({name.rsplit(".", 1)[-1] for name in pairs})
        apply_lora(model, int(conf.get("r", 8)), float(conf.get("lora_alpha", 16)), 0.0, targets)
        install_reference(model, pairs, job.adapter)
        model.to(dev)
        mode = "ref"
    gen = torch.Generator(device=dev)
    gen.manual_seed(job.seed)
    torch.manual_seed(job.seed)
    s = job.sampling
    samples = []
    bs = 8
    with adapter_mode(model, mode):
        for i in range(0, len(job.prompts), bs):
            chunk = job.prompts[i:i + bs]
            outs = generate(model, [p.student for p in chunk], s.max_new_tokens, s.temperature, s.top_p,
                            job.stop_token_ids, pad, gen)
            stops = set(job.stop_token_ids)
            for p, o in zip(chunk, outs):
                samples.append({"id": p.id, "ids": o[:-1] if o and o[-1] in stops else o})
    tmp = f"{out}.tmp-{os.getpid()}"
    try:
        with open(tmp, "w") as f:
            json.dump({"samples": samples}, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, out)
    except OSError as e:
        raise TrainerError(f"cannot write output_file {out}: {e.strerror or e}") from None


def cmd_init_tiny(a):
    from .tiny import init_tiny
    init_tiny(a.out_dir, a.arch, a.vocab, a.hidden, a.layers, a.heads, a.kv_heads, a.seed)
    print(json.dumps({"output_dir": os.path.abspath(a.out_dir), "arch": a.arch, "vocab_size": a.vocab}))


def cmd_export_gguf(a):
    from .gguf_export import export_model
    if a.adapter:
        from .gguf_export import export_adapter
        result = export_adapter(a.adapter, a.out, a.model)
    elif a.model:
        result = export_model(a.model, a.out, a.tokenizer_pre)
    else:
        raise TrainerError("export-gguf needs --model DIR or --adapter DIR")
    print(json.dumps(result))


def main(argv=None):
    args = _parser().parse_args(argv)
    signal.signal(signal.SIGTERM, _on_sigterm)
    events = args.cmd in ("run", "rounds", "generate")
    try:
        if args.cmd == "run":
            cmd_run(args.job)
        elif args.cmd == "rounds":
            cmd_rounds(args.job)
        elif args.cmd == "generate":
            cmd_generate(args.job)
        elif args.cmd == "export-gguf":
            cmd_export_gguf(args)
        else:
            cmd_init_tiny(args)
        return 0
    except (TrainerError, KeyboardInterrupt, Exception) as e:  # one line, whatever went wrong
        if isinstance(e, TrainerError):
            msg = str(e)
        elif isinstance(e, KeyboardInterrupt):
            msg = f"interrupted ({e})" if str(e) else "interrupted"
        elif isinstance(e, MemoryError) or "out of memory" in str(e):
            msg = f"out of memory: {e}".splitlines()[0]
        else:
            msg = f"internal error: {type(e).__name__}: {e}".splitlines()[0]
        msg = " ".join(msg.split())
        if events:
            emit({"event": "error", "message": msg})
        sys.stderr.write(f"oel_trainer: error: {msg}\n")
        return EXIT_ERROR
