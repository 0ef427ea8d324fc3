/**
 * Keep-alive HTTP/1.1 connections to one server, at most `maxSockets` open, one exchange at a
 * time on each. A request goes out in one write; the answer's bytes go straight to the
 * exchange's reader (./http1-response), without a stream per call. A connection the server
 * closed while idle is dropped, never handed out.
 */
import type { TLSSocket } from 'node:tls';

/** What a connection hands the exchange in progress. */
export interface ConnectionUser {
  data(bytes: Buffer): void;
  /** The server closed the connection (its end of it). */
  closed(): void;
  error(err: Error): void;
}

export class Http1Connection {
  private user: ConnectionUser | undefined;
  private open = true;

  constructor(private readonly socket: TLSSocket) {
    socket.on('data', (bytes: Buffer) => {
      // Bytes nobody asked for: the connection is out of step with the server.
      if (this.user) this.user.data(bytes);
      else this.destroy();
    });
    socket.on('end', () => this.onClose());
    socket.on('close', () => this.onClose());
    socket.on('error', (err) => {
      const user = this.user;
      this.destroy();
      user?.error(err);
    });
  }

  /** Open, and not closed by the server: may carry a request. */
  get usable(): boolean {
    return this.open && !this.socket.destroyed && this.socket.writable;
  }

  /** Sends one request; its answer's bytes go to `user` until release(). */
  send(request: Buffer, user: ConnectionUser): void {
    this.user = user;
    this.socket.ref();
    this.socket.write(request);
  }

  /** The exchange is over; the connection idles (not keeping the process alive). */
  release(): void {
    this.user = undefined;
    if (!this.socket.destroyed) this.socket.unref();
  }

  destroy(): void {
    this.open = false;
    this.user = undefined;
    this.socket.destroy();
  }

  private onClose(): void {
    const user = this.user;
    this.open = false;
    this.user = undefined;
    if (!this.socket.destroyed) this.socket.destroy();
    user?.closed();
  }
}

export class ConnectionPool {
  private readonly idle: Http1Connection[] = [];
  private readonly waiting: Array<() => void> = [];
  private opened = 0;
  private closed = false;

  constructor(
    private readonly connect: () => Promise<TLSSocket>,
    private readonly maxSockets: number,
  ) {}

  /** An idle connection, a new one, or the next one released. */
  async acquire(): Promise<Http1Connection> {
    for (;;) {
      let c: Http1Connection | undefined;
      while ((c = this.idle.pop()) !== undefined) {
        if (c.usable) return c;
        c.destroy();
        this.opened--;
      }
      if (this.opened < this.maxSockets) {
        this.opened++;
        try {
          return new Http1Connection(await this.connect());
        } catch (err) {
          this.opened--;
          this.wakeOne();
          throw err;
        }
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  /** Back to the pool when `reusable`, otherwise closed; either way a waiting caller goes on. */
  release(c: Http1Connection, reusable: boolean): void {
    if (reusable && c.usable && !this.closed) {
      c.release();
      this.idle.push(c);
    } else {
      c.destroy();
      this.opened--;
    }
    this.wakeOne();
  }

  /** Closes every idle connection; those in use close when released. */
  close(): void {
    this.closed = true;
    for (const c of this.idle.splice(0)) {
      c.destroy();
      this.opened--;
    }
  }

  private wakeOne(): void {
    this.waiting.shift()?.();
  }
}
