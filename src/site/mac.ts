// MAC addresses in any of the common notations, normalized to lowercase colon form.

// "52-54-00-AA-BB-CC", "5254.00aa.bbcc", "525400aabbcc" -> "52:54:00:aa:bb:cc".
export function normalizeMac(text: string): string {
  const hex = text.replace(/[:.-]/g, '').toLowerCase();
  return hex.match(/../g)?.join(':') ?? hex;
}
