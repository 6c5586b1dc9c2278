// Sealed secrets: the unlock code and the age seal around the site's secrets.
export { generateUnlockCode, normalizeCode, codeProblem, codeBits, MIN_CODE_BITS } from './unlock-code.js';
export { seal, unseal, WrongCodeError, SCRYPT_LOG_N } from './age.js';
