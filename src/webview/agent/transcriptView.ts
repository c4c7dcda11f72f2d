/**
 * Draws the transcript's entries into its element. An entry keeps its element while the reducer keeps its object, so
 * a streamed delta redraws one message, and a folded list or a half-typed comment elsewhere is left alone.
 */
import type { Entry } from './state';

/** The transcript element and the entry each of its children was drawn from. */
export class TranscriptView {
  private readonly drawn = new Map<string, { entry: Entry; node: HTMLElement }>();

  constructor(readonly root: HTMLElement, private readonly render: (entry: Entry) => HTMLElement) {}

  /** Makes the children match `entries`, drawing only new or changed entries. */
  update(entries: readonly Entry[]): void {
    const nodes: HTMLElement[] = [];
    const keep = new Set<string>();
    for (const entry of entries) {
      let d = this.drawn.get(entry.key);
      if (!d || d.entry !== entry) {
        const node = this.render(entry);
        // A changed entry takes its old element's place.
        if (d) d.node.replaceWith(node);
        d = { entry, node };
        this.drawn.set(entry.key, d);
      }
      keep.add(entry.key);
      nodes.push(d.node);
    }
    for (const [key, d] of this.drawn) if (!keep.has(key)) { d.node.remove(); this.drawn.delete(key); }
    // Entries only ever get appended or removed, so this moves nothing in the usual case.
    nodes.forEach((node, i) => { if (this.root.children[i] !== node) this.root.insertBefore(node, this.root.children[i] ?? null); });
  }

  /** Keeps the newest entry in sight. */
  scrollToEnd(): void { this.root.scrollTop = this.root.scrollHeight; }
}
