// Types of lib.mjs for the TypeScript tests (the chassis helpers; the rest serves bin/).
export declare const dir: string | undefined;
export declare const args: string[];
export declare function record(name: string): void;
export declare function crashPoint(key: string, pid?: number): void;
export declare function readState<T>(name: string, fallback: T): T;
export declare function writeState(name: string, value: unknown): void;
export declare function fail(message: string, code?: number): never;
export declare function option(name: string): string | undefined;

/** Seconds an ACPI soft-off takes before the guest is off (divided by FYR_DOUBLE_TIME_SCALE). */
export declare const ACPI_DELAY_S: number;
export declare function chassisPowered(chassis: string): boolean;
export declare function chassisPowerSince(chassis: string): number | undefined;
export declare function chassisStuck(chassis: string): boolean;
export declare function chassisEvent(chassis: string, line: string): void;
/** Off now; `why` (acpi, shutdown) marks a power-off from inside: "off WHY" in events. */
export declare function chassisPowerOff(chassis: string, why?: string): void;
export declare function chassisPowerOn(chassis: string, kind: 'power' | 'reset', device: string): void;
export declare function chassisSoftOff(chassis: string): void;
export declare function chassisPoweringOff(chassis: string): boolean;
