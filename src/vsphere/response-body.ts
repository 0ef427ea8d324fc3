/**
 * A response body read as it streams in, with what the call needs besides the decoder: the
 * byte count (--verbose), the first few KB (to say what a non-SOAP answer is), and the whole
 * body only when asked for (an observer, a small login answer). Anything else passes through.
 */
import type { Readable } from 'node:stream';

/** Enough of a body to recognise an HTML page, JSON or a SOAP envelope and quote its title. */
export const HEAD_BYTES = 8 * 1024;

export class ResponseBody {
  /** Decompressed bytes read so far. */
  bytes = 0;
  private readonly source: AsyncIterator<Buffer>;
  private readonly headChunks: Buffer[] = [];
  private headBytes = 0;
  private readonly all: Buffer[] | undefined;
  private done = false;

  constructor(
    private readonly stream: Readable,
    keepWhole: boolean,
  ) {
    this.source = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    this.all = keepWhole ? [] : undefined;
  }

  /**
   * The chunks for a decoder; `onFirst` runs when the first one is handed over. Stopping
   * early leaves the rest unread (close() releases it), so that head() can still read on.
   */
  chunks(onFirst?: () => void): AsyncIterable<Buffer> {
    return {
      [Symbol.asyncIterator]: () => ({
        next: async (): Promise<IteratorResult<Buffer>> => {
          const chunk = await this.read();
          if (chunk === undefined) return { done: true, value: undefined };
          if (this.bytes === chunk.length) onFirst?.();
          return { done: false, value: chunk };
        },
      }),
    };
  }

  /** The first HEAD_BYTES of the body (reading on up to there), as text. */
  async head(): Promise<string> {
    while (this.headBytes < HEAD_BYTES && (await this.read()) !== undefined);
    return Buffer.concat(this.headChunks).toString('utf8');
  }

  /** The whole body as read so far, when it is kept. */
  whole(): string | undefined {
    return this.all === undefined ? undefined : Buffer.concat(this.all).toString('utf8');
  }

  /** Releases what is left unread (the connection, and the call's turn in flight). */
  close(): void {
    if (!this.stream.destroyed && !this.stream.readableEnded) this.stream.destroy();
  }

  private async read(): Promise<Buffer | undefined> {
    if (this.done) return undefined;
    const r = await this.source.next();
    if (r.done) {
      this.done = true;
      return undefined;
    }
    const chunk = r.value;
    this.bytes += chunk.length;
    if (this.headBytes < HEAD_BYTES) {
      const part = chunk.subarray(0, HEAD_BYTES - this.headBytes);
      this.headChunks.push(part);
      this.headBytes += part.length;
    }
    this.all?.push(chunk);
    return chunk;
  }
}
