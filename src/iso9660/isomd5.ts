// isomd5sum's implanted media check (the "ISO MD5SUM = ..." text in the primary volume
// descriptor's application-use field that Anaconda's rd.live.check and checkisomd5 verify),
// re-implemented so the sum can be computed while the ISO streams past, and resumed later.
//
// The format, as libcheckisomd5 reads it: the MD5 covers the image from byte 0 up to the
// volume size minus SKIPSECTORS sectors, with the 512-byte application-use field read as
// spaces. It is read in 32 KiB pieces; after the piece that starts in a new twenty-first of
// the hashed length, the first hex digit of each of the first three bytes of the running MD5
// (finished on a copy) is appended to the fragment sums.
import { createHash, type Hash } from 'node:crypto';
import { Md5, type Md5State } from './md5.js';
import { PVD_OFFSET, SECTOR } from './read.js';

// What the hasher needs of an MD5: fyr's resumable one, or node:crypto's (faster, native) for a
// run that never has to export its state (see nativeMd5).
export interface Md5Engine {
  update(data: Uint8Array): unknown;
  // The digest of the bytes so far, leaving the hash running.
  digest(): Buffer;
  exportState(): Md5State;
  readonly bytes: number;
}

// node:crypto's MD5 cannot export its state. At one chosen offset it can anyway: where the
// image's next 64 bytes are exactly MD5's padding for the bytes before them, the digest of those
// bytes *is* the chaining state after the padding block (see release.ts, the MD5 pad).
export function nativeMd5(): Md5Engine {
  const hash: Hash = createHash('md5');
  let bytes = 0;
  return {
    update(data) {
      hash.update(data);
      bytes += data.length;
    },
    digest: () => hash.copy().digest(),
    exportState() {
      throw new Error('node:crypto cannot export an MD5 state');
    },
    get bytes() {
      return bytes;
    },
  };
}

// MD5's padding of a message of `length` bytes, when that is a multiple of 64: the block whose
// compression leaves the chaining words equal to the message's digest.
export function md5PaddingBlock(length: number): Buffer {
  if (length % 64 !== 0) throw new Error('the MD5 pad needs a 64-byte aligned length');
  const block = Buffer.alloc(64);
  block[0] = 0x80;
  const bits = BigInt(length) * 8n;
  block.writeBigUInt64LE(bits, 56);
  return block;
}

export const APPDATA_OFFSET = 883;
export const APPDATA_SIZE = 512;
export const SKIP_SECTORS = 15;
export const FRAGMENT_COUNT = 20;
const PIECE = 32 * 1024;
const FRAGMENT_CHARS = 3;

export interface IsoMd5Layout {
  // Bytes hashed: volume size minus the skipped sectors.
  hashedLength: number;
  // Absolute offset of the application-use field.
  appDataAt: number;
}

export interface IsoMd5Checkpoint extends IsoMd5Layout {
  offset: number;
  md5: Md5State;
  fragmentSums: string;
  previousFragment: number;
}

export interface IsoMd5Result {
  md5: string;
  fragmentSums: string;
}

// The hashed length and field position, from the primary volume descriptor (sector 16).
export function isoMd5Layout(pvd: Buffer): IsoMd5Layout {
  if (pvd.length < SECTOR || pvd[0] !== 1 || pvd.toString('latin1', 1, 6) !== 'CD001')
    throw new Error('no primary volume descriptor at sector 16');
  const volumeBytes = pvd.readUInt32BE(84) * SECTOR;
  return { hashedLength: volumeBytes - SKIP_SECTORS * SECTOR, appDataAt: PVD_OFFSET + APPDATA_OFFSET };
}

export class IsoMd5Hasher {
  private readonly md5: Md5Engine;
  private offset: number;
  private fragmentSums: string;
  private previousFragment: number;

  constructor(
    readonly layout: IsoMd5Layout,
    from?: IsoMd5Checkpoint,
    engine?: Md5Engine,
  ) {
    if (from && (from.hashedLength !== layout.hashedLength || from.appDataAt !== layout.appDataAt))
      throw new Error('checkpoint is for another image');
    if (from && engine) throw new Error("a checkpoint resumes only fyr's own MD5");
    this.md5 = engine ?? (from ? Md5.resume(from.md5) : new Md5());
    this.offset = from?.offset ?? 0;
    this.fragmentSums = from?.fragmentSums ?? '';
    this.previousFragment = from?.previousFragment ?? 0;
    if (this.md5.bytes !== this.offset) throw new Error('checkpoint offset does not match its MD5 state');
  }

  get position(): number {
    return this.offset;
  }

  get done(): boolean {
    return this.offset >= this.layout.hashedLength;
  }

  // Feeds the bytes that follow the current position; bytes past the hashed length are ignored.
  update(data: Uint8Array): void {
    const { hashedLength, appDataAt } = this.layout;
    let at = 0;
    while (at < data.length && this.offset < hashedLength) {
      const pieceEnd = Math.min(Math.floor(this.offset / PIECE) * PIECE + PIECE, hashedLength);
      const take = Math.min(pieceEnd - this.offset, data.length - at);
      let bytes = data.subarray(at, at + take);
      if (this.offset < appDataAt + APPDATA_SIZE && this.offset + take > appDataAt) {
        const copy = Buffer.from(bytes);
        const start = Math.max(appDataAt - this.offset, 0);
        copy.fill(0x20, start, Math.min(appDataAt + APPDATA_SIZE - this.offset, take));
        bytes = copy;
      }
      this.md5.update(bytes);
      this.offset += take;
      at += take;
      if (this.offset === pieceEnd) this.pieceDone(Math.floor((pieceEnd - 1) / PIECE) * PIECE);
    }
  }

  // `state` stands in for an engine that cannot export its own (see md5PaddingBlock).
  checkpoint(state?: Md5State): IsoMd5Checkpoint {
    return {
      ...this.layout,
      offset: this.offset,
      md5: state ?? this.md5.exportState(),
      fragmentSums: this.fragmentSums,
      previousFragment: this.previousFragment,
    };
  }

  // The digest so far; with a padding block next, the chaining state after it.
  digestSoFar(): Buffer {
    return this.md5.digest();
  }

  result(): IsoMd5Result {
    if (!this.done) throw new Error(`MD5 is incomplete: ${this.offset} of ${this.layout.hashedLength} bytes`);
    return { md5: this.md5.digest().toString('hex'), fragmentSums: this.fragmentSums };
  }

  private pieceDone(pieceStart: number): void {
    const current = Math.floor((pieceStart * (FRAGMENT_COUNT + 1)) / this.layout.hashedLength);
    if (current === this.previousFragment) return;
    const digest = this.md5.digest();
    for (let i = 0; i < FRAGMENT_CHARS; i++) this.fragmentSums += digest[i]!.toString(16)[0];
    this.previousFragment = current;
  }
}

// The application-use text, exactly as implantisomd5 writes it (RHLISOSTATUS=0: not a
// "supported" Red Hat ISO), padded with spaces.
export function formatAppData(result: IsoMd5Result): Buffer {
  const text =
    `ISO MD5SUM = ${result.md5};SKIPSECTORS = ${SKIP_SECTORS};RHLISOSTATUS=0;` +
    `FRAGMENT SUMS = ${result.fragmentSums};FRAGMENT COUNT = ${FRAGMENT_COUNT};THIS IS NOT THE SAME AS RUNNING MD5SUM ON THIS ISO!!`;
  const out = Buffer.alloc(APPDATA_SIZE, 0x20);
  out.write(text, 'latin1');
  return out;
}

export interface ImplantedMd5 extends IsoMd5Result {
  skipSectors: number;
  fragmentCount: number;
}

// Reads what is implanted, or undefined when the field holds no media-check sum.
export function parseAppData(field: Buffer): ImplantedMd5 | undefined {
  const text = field.toString('latin1');
  const md5 = /ISO MD5SUM = ([0-9a-f]{32})/.exec(text)?.[1];
  const skip = /SKIPSECTORS = (\d+);/.exec(text)?.[1];
  if (md5 === undefined || skip === undefined) return undefined;
  return {
    md5,
    skipSectors: Number(skip),
    fragmentSums: /FRAGMENT SUMS = ([0-9a-f]+);/.exec(text)?.[1] ?? '',
    fragmentCount: Number(/FRAGMENT COUNT = (\d+);/.exec(text)?.[1] ?? 0),
  };
}
