// Holds secret values so they cannot leak by accident: JSON.stringify, console.log and
// util.inspect all see "[secrets redacted]", never the values.
import { inspect } from 'node:util';

export class SecretStore {
  readonly #values: ReadonlyMap<string, string>;
  // Path of the secrets file as shown in messages, or undefined when secrets were not loaded.
  readonly display: string | undefined;

  constructor(values: ReadonlyMap<string, string>, display: string | undefined) {
    this.#values = values;
    this.display = display;
  }

  static empty(): SecretStore {
    return new SecretStore(new Map(), undefined);
  }

  get loaded(): boolean {
    return this.display !== undefined;
  }

  has(name: string): boolean {
    return this.#values.has(name);
  }

  names(): string[] {
    return [...this.#values.keys()].sort();
  }

  // The value of a secret; callers must only pass it to a generated file or a program.
  reveal(name: string): string | undefined {
    return this.#values.get(name);
  }

  toJSON(): string {
    return '[secrets redacted]';
  }

  [inspect.custom](): string {
    return '[secrets redacted]';
  }
}
