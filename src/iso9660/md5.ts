// MD5 (RFC 1321) whose running state can be exported and resumed. node:crypto's Hash can be
// copied but not serialised, and the site fast path must finish the release's media-check MD5
// from where the release build left it, in another process, days later.

export interface Md5State {
  // The four chaining words, little-endian hex, 32 characters.
  words: string;
  // Bytes hashed so far.
  length: number;
  // Bytes of an incomplete 64-byte block, hex.
  pending: string;
}

const CHUNK = 1 << 20;

export class Md5 {
  private h = new Int32Array([0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476]);
  private length = 0;
  // Input is copied here so that words can be read through an aligned Int32Array view.
  private readonly scratch = new Uint8Array(CHUNK + 64);
  private readonly words = new Int32Array(this.scratch.buffer);
  private pendingBytes = 0;

  static resume(state: Md5State): Md5 {
    const md5 = new Md5();
    const words = Buffer.from(state.words, 'hex');
    const pending = Buffer.from(state.pending, 'hex');
    if (
      words.length !== 16 ||
      pending.length >= 64 ||
      !Number.isSafeInteger(state.length) ||
      state.length % 64 !== pending.length
    ) {
      throw new Error('not an MD5 state');
    }
    for (let i = 0; i < 4; i++) md5.h[i] = words.readInt32LE(i * 4);
    md5.scratch.set(pending);
    md5.pendingBytes = pending.length;
    md5.length = state.length;
    return md5;
  }

  get bytes(): number {
    return this.length;
  }

  update(data: Uint8Array): this {
    let offset = 0;
    // Whole blocks of 4-byte aligned input are compressed where they lie, without a copy.
    if (this.pendingBytes === 0 && data.byteOffset % 4 === 0 && data.length >= 64) {
      const blocks = data.length >>> 6;
      this.compress(blocks, new Int32Array(data.buffer, data.byteOffset, blocks * 16));
      offset = blocks * 64;
    }
    while (offset < data.length) {
      const take = Math.min(CHUNK + 64 - this.pendingBytes, data.length - offset);
      this.scratch.set(data.subarray(offset, offset + take), this.pendingBytes);
      const available = this.pendingBytes + take;
      const blocks = available >>> 6;
      this.compress(blocks);
      const rest = available & 63;
      if (rest > 0 && blocks > 0) this.scratch.copyWithin(0, blocks * 64, available);
      this.pendingBytes = rest;
      offset += take;
    }
    this.length += data.length;
    return this;
  }

  exportState(): Md5State {
    const words = Buffer.alloc(16);
    for (let i = 0; i < 4; i++) words.writeInt32LE(this.h[i]!, i * 4);
    return {
      words: words.toString('hex'),
      length: this.length,
      pending: Buffer.from(this.scratch.subarray(0, this.pendingBytes)).toString('hex'),
    };
  }

  copy(): Md5 {
    return Md5.resume(this.exportState());
  }

  // Finishes a copy, so the running hash can go on (isomd5sum's fragment sums need that).
  digest(): Buffer {
    const md5 = this.copy();
    const bits = md5.length * 8;
    const tail = Buffer.alloc(((md5.pendingBytes + 8) >>> 6) * 64 + 64 - md5.pendingBytes);
    tail[0] = 0x80;
    tail.writeUInt32LE(bits % 2 ** 32, tail.length - 8);
    tail.writeUInt32LE(Math.floor(bits / 2 ** 32), tail.length - 4);
    md5.update(tail);
    const out = Buffer.alloc(16);
    for (let i = 0; i < 4; i++) out.writeInt32LE(md5.h[i]!, i * 4);
    return out;
  }

  hex(): string {
    return this.digest().toString('hex');
  }

  // Unrolled: the rolled loop runs at a third of the speed in V8.
  private compress(blocks: number, x: Int32Array = this.words): void {
    const h = this.h;
    let a0 = h[0]!;
    let b0 = h[1]!;
    let c0 = h[2]!;
    let d0 = h[3]!;
    for (let block = 0; block < blocks; block++) {
      const base = block * 16;
      const x0 = x[base + 0]!;
      const x1 = x[base + 1]!;
      const x2 = x[base + 2]!;
      const x3 = x[base + 3]!;
      const x4 = x[base + 4]!;
      const x5 = x[base + 5]!;
      const x6 = x[base + 6]!;
      const x7 = x[base + 7]!;
      const x8 = x[base + 8]!;
      const x9 = x[base + 9]!;
      const x10 = x[base + 10]!;
      const x11 = x[base + 11]!;
      const x12 = x[base + 12]!;
      const x13 = x[base + 13]!;
      const x14 = x[base + 14]!;
      const x15 = x[base + 15]!;
      let a = a0;
      let b = b0;
      let c = c0;
      let d = d0;
      let t: number;
      t = (a + (d ^ (b & (c ^ d))) + -680876936 + x0) | 0;
      a = (b + ((t << 7) | (t >>> 25))) | 0;
      t = (d + (c ^ (a & (b ^ c))) + -389564586 + x1) | 0;
      d = (a + ((t << 12) | (t >>> 20))) | 0;
      t = (c + (b ^ (d & (a ^ b))) + 606105819 + x2) | 0;
      c = (d + ((t << 17) | (t >>> 15))) | 0;
      t = (b + (a ^ (c & (d ^ a))) + -1044525330 + x3) | 0;
      b = (c + ((t << 22) | (t >>> 10))) | 0;
      t = (a + (d ^ (b & (c ^ d))) + -176418897 + x4) | 0;
      a = (b + ((t << 7) | (t >>> 25))) | 0;
      t = (d + (c ^ (a & (b ^ c))) + 1200080426 + x5) | 0;
      d = (a + ((t << 12) | (t >>> 20))) | 0;
      t = (c + (b ^ (d & (a ^ b))) + -1473231341 + x6) | 0;
      c = (d + ((t << 17) | (t >>> 15))) | 0;
      t = (b + (a ^ (c & (d ^ a))) + -45705983 + x7) | 0;
      b = (c + ((t << 22) | (t >>> 10))) | 0;
      t = (a + (d ^ (b & (c ^ d))) + 1770035416 + x8) | 0;
      a = (b + ((t << 7) | (t >>> 25))) | 0;
      t = (d + (c ^ (a & (b ^ c))) + -1958414417 + x9) | 0;
      d = (a + ((t << 12) | (t >>> 20))) | 0;
      t = (c + (b ^ (d & (a ^ b))) + -42063 + x10) | 0;
      c = (d + ((t << 17) | (t >>> 15))) | 0;
      t = (b + (a ^ (c & (d ^ a))) + -1990404162 + x11) | 0;
      b = (c + ((t << 22) | (t >>> 10))) | 0;
      t = (a + (d ^ (b & (c ^ d))) + 1804603682 + x12) | 0;
      a = (b + ((t << 7) | (t >>> 25))) | 0;
      t = (d + (c ^ (a & (b ^ c))) + -40341101 + x13) | 0;
      d = (a + ((t << 12) | (t >>> 20))) | 0;
      t = (c + (b ^ (d & (a ^ b))) + -1502002290 + x14) | 0;
      c = (d + ((t << 17) | (t >>> 15))) | 0;
      t = (b + (a ^ (c & (d ^ a))) + 1236535329 + x15) | 0;
      b = (c + ((t << 22) | (t >>> 10))) | 0;
      t = (a + (c ^ (d & (b ^ c))) + -165796510 + x1) | 0;
      a = (b + ((t << 5) | (t >>> 27))) | 0;
      t = (d + (b ^ (c & (a ^ b))) + -1069501632 + x6) | 0;
      d = (a + ((t << 9) | (t >>> 23))) | 0;
      t = (c + (a ^ (b & (d ^ a))) + 643717713 + x11) | 0;
      c = (d + ((t << 14) | (t >>> 18))) | 0;
      t = (b + (d ^ (a & (c ^ d))) + -373897302 + x0) | 0;
      b = (c + ((t << 20) | (t >>> 12))) | 0;
      t = (a + (c ^ (d & (b ^ c))) + -701558691 + x5) | 0;
      a = (b + ((t << 5) | (t >>> 27))) | 0;
      t = (d + (b ^ (c & (a ^ b))) + 38016083 + x10) | 0;
      d = (a + ((t << 9) | (t >>> 23))) | 0;
      t = (c + (a ^ (b & (d ^ a))) + -660478335 + x15) | 0;
      c = (d + ((t << 14) | (t >>> 18))) | 0;
      t = (b + (d ^ (a & (c ^ d))) + -405537848 + x4) | 0;
      b = (c + ((t << 20) | (t >>> 12))) | 0;
      t = (a + (c ^ (d & (b ^ c))) + 568446438 + x9) | 0;
      a = (b + ((t << 5) | (t >>> 27))) | 0;
      t = (d + (b ^ (c & (a ^ b))) + -1019803690 + x14) | 0;
      d = (a + ((t << 9) | (t >>> 23))) | 0;
      t = (c + (a ^ (b & (d ^ a))) + -187363961 + x3) | 0;
      c = (d + ((t << 14) | (t >>> 18))) | 0;
      t = (b + (d ^ (a & (c ^ d))) + 1163531501 + x8) | 0;
      b = (c + ((t << 20) | (t >>> 12))) | 0;
      t = (a + (c ^ (d & (b ^ c))) + -1444681467 + x13) | 0;
      a = (b + ((t << 5) | (t >>> 27))) | 0;
      t = (d + (b ^ (c & (a ^ b))) + -51403784 + x2) | 0;
      d = (a + ((t << 9) | (t >>> 23))) | 0;
      t = (c + (a ^ (b & (d ^ a))) + 1735328473 + x7) | 0;
      c = (d + ((t << 14) | (t >>> 18))) | 0;
      t = (b + (d ^ (a & (c ^ d))) + -1926607734 + x12) | 0;
      b = (c + ((t << 20) | (t >>> 12))) | 0;
      t = (a + (b ^ c ^ d) + -378558 + x5) | 0;
      a = (b + ((t << 4) | (t >>> 28))) | 0;
      t = (d + (a ^ b ^ c) + -2022574463 + x8) | 0;
      d = (a + ((t << 11) | (t >>> 21))) | 0;
      t = (c + (d ^ a ^ b) + 1839030562 + x11) | 0;
      c = (d + ((t << 16) | (t >>> 16))) | 0;
      t = (b + (c ^ d ^ a) + -35309556 + x14) | 0;
      b = (c + ((t << 23) | (t >>> 9))) | 0;
      t = (a + (b ^ c ^ d) + -1530992060 + x1) | 0;
      a = (b + ((t << 4) | (t >>> 28))) | 0;
      t = (d + (a ^ b ^ c) + 1272893353 + x4) | 0;
      d = (a + ((t << 11) | (t >>> 21))) | 0;
      t = (c + (d ^ a ^ b) + -155497632 + x7) | 0;
      c = (d + ((t << 16) | (t >>> 16))) | 0;
      t = (b + (c ^ d ^ a) + -1094730640 + x10) | 0;
      b = (c + ((t << 23) | (t >>> 9))) | 0;
      t = (a + (b ^ c ^ d) + 681279174 + x13) | 0;
      a = (b + ((t << 4) | (t >>> 28))) | 0;
      t = (d + (a ^ b ^ c) + -358537222 + x0) | 0;
      d = (a + ((t << 11) | (t >>> 21))) | 0;
      t = (c + (d ^ a ^ b) + -722521979 + x3) | 0;
      c = (d + ((t << 16) | (t >>> 16))) | 0;
      t = (b + (c ^ d ^ a) + 76029189 + x6) | 0;
      b = (c + ((t << 23) | (t >>> 9))) | 0;
      t = (a + (b ^ c ^ d) + -640364487 + x9) | 0;
      a = (b + ((t << 4) | (t >>> 28))) | 0;
      t = (d + (a ^ b ^ c) + -421815835 + x12) | 0;
      d = (a + ((t << 11) | (t >>> 21))) | 0;
      t = (c + (d ^ a ^ b) + 530742520 + x15) | 0;
      c = (d + ((t << 16) | (t >>> 16))) | 0;
      t = (b + (c ^ d ^ a) + -995338651 + x2) | 0;
      b = (c + ((t << 23) | (t >>> 9))) | 0;
      t = (a + (c ^ (b | ~d)) + -198630844 + x0) | 0;
      a = (b + ((t << 6) | (t >>> 26))) | 0;
      t = (d + (b ^ (a | ~c)) + 1126891415 + x7) | 0;
      d = (a + ((t << 10) | (t >>> 22))) | 0;
      t = (c + (a ^ (d | ~b)) + -1416354905 + x14) | 0;
      c = (d + ((t << 15) | (t >>> 17))) | 0;
      t = (b + (d ^ (c | ~a)) + -57434055 + x5) | 0;
      b = (c + ((t << 21) | (t >>> 11))) | 0;
      t = (a + (c ^ (b | ~d)) + 1700485571 + x12) | 0;
      a = (b + ((t << 6) | (t >>> 26))) | 0;
      t = (d + (b ^ (a | ~c)) + -1894986606 + x3) | 0;
      d = (a + ((t << 10) | (t >>> 22))) | 0;
      t = (c + (a ^ (d | ~b)) + -1051523 + x10) | 0;
      c = (d + ((t << 15) | (t >>> 17))) | 0;
      t = (b + (d ^ (c | ~a)) + -2054922799 + x1) | 0;
      b = (c + ((t << 21) | (t >>> 11))) | 0;
      t = (a + (c ^ (b | ~d)) + 1873313359 + x8) | 0;
      a = (b + ((t << 6) | (t >>> 26))) | 0;
      t = (d + (b ^ (a | ~c)) + -30611744 + x15) | 0;
      d = (a + ((t << 10) | (t >>> 22))) | 0;
      t = (c + (a ^ (d | ~b)) + -1560198380 + x6) | 0;
      c = (d + ((t << 15) | (t >>> 17))) | 0;
      t = (b + (d ^ (c | ~a)) + 1309151649 + x13) | 0;
      b = (c + ((t << 21) | (t >>> 11))) | 0;
      t = (a + (c ^ (b | ~d)) + -145523070 + x4) | 0;
      a = (b + ((t << 6) | (t >>> 26))) | 0;
      t = (d + (b ^ (a | ~c)) + -1120210379 + x11) | 0;
      d = (a + ((t << 10) | (t >>> 22))) | 0;
      t = (c + (a ^ (d | ~b)) + 718787259 + x2) | 0;
      c = (d + ((t << 15) | (t >>> 17))) | 0;
      t = (b + (d ^ (c | ~a)) + -343485551 + x9) | 0;
      b = (c + ((t << 21) | (t >>> 11))) | 0;

      a0 = (a0 + a) | 0;
      b0 = (b0 + b) | 0;
      c0 = (c0 + c) | 0;
      d0 = (d0 + d) | 0;
    }
    h[0] = a0;
    h[1] = b0;
    h[2] = c0;
    h[3] = d0;
  }
}
