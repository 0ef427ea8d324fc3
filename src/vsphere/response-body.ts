/**
 * What a call keeps of a response body besides what its decoder takes: the byte count
 * (--verbose), the first few KB (to say what a non-SOAP answer is), and the whole body only
 * when asked for (an observer, a small login answer).
 */

/** Enough of a body to recognise an HTML page, JSON or a SOAP envelope and quote its title. */
export const HEAD_BYTES = 8 * 1024;

export class ResponseCapture {
  /** Decompressed bytes taken so far. */
  bytes = 0;
  private readonly headChunks: Buffer[] = [];
  private headBytes = 0;
  private readonly all: Buffer[] | undefined;

  constructor(keepWhole: boolean) {
    this.all = keepWhole ? [] : undefined;
  }

  /** The next piece of the body, as it arrived. */
  take(chunk: Buffer): void {
    this.bytes += chunk.length;
    if (this.headBytes < HEAD_BYTES) {
      const part = chunk.subarray(0, HEAD_BYTES - this.headBytes);
      this.headChunks.push(part);
      this.headBytes += part.length;
    }
    this.all?.push(chunk);
  }

  /** Whether the head is complete: nothing more is needed to say what the answer is. */
  get headFull(): boolean {
    return this.headBytes >= HEAD_BYTES;
  }

  /** The first HEAD_BYTES of the body (or all of it, when shorter), as text. */
  head(): string {
    return Buffer.concat(this.headChunks).toString('utf8');
  }

  /** The whole body, when it is kept. */
  whole(): string | undefined {
    return this.all === undefined ? undefined : Buffer.concat(this.all).toString('utf8');
  }
}
