/**
 * One episode on disk: an append-only JSON Lines file (header line, then one line per step). Appending keeps the file
 * descriptor open and writes one line synchronously, so the cost does not depend on how many episodes exist. A crash
 * mid-write leaves at most one torn last line, which {@link parseEpisodeFile} skips.
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { EpisodeHeaderSchema, StepSchema, type Episode, type EpisodeHeader, type EndReason, type Step } from './episode';

/** Thrown when an episode file's header cannot be read: the file is set aside by the store. */
export class CorruptEpisodeError extends Error {}

/** An episode file opened for appending. */
export class EpisodeWriter {
  private fd: number | null;

  /** Opens (creating when `header` is given) the file at `path` for appending. */
  constructor(readonly path: string, header?: EpisodeHeader) {
    this.fd = openSync(path, header ? 'wx' : 'a');
    if (header) writeSync(this.fd, JSON.stringify(header) + '\n');
    else this.endTornLine(this.fd);
  }

  /** After a crash the file may end mid-line; start on a fresh line so the next step is not glued to the fragment. */
  private endTornLine(fd: number): void {
    const size = fstatSync(fd).size;
    if (size === 0) return;
    const last = Buffer.alloc(1);
    const rfd = openSync(this.path, 'r');
    try { readSync(rfd, last, 0, 1, size - 1); } finally { closeSync(rfd); }
    if (last[0] !== 0x0a) writeSync(fd, '\n');
  }

  /** Appends one step as one line. A single write call, so a crash tears at most this line. */
  append(step: Step): void {
    if (this.fd === null) throw new Error(`episode file ${this.path} is closed`);
    writeSync(this.fd, JSON.stringify(step) + '\n');
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** Derived outcome: the reason of the last `end` step. */
export function endReasonOf(steps: readonly Step[]): EndReason | null {
  for (let i = steps.length - 1; i >= 0; i--) {
    const s = steps[i];
    if (s.kind === 'end') return s.reason;
    // A follow-up after an end reopens the task.
    if (s.kind === 'user') return null;
  }
  return null;
}

/**
 * Parses an episode file's text. A last line that is not valid (torn by a crash) is skipped; an invalid line in the
 * middle is reported through `warn` and skipped. Throws {@link CorruptEpisodeError} when the header is unreadable.
 */
export function parseEpisodeFile(text: string, warn: (message: string) => void = () => {}): Episode {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let header: EpisodeHeader;
  try {
    header = EpisodeHeaderSchema.parse(JSON.parse(lines[0] ?? ''));
  } catch (e) {
    throw new CorruptEpisodeError(`unreadable episode header: ${(e as Error).message.slice(0, 200)}`);
  }
  const steps: Step[] = [];
  for (let i = 1; i < lines.length; i++) {
    try {
      steps.push(StepSchema.parse(JSON.parse(lines[i])));
    } catch {
      if (i !== lines.length - 1) warn(`episode ${header.id}: skipped unreadable line ${i + 1}`);
    }
  }
  const { kind: _kind, ...rest } = header;
  return { ...rest, steps, endReason: endReasonOf(steps) };
}

/** Reads and parses an episode file. */
export function readEpisodeFile(path: string, warn?: (message: string) => void): Episode {
  return parseEpisodeFile(readFileSync(path, 'utf8'), warn);
}
