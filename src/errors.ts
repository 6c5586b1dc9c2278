// The error catalogue shared by every capability. Each code is stable, has a row in
// docs/errors.md (test/errors-doc.test.ts keeps the two in step) and maps to one exit code.
// Codes are never reused for another meaning.

// Exit codes: the contract CI relies on, documented in docs/errors.md and the README.
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  invalid: 3,
  internal: 70,
  // 128 + SIGINT, as a shell reports a program Ctrl-C stopped.
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

// Operation-level failures: what stopped a command.
export const ERROR_CODES = {
  USAGE: { exit: EXIT.usage, summary: 'The command line is wrong: unknown command or option, missing argument.' },
  SITE_UNREADABLE: {
    exit: EXIT.failed,
    summary: 'The site file cannot be opened: missing, a directory, or no permission.',
  },
  SITE_INVALID: {
    exit: EXIT.invalid,
    summary: 'The site file or its secrets file has problems; each is listed with its position.',
  },
  INIT_EXISTS: { exit: EXIT.failed, summary: '`fyr init` would overwrite an existing file.' },
  RENDER_TEMPLATE: {
    exit: EXIT.failed,
    summary:
      'A template under kickstart/, blueprints/ or overlays/ failed, or printed a value without its quoting helper (the message names the template and line), or the rendered blueprint breaks the image-installer rules of composer.',
  },
  RENDER_EXISTS: {
    exit: EXIT.failed,
    summary: '`fyr render` would replace a directory that is not empty; pass --force to replace it.',
  },
  CONTENT_INVALID: {
    exit: EXIT.invalid,
    summary:
      'The content directory of `fyr release` has problems: its fyr-content.json, a missing file, a size or sha256 mismatch. Each is listed.',
  },
  BASE_ISO_INVALID: {
    exit: EXIT.failed,
    summary:
      '`fyr release --base` is not a usable installer ISO: not ISO 9660, truncated, or a boot layout fyr does not know. The message says what was found.',
  },
  TOOL_MISSING: {
    exit: EXIT.failed,
    summary: 'A program fyr runs (xorriso, mtools) is not installed; the message names the package.',
  },
  TOOL_FAILED: {
    exit: EXIT.failed,
    summary: 'A program fyr ran (xorriso, mtools, lsblk) failed; the command fyr ran and its last messages are shown.',
  },
  RELEASE_INVALID: {
    exit: EXIT.failed,
    summary:
      'The ISO given to `fyr build`, `customize`, `inspect` or `flash` is not a usable fyr release or site ISO: not ISO 9660 or not a regular file, no /release.json, truncated, a directory record or extent that lies, a release.json of the wrong shape (the field is named), its embed areas not where release.json says, or its bytes outside the payload (boot records, directories, boot files) changed since fyr release.',
  },
  VERSION_MISMATCH: {
    exit: EXIT.failed,
    summary:
      "The site's cluster.openshiftVersion is not the release ISO's OpenShift version (a minor such as 4.16 matches any 4.16 release); the message names both.",
  },
  SITE_TOO_LARGE: {
    exit: EXIT.failed,
    summary:
      "The rendered site does not fit the release's embed areas; the message gives both sizes and the `fyr release` option that makes room.",
  },
  MD5_STATE_MISMATCH: {
    exit: EXIT.failed,
    summary:
      "The ISO's saved MD5 state does not reproduce its implanted media-check MD5, so the fast path cannot be trusted; `fyr customize --rehash` re-hashes the whole image.",
  },
  PACK_INVALID: {
    exit: EXIT.failed,
    summary:
      'The site pack given to `fyr flash` or `customize --site` is not a usable fyr site pack: missing, empty, truncated, not a tar of the three files a pack holds, an unknown format, or a file whose size or sha256 is not the one recorded (damaged).',
  },
  PACK_RELEASE_MISMATCH: {
    exit: EXIT.failed,
    summary:
      'The site pack was made for another release (or another build of it) than the ISO it is spliced into; the message names both. Splice it into its own release, or make the pack again against this one.',
  },
  VERIFY_FAILED: {
    exit: EXIT.failed,
    summary:
      '`fyr inspect --verify` or `fyr flash` found bytes that differ from what they should be; each mismatch is listed.',
  },
  FLASH_REFUSED: {
    exit: EXIT.failed,
    summary:
      '`fyr flash` will not write to this device: mounted, holding the running system, smaller than the image, or not confirmed.',
  },
  COMPOSER_UNREACHABLE: {
    exit: EXIT.failed,
    summary:
      'osbuild-composer could not be reached at the socket or URL given; the message says how to start it or the proxy.',
  },
  COMPOSER_ERROR: {
    exit: EXIT.failed,
    summary:
      'osbuild-composer answered with errors (their ids and messages are shown), or an image download broke off (nothing is kept).',
  },
  LISTEN_FAILED: {
    exit: EXIT.failed,
    summary:
      '`fyr composer-proxy` cannot listen on the address given: in use, not an address of this machine, or a port below 1024 without the right.',
  },
  COMPOSER_AUTH: {
    exit: EXIT.failed,
    summary:
      '`fyr composer-proxy` refused the request: no or a wrong token (401), or a read-only token asking to build (403).',
  },
  COMPOSE_FAILED: {
    exit: EXIT.failed,
    summary: "The compose ended FAILED on composer's side; the tail of its osbuild log is shown.",
  },
  AGENT_MISSING: {
    exit: EXIT.failed,
    summary:
      '`fyr release` found no built first-boot agent (dist/agent/fyr-agent.mjs), or it changed while the release was built; `make build` makes it.',
  },
  UNLOCK_CODE_INVALID: {
    exit: EXIT.invalid,
    summary:
      'The --unlock-code-file is unreadable, not a regular file, empty or too weak (an unlock code needs at least 128 bits by its length, and enough variety: no long runs, steps or repeats).',
  },
  UNLOCK_CODE_REQUIRED: {
    exit: EXIT.usage,
    summary:
      'Sealing needs an unlock code fyr cannot make here: no terminal to show a new one on, or the ISO is sealed already (give --unlock-code-file, --new-unlock-code, or --no-seal).',
  },
  PULL_SECRET_INVALID: {
    exit: EXIT.invalid,
    summary:
      '`fyr content --pull-secret` is not a registry auth file: not readable, not JSON, or no "auths" with quay.io. The secret itself is never shown.',
  },
  RELEASE_NOT_FOUND: {
    exit: EXIT.failed,
    summary:
      '`fyr content`: quay.io has no release image for this version and architecture (a version that does not exist, or an architecture it was not built for).',
  },
  RELEASE_MISMATCH: {
    exit: EXIT.failed,
    summary:
      '`fyr content`: the release image, or the openshift-install extracted from it, reports another version, architecture or digest than the one asked for and pinned.',
  },
  SIGNATURE_INVALID: {
    exit: EXIT.failed,
    summary:
      '`fyr content`: the release signature is missing, does not verify with the release key, signs another digest, or the key is missing; `--insecure-skip-signature` skips the check (recorded in the content and the release).',
  },
  DOWNLOAD_FAILED: {
    exit: EXIT.failed,
    summary:
      '`fyr content`: an RHCOS artifact or the signature could not be downloaded (HTTP error, or the connection kept failing after retries); completed downloads stay in the cache and a run resumes.',
  },
  DOWNLOAD_CORRUPT: {
    exit: EXIT.failed,
    summary:
      "`fyr content`: a download's sha256 is not the one the installer's stream names; the URL and both sums are shown and the file is deleted.",
  },
  MIRROR_FAILED: {
    exit: EXIT.failed,
    summary:
      "`fyr content`: oc-mirror could not mirror the release, the operators or the additional images after its retries (its exit code's bits say which), the mirrored catalog lacks a package (or channel) asked for, or the mirrored tree fails fyr's self-check.",
  },
  OPERATOR_INVALID: {
    exit: EXIT.usage,
    summary:
      "`fyr content --operator NAME[:CHANNEL]` or `--operators FILE` names an operator package or channel that is not one (the site schema's patterns), or FILE cannot be read or has no `operators` list or `storage.type`; each problem is listed.",
  },
  OPERATOR_NOT_CARRIED: {
    exit: EXIT.failed,
    summary:
      "The site's `storage` or `operators` need an operator package (or channel) the release does not carry; each is named with the `fyr content --operator` option that adds it. Nothing is written.",
  },
  REGISTRY_IMAGE_UNSUPPORTED: {
    exit: EXIT.failed,
    summary:
      "`fyr content`: the `--registry-image` is not an OCI image index or manifest, a Docker schema 2 manifest or a Docker manifest list, so it cannot be saved as the bastion's oci-archive.",
  },
  UPGRADE_PATH_INVALID: {
    exit: EXIT.usage,
    summary:
      '`fyr content --from`: the path asked for cannot be an upgrade: --from is the release itself or newer than it (a downgrade), a --via is not between its neighbours, or a step crosses more than one minor (the message names the minor to add with --via).',
  },
  UPGRADE_PATH_BROKEN: {
    exit: EXIT.failed,
    summary:
      "`fyr content --from`: the releases oc-mirror mirrored do not make the path: it does not end at the release asked for, a step skips a minor (named, with the --via that adds it), or a hop's release reports another architecture.",
  },
  DELTA_BASE_INVALID: {
    exit: EXIT.failed,
    summary:
      '`fyr content --delta-from OLD`: OLD is not a fyr content directory or release ISO with a registry tree, is itself a delta, is for another architecture, is not older than the release, or has everything the release has.',
  },
  OUTPUT_EXISTS: { exit: EXIT.failed, summary: 'The output file exists; pass --force to replace it.' },
  NO_SPACE: {
    exit: EXIT.failed,
    summary: 'The output filesystem is full or too small for the image; nothing is left behind.',
  },
  INTERRUPTED: {
    exit: EXIT.interrupted,
    summary:
      'Stopped by a signal (Ctrl-C, SIGTERM) or by its output pipe closing (fyr piped into head); temporary files were removed and nothing was written.',
  },
  WRITE_FAILED: { exit: EXIT.failed, summary: 'An output file could not be written; nothing partial is left behind.' },
  INTERNAL: { exit: EXIT.internal, summary: 'A bug in fyr. The message says how to report it.' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

// A user-facing failure: a stable code, a message that names the fix, optional detail lines.
export class FyrError extends Error {
  readonly code: ErrorCode;
  // Not named `details`: uvu formats a failed test's `err.details` as a string, and an array
  // there made it drop the failure silently.
  readonly detailLines: readonly string[];

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: readonly string[] } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.detailLines = options.details ?? [];
  }

  get exitCode(): ExitCode {
    return ERROR_CODES[this.code].exit;
  }
}
FyrError.prototype.name = 'FyrError';

// One problem found in an input file, positioned so an editor can jump to it. Each input has
// its own catalogue of codes (site/problem-codes.ts, release/content-codes.ts): C is its union.
export interface Problem<C extends string = string> {
  severity: 'error' | 'warning';
  code: C;
  file: string;
  line: number;
  col: number;
  // Dotted path into the document such as nodes[2].bmc.address; empty for the whole file.
  path: string;
  message: string;
  // What would have been accepted, in plain words.
  expected?: string;
}

// Thrown when an input has errors: carries every problem so the boundary can print them all.
export class InvalidInputError extends FyrError {
  readonly problems: readonly Problem[];

  constructor(
    message: string,
    problems: readonly Problem[],
    code: 'SITE_INVALID' | 'CONTENT_INVALID' = 'SITE_INVALID',
  ) {
    super(code, message);
    this.problems = problems;
  }
}
InvalidInputError.prototype.name = 'InvalidInputError';

// Thrown when a check found mismatches: carries its report, which --json prints whole.
export class VerifyFailedError extends FyrError {
  readonly report: Record<string, unknown>;

  constructor(message: string, report: Record<string, unknown>, details?: readonly string[]) {
    super('VERIFY_FAILED', message, details ? { details } : {});
    this.report = report;
  }
}
VerifyFailedError.prototype.name = 'VerifyFailedError';

// Narrowing helper that works across module copies (tests import src, the CLI runs dist).
export function isFyrError(value: unknown): value is FyrError {
  const code = (value as { code?: unknown } | null)?.code;
  return value instanceof Error && typeof code === 'string' && code in ERROR_CODES;
}
