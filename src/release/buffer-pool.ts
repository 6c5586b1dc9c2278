// The buffers the copy reads pieces into (fill-payload.ts). A buffer has up to two users, the
// image write and the MD5 worker, and is taken again once both are done with it.
import { setImmediate } from 'node:timers/promises';

export class BufferPool {
  private readonly free: number[] = [];
  private readonly users: Uint8Array;
  // Slots the MD5 worker has not given back yet: after a mismatch it is stopped, and they are
  // taken back with reclaim(), or the copy would wait for them forever.
  private readonly hashing: Uint8Array;
  private wake: (() => void) | undefined;
  // For FYR_TIMINGS: time take() waited, by who gave the slot back last (the write or the MD5).
  private freedBy: 'write' | 'md5' = 'write';
  readonly waited = { write: 0, md5: 0 };
  // Called once, the first time take() waits: from then on the copy is ahead of its users.
  onFirstWait: (() => void) | undefined;

  constructor(count: number) {
    this.users = new Uint8Array(count);
    this.hashing = new Uint8Array(count);
    for (let slot = 0; slot < count; slot++) this.free.push(slot);
  }

  // A free slot, waiting for one while `stop()` is false; undefined once it is true. While it
  // waits, `idle()` may do a little work (true: there is more), and the slot is looked for
  // again after each bit.
  async take(stop: () => boolean, idle?: () => boolean): Promise<number | undefined> {
    const started = this.free.length === 0 ? performance.now() : undefined;
    if (started !== undefined && this.onFirstWait) {
      const first = this.onFirstWait;
      this.onFirstWait = undefined;
      first();
    }
    let busy = idle !== undefined;
    while (this.free.length === 0 && !stop()) {
      if (busy && (busy = idle!())) await setImmediate();
      else await new Promise<void>((resolve) => (this.wake = resolve));
    }
    if (started !== undefined) this.waited[this.freedBy] += performance.now() - started;
    return stop() ? undefined : this.free.pop()!;
  }

  use(slot: number, write: boolean, hash: boolean): void {
    this.users[slot] = (write ? 1 : 0) + (hash ? 1 : 0);
    this.hashing[slot] = hash ? 1 : 0;
    if (this.users[slot] === 0) {
      this.free.push(slot);
      this.interrupt();
    }
  }

  // One user is done with the slot.
  release(slot: number, by: 'write' | 'md5' = 'write'): void {
    if (--this.users[slot]! > 0) return;
    this.freedBy = by;
    this.free.push(slot);
    this.interrupt();
  }

  hashed(slot: number): void {
    this.hashing[slot] = 0;
    this.release(slot, 'md5');
  }

  // The MD5 worker was stopped: the slots it held come back.
  reclaim(): void {
    for (let slot = 0; slot < this.hashing.length; slot++) if (this.hashing[slot]) this.hashed(slot);
  }

  // Wakes a take() that waits, to look at its stop condition again.
  interrupt(): void {
    this.wake?.();
    this.wake = undefined;
  }
}
