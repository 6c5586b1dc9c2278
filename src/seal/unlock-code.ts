// The unlock code: the one value a tech types at the bastion's first boot, and the passphrase
// the site's secrets are sealed to. fyr makes it of digits (the same keys on every keyboard
// layout, easy to read aloud), 8 groups of 5: 40 digits, about 133 bits.
import { randomInt } from 'node:crypto';

export const CODE_GROUPS = 8;
export const GROUP_DIGITS = 5;
export const MIN_CODE_BITS = 128;

export function generateUnlockCode(): string {
  const groups = Array.from({ length: CODE_GROUPS }, () =>
    Array.from({ length: GROUP_DIGITS }, () => String(randomInt(10))).join(''),
  );
  return groups.join('-');
}

// What is sealed to: the code without the spaces and dashes people add when they type or copy it.
export const normalizeCode = (text: string): string => text.replace(/[\s-]+/g, '');

// The most a code of this length and alphabet can hold, assuming random characters: digits,
// hex, letters and digits, or anything printable.
export function codeBits(code: string): number {
  const perChar = /^\d*$/.test(code)
    ? Math.log2(10)
    : /^[0-9a-f]*$/i.test(code)
      ? 4
      : /^[0-9a-z]*$/i.test(code)
        ? Math.log2(62)
        : Math.log2(94);
  return code.length * perChar;
}

// What a code's variety is worth, estimated the way a guesser would exploit it: a character
// that continues a run or a steady step (000, abc, 2468) costs 1 bit, a repeat of an earlier
// stretch of 3 or more costs where it starts and its length, any other character its
// alphabet's bits. A random 40-digit code scores about 115; 40 zeros, 32 "a" or "0123..."
// repeated score under 50.
export function varietyBits(code: string): number {
  const perChar = codeBits(code.slice(0, 1) + code) / (code.length + 1) || 0;
  let bits = 0;
  for (let i = 0; i < code.length;) {
    const step = (k: number) => code.charCodeAt(k) - code.charCodeAt(k - 1);
    if (i >= 2 && step(i) === step(i - 1)) {
      bits += 1;
      i++;
      continue;
    }
    let longest = 0;
    for (let from = 0; from < i; from++) {
      let n = 0;
      while (i + n < code.length && code[from + n] === code[i + n]) n++;
      longest = Math.max(longest, n);
    }
    if (longest >= 3) {
      bits += Math.log2(i) + Math.log2(longest);
      i += longest;
    } else {
      bits += perChar;
      i++;
    }
  }
  return bits;
}

// The least variety a code may have by varietyBits: far below a random code's, far above a
// pattern's.
export const MIN_VARIETY_BITS = 80;

// Why a code cannot be used, or undefined when it can.
export function codeProblem(code: string): string | undefined {
  if (code === '') return 'it is empty';
  if (/[^\x21-\x7e]/.test(code)) return 'it holds characters other than printable ASCII';
  const bits = Math.floor(codeBits(code));
  if (bits < MIN_CODE_BITS)
    return `it holds at most ${bits} bits (${code.length} characters); an unlock code needs ${MIN_CODE_BITS}, e.g. 40 digits or 32 hex digits (openssl rand -hex 16)`;
  const variety = Math.floor(varietyBits(code));
  if (variety < MIN_VARIETY_BITS)
    return `it has too little variety (repeats, runs or steps: about ${variety} bits by fyr's estimate, ${MIN_VARIETY_BITS} needed); use a random code, e.g. openssl rand -hex 16`;
  return undefined;
}
