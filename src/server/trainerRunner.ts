import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  TrainerEventSchema, TrainerMetricsSchema, type GenerateJob, type TrainerEvent, type TrainerJobInput, type TrainerMetrics,
} from '../core/protocol/trainer';

/** Handle on a started job: its process id (recorded so a restarted server can stop an orphan) and its outcome. */
export interface RunningJob<T> {
  pid: number | null;
  result: Promise<T>;
}

/**
 * Runs trainer jobs. The only implementation spawns the local Python trainer (under torchrun when asked for several
 * processes); a queue client for GPU nodes would implement the same two methods (see docs/scaling.md).
 */
export interface TrainerRunner {
  /** Starts a training job; `onEvent` sees every progress event; the result is the trainer's metrics. */
  run(job: TrainerJobInput, workDir: string, onEvent: (e: TrainerEvent) => void, signal: AbortSignal): RunningJob<TrainerMetrics>;
  /** Samples continuations; resolves to generated ids per prompt id. */
  generate(job: GenerateJob, workDir: string, signal: AbortSignal): RunningJob<Map<string, number[]>>;
  /**
   * Converts the PEFT adapter folder `adapterDir` (trained on `modelDir`) into llama.cpp's LoRA GGUF at `out`
   * (`export-gguf --adapter`), so runtimes without Python get a file they load. Rejects with the trainer's one-line
   * reason (e.g. an architecture the exporter refuses).
   */
  exportGguf(adapterDir: string, modelDir: string, out: string, signal: AbortSignal): Promise<void>;
}

/**
 * Spawns `python -m oel_trainer run|generate FILE` with the trainer package on PYTHONPATH. With `nproc` > 1, training
 * jobs run under torchrun (`python -m torch.distributed.run`): `nproc` data-parallel processes on this machine, gloo
 * on CPU, NCCL on GPU (one GPU per process); generation jobs stay single-process.
 */
export class PythonTrainerRunner implements TrainerRunner {
  constructor(private readonly python: string, private readonly trainerPath: string, private readonly nproc = 1) {}

  run(job: TrainerJobInput, workDir: string, onEvent: (e: TrainerEvent) => void, signal: AbortSignal): RunningJob<TrainerMetrics> {
    const file = join(workDir, `${job.job_id}.job.json`);
    writeFileSync(file, JSON.stringify(job));
    let metrics: TrainerMetrics | null = null;
    let error: string | null = null;
    const proc = this.spawn(this.launcher(workDir, 'run', file), signal, (line) => {
      let parsed: unknown;
      try { parsed = JSON.parse(line); } catch { return; } // library warnings are not JSON; the protocol says skip them
      const ev = TrainerEventSchema.safeParse(parsed);
      if (!ev.success) return;
      if (ev.data.event === 'done') metrics = ev.data.metrics;
      if (ev.data.event === 'error') error = ev.data.message;
      onEvent(ev.data);
    });
    const result = proc.done.then(({ code, stderr }) => {
      if (code === 0 && metrics) return metrics;
      if (code === 0) return TrainerMetricsSchema.parse(JSON.parse(readFileSync(join(job.output_dir, 'metrics.json'), 'utf8')));
      throw new Error(error ?? (stderr.trim().split('\n').pop() || `trainer exited with status ${code}`));
    });
    // Callers record the pid before awaiting the result; a fast failure must not count as an unhandled rejection.
    result.catch(() => {});
    return { pid: proc.pid, result };
  }

  generate(job: GenerateJob, workDir: string, signal: AbortSignal): RunningJob<Map<string, number[]>> {
    const file = join(workDir, `generate-${Date.now()}.json`);
    writeFileSync(file, JSON.stringify(job));
    const proc = this.spawn(['-m', 'oel_trainer', 'generate', file], signal, () => {});
    const result = proc.done.then(({ code, stderr }) => {
      if (code !== 0) throw new Error(stderr.trim().split('\n').pop() || `trainer generate exited with status ${code}`);
      const out = JSON.parse(readFileSync(job.output_file, 'utf8')) as { samples: Array<{ id: string; ids: number[] }> };
      return new Map(out.samples.map((s) => [s.id, s.ids]));
    });
    result.catch(() => {});
    return { pid: proc.pid, result };
  }

  async exportGguf(adapterDir: string, modelDir: string, out: string, signal: AbortSignal): Promise<void> {
    const proc = this.spawn(['-m', 'oel_trainer', 'export-gguf', '--adapter', adapterDir, '--model', modelDir, '--out', out], signal, () => {});
    const { code, stderr } = await proc.done;
    if (code !== 0) throw new Error(stderr.trim().split('\n').pop() || `trainer export-gguf exited with status ${code}`);
  }

  /** Interpreter arguments for `oel_trainer CMD FILE`, wrapped in torchrun when several processes are configured. */
  private launcher(workDir: string, cmd: string, file: string): string[] {
    const trainer = ['-m', 'oel_trainer', cmd, file];
    if (this.nproc <= 1) return trainer;
    return [
      '-m', 'torch.distributed.run', '--nnodes=1', `--nproc_per_node=${this.nproc}`,
      // Port 0: torchrun picks a free port, so concurrent jobs on one host never join each other's rendezvous.
      '--rdzv_backend=c10d', '--rdzv_endpoint=127.0.0.1:0',
      // Workers' stdout is passed through untouched (rank 0's JSON lines); their stderr is copied to the log folder
      // and to ours. (Explicit values: torch 1.13 on Python 3.11 cannot parse the default "0".)
      '--redirects=2', '--tee=2', `--log_dir=${join(workDir, 'torchrun-logs')}`,
      ...trainer,
    ];
  }

  private spawn(args: string[], signal: AbortSignal, onLine: (line: string) => void) {
    const env = { ...process.env, PYTHONPATH: [this.trainerPath, process.env.PYTHONPATH].filter(Boolean).join(':'), PYTHONUNBUFFERED: '1' };
    // Its own process group: torchrun's workers are its children, and a cancel (or an orphan kill after a crash)
    // must reach all of them, not just the launcher.
    const child = spawn(this.python, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => { stderr = (stderr + b.toString()).slice(-8000); });
    createInterface({ input: child.stdout }).on('line', onLine);
    const abort = () => killGroup(child.pid, 'SIGTERM');
    if (signal.aborted) abort(); else signal.addEventListener('abort', abort, { once: true });
    const done = new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      child.on('error', (e) => reject(new Error(`cannot start trainer (${this.python} ${args.slice(0, 2).join(' ')}): ${e.message}; set "python" in the server config`)));
      child.on('close', (code) => {
        signal.removeEventListener('abort', abort);
        if (signal.aborted) reject(new Error('cancelled'));
        else resolve({ code, stderr });
      });
    });
    return { pid: child.pid ?? null, done };
  }
}

/** Signals the process group led by `pid` (the trainer and, under torchrun, its workers); the process alone if that fails. */
export function killGroup(pid: number | undefined, sig: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, sig);
  } catch {
    try { process.kill(pid, sig); } catch { /* already gone */ }
  }
}
