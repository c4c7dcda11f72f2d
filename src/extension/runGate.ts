/**
 * One task at a time, claimed synchronously. `AgentController.send` used to set its running flag only after several
 * awaits (edit checks, loading the core, the API key, the store), so two quick sends could both pass the check and
 * start two sessions. Pure (no `vscode`), so it is unit-tested.
 */
export class RunGate {
  private busy = false;

  /** `onChange` hears every change of the running state, synchronously. */
  constructor(private readonly onChange: (running: boolean) => void = () => {}) {}

  /** Whether a run is in progress. */
  get running(): boolean { return this.busy; }

  /**
   * Runs `task` unless a run is in progress, and resolves true when it ran; false, without running it, otherwise.
   * The claim happens before `run` first awaits, so a second call in the same tick already sees it. The task may
   * call `release` to end the run early (its remaining bookkeeping then no longer blocks the next run); the gate is
   * released when the task settles in any case.
   */
  async run(task: (release: () => void) => Promise<void>): Promise<boolean> {
    if (this.busy) return false;
    this.busy = true;
    this.onChange(true);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.busy = false;
      this.onChange(false);
    };
    try {
      await task(release);
    } finally {
      release();
    }
    return true;
  }
}
