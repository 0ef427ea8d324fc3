/**
 * A streaming ZIP writer, just enough for an OOXML package: deflated entries written one
 * after the other straight to a file, sizes and CRC-32 in a data descriptor after each entry
 * (APPNOTE.TXT 4.3.9), so an entry is never held whole in memory. No ZIP64: a package part
 * or the whole file over 4 GiB is refused.
 */
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createDeflateRaw, crc32, type DeflateRaw } from 'node:zlib';

const LOCAL_HEADER = 0x04034b50;
const DATA_DESCRIPTOR = 0x08074b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL = 0x06054b50;
// Bit 3: sizes follow in a data descriptor; bit 11: names are UTF-8.
const FLAGS = 0x0808;
const DEFLATE = 8;
const VERSION = 20;
const MAX_32 = 0xffffffff;

interface EntryRecord {
  name: Buffer;
  crc: number;
  compressed: number;
  size: number;
  offset: number;
}

/** One entry being written; write text or bytes in order, then end(). */
export interface ZipEntry {
  write(chunk: string | Buffer): Promise<void>;
  end(): Promise<void>;
}

export class ZipWriter {
  private readonly out: WriteStream;
  private readonly entries: EntryRecord[] = [];
  private offset = 0;
  private readonly dosTime: number;
  private readonly dosDate: number;
  private failure: Error | undefined;

  /** `level`: zlib compression level; the workbook uses a fast one (its XML is repetitive). */
  constructor(
    path: string,
    private readonly level: number = 3,
    modified: Date = new Date(),
  ) {
    this.out = createWriteStream(path);
    this.out.on('error', (err) => (this.failure = err));
    this.dosTime =
      (modified.getUTCHours() << 11) |
      (modified.getUTCMinutes() << 5) |
      (modified.getUTCSeconds() >> 1);
    this.dosDate =
      ((modified.getUTCFullYear() - 1980) << 9) |
      ((modified.getUTCMonth() + 1) << 5) |
      modified.getUTCDate();
  }

  /** Adds a whole entry at once. */
  async add(name: string, content: string | Buffer): Promise<void> {
    const entry = await this.open(name);
    await entry.write(content);
    await entry.end();
  }

  /** Starts an entry; the previous one must have ended. */
  async open(name: string): Promise<ZipEntry> {
    const record: EntryRecord = {
      name: Buffer.from(name, 'utf8'),
      crc: 0,
      compressed: 0,
      size: 0,
      offset: this.offset,
    };
    const header = Buffer.alloc(30);
    header.writeUInt32LE(LOCAL_HEADER, 0);
    header.writeUInt16LE(VERSION, 4);
    header.writeUInt16LE(FLAGS, 6);
    header.writeUInt16LE(DEFLATE, 8);
    header.writeUInt16LE(this.dosTime, 10);
    header.writeUInt16LE(this.dosDate, 12);
    // CRC and sizes (14..25) stay zero: they follow in the data descriptor.
    header.writeUInt16LE(record.name.length, 26);
    await this.raw(Buffer.concat([header, record.name]));

    const deflate: DeflateRaw = createDeflateRaw({ level: this.level, chunkSize: 64 * 1024 });
    deflate.on('data', (chunk: Buffer) => {
      record.compressed += chunk.length;
      this.offset += chunk.length;
      if (!this.out.write(chunk)) deflate.pause();
    });
    this.out.on('drain', () => deflate.resume());
    const finished = once(deflate, 'end');

    return {
      write: async (chunk) => {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
        record.crc = crc32(bytes, record.crc);
        record.size += bytes.length;
        if (record.size > MAX_32) throw new Error(`zip entry ${name} exceeds 4 GiB`);
        if (!deflate.write(bytes)) await once(deflate, 'drain');
        this.check();
      },
      end: async () => {
        deflate.end();
        await finished;
        this.out.removeAllListeners('drain');
        const descriptor = Buffer.alloc(16);
        descriptor.writeUInt32LE(DATA_DESCRIPTOR, 0);
        descriptor.writeUInt32LE(record.crc >>> 0, 4);
        descriptor.writeUInt32LE(record.compressed, 8);
        descriptor.writeUInt32LE(record.size, 12);
        await this.raw(descriptor);
        this.entries.push(record);
      },
    };
  }

  /** Writes the central directory and closes the file. */
  async close(): Promise<void> {
    const start = this.offset;
    for (const e of this.entries) {
      const h = Buffer.alloc(46);
      h.writeUInt32LE(CENTRAL_HEADER, 0);
      h.writeUInt16LE(VERSION, 4);
      h.writeUInt16LE(VERSION, 6);
      h.writeUInt16LE(FLAGS, 8);
      h.writeUInt16LE(DEFLATE, 10);
      h.writeUInt16LE(this.dosTime, 12);
      h.writeUInt16LE(this.dosDate, 14);
      h.writeUInt32LE(e.crc >>> 0, 16);
      h.writeUInt32LE(e.compressed, 20);
      h.writeUInt32LE(e.size, 24);
      h.writeUInt16LE(e.name.length, 28);
      h.writeUInt32LE(e.offset, 42);
      await this.raw(Buffer.concat([h, e.name]));
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(END_OF_CENTRAL, 0);
    end.writeUInt16LE(this.entries.length, 8);
    end.writeUInt16LE(this.entries.length, 10);
    end.writeUInt32LE(this.offset - start, 12);
    end.writeUInt32LE(start, 16);
    await this.raw(end);
    this.out.end();
    await once(this.out, 'close');
    this.check();
  }

  /** Closes the file after a failure, leaving it incomplete (the caller removes it). */
  destroy(): void {
    this.out.destroy();
  }

  private async raw(bytes: Buffer): Promise<void> {
    this.offset += bytes.length;
    if (this.offset > MAX_32) throw new Error('zip file exceeds 4 GiB');
    if (!this.out.write(bytes)) await once(this.out, 'drain');
    this.check();
  }

  private check(): void {
    if (this.failure) throw this.failure;
  }
}
