/**
 * The consents given on this machine: for each item the user chose Share with Team for (or sent from the preview),
 * its id and the hash of its text then. A `share: yes` in a knowledge file can come from a colleague's commit or a
 * hostile repository; only a consent recorded here lets an item leave without the preview (Send Now, the schedule).
 * An edited item needs a new consent, as an edited item needs a new review. Kept in VS Code's global state.
 */
import type * as vscode from 'vscode';

const KEY = 'oel.team.consents';
/** Newest kept; older consents only mean those items go through the preview again. */
const MAX = 5000;

export class ConsentRecords {
  constructor(private readonly state: vscode.Memento) {}

  private keys(): string[] {
    const raw = this.state.get<unknown>(KEY);
    return Array.isArray(raw) ? raw.filter((k): k is string => typeof k === 'string') : [];
  }

  /** The lookup planSubmission takes (`has(id, textHash)`). */
  lookup(): { has(id: string, hash: string): boolean } {
    const set = new Set(this.keys());
    return { has: (id, hash) => set.has(`${id} ${hash}`) };
  }

  /** Records consents (id and text hash of each item as it reads now). */
  async record(items: Array<{ id: string; hash: string }>): Promise<void> {
    const add = items.map((i) => `${i.id} ${i.hash}`);
    const keep = this.keys().filter((k) => !add.includes(k));
    await this.state.update(KEY, [...keep, ...add].slice(-MAX));
  }
}
