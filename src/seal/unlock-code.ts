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

// Why a code cannot be used, or undefined when it can.
export function codeProblem(code: string): string | undefined {
  if (code === '') return 'it is empty';
  if (/[^\x21-\x7e]/.test(code)) return 'it holds characters other than printable ASCII';
  const bits = Math.floor(codeBits(code));
  if (bits < MIN_CODE_BITS)
    return `it holds at most ${bits} bits (${code.length} characters); an unlock code needs ${MIN_CODE_BITS}, e.g. 40 digits or 32 hex digits (openssl rand -hex 16)`;
  return undefined;
}
