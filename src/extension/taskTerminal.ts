/**
 * The task's terminal: a Pseudoterminal named after the task, where the commands the agent runs (once approved) show
 * their output live, as in other agents. The tool card keeps the summary and exit code, the trajectory the truncated
 * output. Ctrl+C in the terminal stops the running command (its whole process group), like Stop.
 */
import * as vscode from 'vscode';

/** ANSI for the command line echoed before its output: bold. */
const BOLD = '\x1b[1m';
const DIM = '\x1b[2m';
const RESET = '\x1b[0m';

/** Terminals want CRLF; commands print LF. Pure; exported for tests. */
export function toTerminalText(chunk: string): string {
  return chunk.replace(/\r?\n/g, '\r\n');
}

/** The line that closes a command's output in the terminal. Pure; exported for tests. */
export function endLine(r: { exitCode: number | null; timedOut: boolean; cancelled: boolean }): string {
  const what = r.timedOut ? 'timed out and was killed' : r.cancelled ? 'was stopped' : `exited with code ${r.exitCode}`;
  return `\r\n${DIM}[the command ${what}]${RESET}\r\n\r\n`;
}

/** One terminal per task, created on the task's first command and reused for the next ones. */
export class TaskTerminal implements vscode.Disposable {
  private terminal: vscode.Terminal | undefined;
  private readonly writes = new vscode.EventEmitter<string>();
  /** Text written before VS Code opened the terminal (it drops writes made before `open`). */
  private pending: string[] | null = [];
  private interrupt: (() => void) | undefined;
  private closeListener: vscode.Disposable | undefined;

  constructor(private readonly name: string) {}

  /** Shows the command in the task's terminal (creating it if needed); `interrupt` runs on Ctrl+C there. */
  begin(command: string, cwd: string, interrupt: () => void): void {
    this.interrupt = interrupt;
    if (!this.terminal) this.create();
    this.terminal!.show(true); // preserve focus: the user keeps typing where they were
    this.write(`${DIM}${cwd}${RESET}\r\n${BOLD}$ ${command}${RESET}\r\n`);
  }

  /** Appends a chunk of the running command's output. */
  output(chunk: string): void { this.write(toTerminalText(chunk)); }

  /** Closes the command's output with how it ended. */
  end(result: { exitCode: number | null; timedOut: boolean; cancelled: boolean }): void {
    this.interrupt = undefined;
    this.write(endLine(result));
  }

  private create(): void {
    this.pending = [];
    const pty: vscode.Pseudoterminal = {
      onDidWrite: this.writes.event,
      open: () => {
        const queued = this.pending ?? [];
        this.pending = null;
        for (const t of queued) this.writes.fire(t);
      },
      close: () => { /* the user closed it: the next command opens a new one */ },
      handleInput: (data) => { if (data === '\x03') this.interrupt?.(); },
    };
    this.terminal = vscode.window.createTerminal({ name: this.name, pty, iconPath: new vscode.ThemeIcon('hubot') });
    this.closeListener = vscode.window.onDidCloseTerminal((t) => {
      if (t !== this.terminal) return;
      this.terminal = undefined;
      this.closeListener?.dispose();
    });
  }

  private write(text: string): void {
    if (this.pending) this.pending.push(text);
    else this.writes.fire(text);
  }

  dispose(): void {
    this.closeListener?.dispose();
    this.writes.dispose();
  }
}

/** The terminal name for a task: "OEL: " and the start of its request, on one line. */
export function terminalName(request: string): string {
  const title = request.replace(/\s+/g, ' ').trim();
  return `OEL: ${title.length > 40 ? `${title.slice(0, 39)}…` : title || 'task'}`;
}
