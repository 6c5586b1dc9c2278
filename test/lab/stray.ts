// The stray: a machine the site does not know, powered on once DHCP and TFTP serve. It must
// PXE-boot while PXE is on, so the install is held short of complete (the openshift-install
// double's hold file) until its console shows the default menu's local boot, or for 4 minutes
// at most (then the lab's check of the stray says what it saw). Each step is said in the lab's
// log, with the console's last lines when it went wrong: a CI run keeps no artifacts.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { consoleTail, serialText, vmCommand, type Vm } from './vms.js';

const WINDOW_MS = 240_000;
// A network boot can fail under load: SeaBIOS gives up after one failed try ("No bootable
// device."), and PXELINUX, when it finds no config file (in 2 of 4 full runs on 2026-12-07,
// while the agent's install phases loaded the machine; the files were there), waits minutes
// for a key or a reset ("Boot failed: press a key to retry"). A server's firmware would try
// again; the lab powers it off and on, as a tech would, at most twice.
const RETRIES = 2;
const BOOTED = /Booting from local disk|No DEFAULT or UI/;
const GAVE_UP = /No bootable device|Boot failed: press a key to retry/;

export class Stray {
  private onAt = 0;
  // Where this power-on's console begins in the serial log (it appends across power cycles).
  private from = 0;
  private retries = 0;

  constructor(
    private readonly vm: Vm,
    private readonly hold: string,
    private readonly log: (line: string) => void,
  ) {}

  get on(): boolean {
    return this.onAt > 0;
  }

  async powerOn(): Promise<void> {
    this.from = (await serialText(this.vm)).length;
    this.onAt = Date.now();
    await vmCommand(this.vm, 'start', 'default');
  }

  // Called at every poll of the lab: releases the hold once the stray is done with PXE.
  async step(): Promise<void> {
    if (!this.on || !existsSync(this.hold)) return;
    const console = (await serialText(this.vm)).slice(this.from);
    const waited = Date.now() - this.onAt;
    if (BOOTED.test(console)) {
      this.log(`lab: the stray booted the default menu ${(waited / 1000).toFixed(0)} s after power-on`);
      await rm(this.hold, { force: true });
    } else if (GAVE_UP.test(console) && this.retries < RETRIES) {
      this.retries += 1;
      this.log(
        `lab: the stray's network boot failed; powered off and on again. Its console ended:\n${consoleTail(console)}`,
      );
      await vmCommand(this.vm, 'stop');
      await this.powerOn();
    } else if (waited > WINDOW_MS) {
      this.log(`lab: 4 minutes without the stray's default menu; its console ends:\n${consoleTail(console)}`);
      await rm(this.hold, { force: true });
    }
  }
}
