// What the agent asks of a node's BMC. Redfish and IPMI implement it; `manual` BMCs have none
// (a technician powers those nodes on, and the status page says so).
export type Power = 'On' | 'Off';

export interface BmcDriver {
  // "redfish https://192.168.8.210:443", for messages; never holds the password.
  readonly describe: string;
  powerState(): Promise<Power>;
  // Boot from the network once, then return to the usual boot order.
  pxeOnce(): Promise<void>;
  powerOn(): Promise<void>;
  // Hard restart of a node that is already on, so the one-time PXE boot takes effect.
  restart(): Promise<void>;
  // soft: the ACPI power button (the OS shuts down, or not); hard: the power cut at once.
  powerOff(how: 'soft' | 'hard'): Promise<void>;
}

// A BMC problem worth showing per node: wrong credentials, no answer, an unexpected reply.
export class BmcError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}
BmcError.prototype.name = 'BmcError';
