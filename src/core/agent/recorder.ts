/**
 * Records an episode: redacts every header and step, then writes it to the store in order. Redaction (secretlint
 * included) is async, so steps go through a promise chain; the loop never waits on disk, and {@link flush} waits for
 * everything recorded so far.
 */
import { redactValue, redactValueThorough } from '../redact/redact';
import type { EpisodeHeader, EndReason, Step } from '../trajectory/episode';
import type { TrajectoryStore } from '../trajectory/store';

/** What the agent loop needs to record a trajectory. */
export interface TrajectoryRecorder {
  begin(header: EpisodeHeader): void;
  step(step: Step): void;
  end(reason: EndReason, message?: string): void;
  reopen(): void;
  /** Thumbs up/down (+ comment) from the user, after the task ended. */
  feedback(rating: 'up' | 'down', comment?: string): void;
  /** Resolves when everything recorded so far is on disk. */
  flush(): Promise<void>;
}

/** Options of {@link StoreRecorder}. */
export interface StoreRecorderOptions {
  /** Literal secrets to redact wherever they appear (the configured API key). */
  knownSecrets?: string[];
  /** Also run secretlint (about 0.2 ms per 2 KB string; default true). */
  thorough?: boolean;
  /** Storage failures: the task goes on, the user is told. */
  onError?(message: string): void;
}

/** {@link TrajectoryRecorder} over a {@link TrajectoryStore}. */
export class StoreRecorder implements TrajectoryRecorder {
  private chain: Promise<void> = Promise.resolve();
  private id: string | null = null;

  constructor(private readonly store: TrajectoryStore, private readonly opts: StoreRecorderOptions = {}) {}

  private redact<T>(value: T): Promise<T> {
    const known = this.opts.knownSecrets ?? [];
    return this.opts.thorough === false ? Promise.resolve(redactValue(value, known)) : redactValueThorough(value, known);
  }

  private enqueue(work: () => Promise<void>): void {
    this.chain = this.chain.then(work).catch((e: unknown) => this.opts.onError?.(`could not record the trajectory: ${(e as Error).message}`));
  }

  begin(header: EpisodeHeader): void {
    this.id = header.id;
    this.enqueue(async () => this.store.create(await this.redact(header)));
  }

  step(step: Step): void {
    const id = this.id;
    if (!id) return;
    this.enqueue(async () => this.store.append(id, await this.redact(step)));
  }

  end(reason: EndReason, message?: string): void {
    const id = this.id;
    if (!id) return;
    this.enqueue(async () => this.store.finish(id, reason, message === undefined ? undefined : await this.redact(message)));
  }

  reopen(): void {
    const id = this.id;
    if (id) this.enqueue(() => this.store.reopen(id));
  }

  feedback(rating: 'up' | 'down', comment?: string): void {
    const id = this.id;
    if (!id) return;
    this.enqueue(async () => this.store.feedback(id, rating, comment === undefined ? undefined : await this.redact(comment)));
  }

  flush(): Promise<void> {
    return this.chain;
  }
}
