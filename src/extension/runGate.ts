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
   * The claim happens before `run` first awaits, so a second call in the same tick already sees it.
   */
  async run(task: () => Promise<void>): Promise<boolean> {
    if (this.busy) return false;
    this.busy = true;
    this.onChange(true);
    try {
      await task();
    } finally {
      this.busy = false;
      this.onChange(false);
    }
    return true;
  }
}
