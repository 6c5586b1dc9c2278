// How long work reports itself and is stopped: one event shape for every operation that moves
// gigabytes or waits on a service, and an AbortSignal. The CLI turns events into a bar or lines.
import { FyrError } from '../errors.js';

export interface ProgressEvent<P extends string = string> {
  // What is being done: 'copy', 'hash', 'write', 'verify', ... (each operation names its own).
  phase: P;
  // A measured phase: how far it is, in its unit (bytes, or percent where a tool reports that).
  done?: number;
  total?: number;
  // A step: one line for the log.
  message?: string;
}

export type OnProgress<E extends ProgressEvent = ProgressEvent> = (event: E) => void;

// The two options every long operation takes.
export interface LongWork<E extends ProgressEvent = ProgressEvent> {
  onProgress?: OnProgress<E> | undefined;
  signal?: AbortSignal | undefined;
}

// Stops the work with INTERRUPTED once the signal has fired; `what` completes "stopped before …".
export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new FyrError('INTERRUPTED', `stopped before ${what}`);
}
