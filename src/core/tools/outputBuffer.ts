/**
 * A command's output, kept within a fixed size however much the command prints: the first `headChars` characters and
 * a ring of the last `tailChars`, with the count of what fell in between. The start of the output usually says what
 * ran and the end how it ended; a command printing in a loop must not fill the extension host's memory.
 */

/** Characters kept from the start of a command's output. */
export const COMMAND_OUTPUT_HEAD_CHARS = 32_000;
/** Characters kept from the end of a command's output. */
export const COMMAND_OUTPUT_TAIL_CHARS = 32_000;

/** Head + tail ring buffer of text. */
export class HeadTailBuffer {
  private head = '';
  /** Chunks of the tail, oldest first; `tailLength` is their total length. */
  private tail: string[] = [];
  private tailLength = 0;
  private total = 0;

  constructor(private readonly headChars = COMMAND_OUTPUT_HEAD_CHARS, private readonly tailChars = COMMAND_OUTPUT_TAIL_CHARS) {}

  /** Adds a chunk of output. */
  push(chunk: string): void {
    this.total += chunk.length;
    if (this.head.length < this.headChars) {
      const room = this.headChars - this.head.length;
      this.head += chunk.slice(0, room);
      chunk = chunk.slice(room);
      if (!chunk) return;
    }
    this.tail.push(chunk);
    this.tailLength += chunk.length;
    // Drop whole chunks while the rest still covers the tail, then trim the oldest one: amortized O(chunk).
    while (this.tail.length > 1 && this.tailLength - this.tail[0].length >= this.tailChars) this.tailLength -= this.tail.shift()!.length;
    if (this.tailLength > this.tailChars) {
      const excess = this.tailLength - this.tailChars;
      this.tail[0] = this.tail[0].slice(excess);
      this.tailLength -= excess;
    }
  }

  /** Characters received so far. */
  get receivedChars(): number { return this.total; }

  /** Characters dropped from the middle so far. */
  get omittedChars(): number { return this.total - this.head.length - this.tailLength; }

  /** The kept output; when something was dropped, a line in its place says how much, so the model knows it was cut. */
  text(): string {
    const tail = this.tail.join('');
    const omitted = this.omittedChars;
    if (omitted === 0) return this.head + tail;
    return `${this.head}\n[... ${omitted} characters of output omitted: the command printed ${this.total} characters; the first ${this.head.length} and the last ${tail.length} are kept ...]\n${tail}`;
  }
}
