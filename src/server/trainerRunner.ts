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
 * Runs trainer jobs. The only implementation spawns the local Python trainer; a torchrun launcher on GPU nodes or a
 * queue client would implement the same two methods (see docs/scaling.md).
 */
export interface TrainerRunner {
  /** Starts a training job; `onEvent` sees every progress event; the result is the trainer's metrics. */
  run(job: TrainerJobInput, workDir: string, onEvent: (e: TrainerEvent) => void, signal: AbortSignal): RunningJob<TrainerMetrics>;
  /** Samples continuations; resolves to generated ids per prompt id. */
  generate(job: GenerateJob, workDir: string, signal: AbortSignal): RunningJob<Map<string, number[]>>;
}

/** Spawns `python -m oel_trainer run|generate FILE` with the trainer package on PYTHONPATH. */
export class PythonTrainerRunner implements TrainerRunner {
  constructor(private readonly python: string, private readonly trainerPath: string) {}

  run(job: TrainerJobInput, workDir: string, onEvent: (e: TrainerEvent) => void, signal: AbortSignal): RunningJob<TrainerMetrics> {
    const file = join(workDir, `${job.job_id}.job.json`);
    writeFileSync(file, JSON.stringify(job));
    let metrics: TrainerMetrics | null = null;
    let error: string | null = null;
    const proc = this.spawn('run', file, signal, (line) => {
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
    const proc = this.spawn('generate', file, signal, () => {});
    const result = proc.done.then(({ code, stderr }) => {
      if (code !== 0) throw new Error(stderr.trim().split('\n').pop() || `trainer generate exited with status ${code}`);
      const out = JSON.parse(readFileSync(job.output_file, 'utf8')) as { samples: Array<{ id: string; ids: number[] }> };
      return new Map(out.samples.map((s) => [s.id, s.ids]));
    });
    result.catch(() => {});
    return { pid: proc.pid, result };
  }

  private spawn(cmd: string, file: string, signal: AbortSignal, onLine: (line: string) => void) {
    const env = { ...process.env, PYTHONPATH: [this.trainerPath, process.env.PYTHONPATH].filter(Boolean).join(':'), PYTHONUNBUFFERED: '1' };
    const child = spawn(this.python, ['-m', 'oel_trainer', cmd, file], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => { stderr = (stderr + b.toString()).slice(-8000); });
    createInterface({ input: child.stdout }).on('line', onLine);
    const abort = () => child.kill('SIGTERM');
    if (signal.aborted) abort(); else signal.addEventListener('abort', abort, { once: true });
    const done = new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      child.on('error', (e) => reject(new Error(`cannot start trainer (${this.python} -m oel_trainer): ${e.message}; set "python" in the server config`)));
      child.on('close', (code) => {
        signal.removeEventListener('abort', abort);
        if (signal.aborted) reject(new Error('cancelled'));
        else resolve({ code, stderr });
      });
    });
    return { pid: child.pid ?? null, done };
  }
}
