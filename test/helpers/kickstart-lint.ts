// A kickstart checker for tests. pykickstart's ksvalidator cannot be a CI dependency (not in
// Debian, PyPI unreachable), so this encodes the part of its RHEL 9 / RHEL 10 handlers fyr
// relies on: the command names each release knows, what each removed, the options of the
// commands fyr writes, and section balance. Tables from pykickstart handlers/rhel9.py and
// rhel10.py (v3.74, github.com/pykickstart/pykickstart). A kickstart is checked against the
// release it is for.

export type Release = 'rhel9' | 'rhel10';

// Commands in both the RHEL 9 and RHEL 10 handlers, minus those deprecated in either.
const COMMANDS = new Set([
  'authselect',
  'autopart',
  'bootloader',
  'cdrom',
  'clearpart',
  'cmdline',
  'driverdisk',
  'eula',
  'fcoe',
  'firewall',
  'firstboot',
  'graphical',
  'group',
  'halt',
  'harddrive',
  'hmc',
  'ignoredisk',
  'iscsi',
  'iscsiname',
  'keyboard',
  'lang',
  'liveimg',
  'logging',
  'logvol',
  'mediacheck',
  'mount',
  'network',
  'nfs',
  'ostreecontainer',
  'ostreesetup',
  'part',
  'partition',
  'poweroff',
  'raid',
  'realm',
  'reboot',
  'repo',
  'reqpart',
  'rescue',
  'rhsm',
  'rootpw',
  'selinux',
  'services',
  'shutdown',
  'skipx',
  'snapshot',
  'sshkey',
  'sshpw',
  'text',
  'timesource',
  'timezone',
  'updates',
  'url',
  'user',
  'volgroup',
  'xconfig',
  'zerombr',
  'zfcp',
  'zipl',
]);

// Removed (parse error) or deprecated (ksvalidator counts it) in RHEL 9 already; fyr also keeps
// away from `module` (RHEL 10 has no modular content).
const REMOVED = new Set([
  'device',
  'deviceprobe',
  'dmraid',
  'install',
  'multipath',
  'btrfs',
  'module',
  'upgrade',
  'key',
  'interactive',
  'monitor',
  'lilo',
  'lilocheck',
  'mouse',
  'langsupport',
]);

// What RHEL 10 removed on top: authconfig (authselect stays), autostep, method and nvdimm are
// RemovedCommand; vnc is deprecated for inst.rdp.
const REMOVED_IN_RHEL10 = new Set(['auth', 'authconfig', 'autostep', 'method', 'nvdimm', 'vnc']);
// RHEL 9 still has these, with the options it accepts.
const RHEL9_ONLY: Record<string, string[]> = {
  auth: [],
  authconfig: [],
  autostep: ['--autoscreenshot'],
  method: [],
  nvdimm: [],
  vnc: ['--host', '--port', '--password'],
};
// Options RHEL 10 dropped from a command both releases have.
const RHEL10_OPTIONS: Record<string, string[]> = { timezone: ['--utc'] };

// Options of the commands fyr writes; any other option is an error.
const OPTIONS: Record<string, string[]> = {
  text: [],
  eula: ['--agreed'],
  reboot: ['--eject', '--kexec'],
  liveimg: ['--url', '--proxy', '--noverifyssl', '--checksum'],
  url: ['--url', '--mirrorlist', '--metalink', '--proxy', '--noverifyssl'],
  repo: [
    '--name',
    '--baseurl',
    '--mirrorlist',
    '--metalink',
    '--cost',
    '--excludepkgs',
    '--includepkgs',
    '--proxy',
    '--install',
    '--noverifyssl',
  ],
  lang: ['--addsupport'],
  keyboard: ['--vckeymap', '--xlayouts', '--switch'],
  timezone: ['--utc', '--isUtc', '--nontp', '--ntpservers'],
  timesource: ['--ntp-server', '--ntp-pool', '--ntp-disable', '--nts'],
  network: [
    '--device',
    '--bootproto',
    '--ip',
    '--netmask',
    '--gateway',
    '--nameserver',
    '--noipv4',
    '--noipv6',
    '--onboot',
    '--activate',
    '--no-activate',
    '--nodefroute',
    '--hostname',
    '--vlanid',
    '--interfacename',
    '--mtu',
    '--bridgeslaves',
    '--bridgeopts',
    '--bindto',
    '--ipv6',
    '--ipv6gateway',
    '--ipv4-dns-search',
    '--ipv6-dns-search',
    '--ipv4-ignore-auto-dns',
    '--ipv6-ignore-auto-dns',
    '--dhcpclass',
    '--ethtool',
    '--essid',
    '--nodns',
    '--wpakey',
  ],
  rootpw: ['--iscrypted', '--plaintext', '--lock', '--allow-ssh'],
  user: [
    '--name',
    '--groups',
    '--iscrypted',
    '--plaintext',
    '--password',
    '--lock',
    '--homedir',
    '--shell',
    '--uid',
    '--gid',
    '--gecos',
  ],
  sshkey: ['--username'],
  selinux: ['--enforcing', '--permissive', '--disabled'],
  firewall: ['--enabled', '--disabled', '--service', '--port', '--trust', '--remove-service', '--use-system-defaults'],
  services: ['--enabled', '--disabled'],
  ignoredisk: ['--only-use', '--drives'],
  zerombr: [],
  clearpart: ['--all', '--initlabel', '--drives', '--list', '--linux', '--none', '--disklabel', '--cdl'],
  bootloader: [
    '--location',
    '--boot-drive',
    '--append',
    '--password',
    '--iscrypted',
    '--timeout',
    '--driveorder',
    '--leavebootorder',
    '--md5pass',
    '--disabled',
    '--nombr',
    '--extlinux',
    '--sdboot',
  ],
  reqpart: ['--add-boot'],
  part: [
    '--fstype',
    '--grow',
    '--size',
    '--maxsize',
    '--ondisk',
    '--ondrive',
    '--asprimary',
    '--encrypted',
    '--luks-version',
    '--passphrase',
    '--cipher',
    '--pbkdf',
    '--label',
    '--fsoptions',
    '--noformat',
    '--onpart',
    '--usepart',
    '--recommended',
    '--resize',
    '--hibernation',
    '--escrowcert',
    '--backuppassphrase',
    '--mkfsoptions',
  ],
};

const SECTIONS = new Set(['%pre', '%pre-install', '%post', '%packages', '%onerror', '%addon']);
const SECTION_OPTIONS: Record<string, string[]> = {
  '%pre': ['--erroronfail', '--log', '--interpreter'],
  '%post': ['--nochroot', '--erroronfail', '--log', '--interpreter'],
  '%packages': ['--ignoremissing', '--nocore', '--excludedocs', '--exclude-weakdeps', '--inst-langs', '--multilib'],
};

export interface KickstartIssue {
  line: number;
  message: string;
}

// Splits a kickstart line like pykickstart (shlex, POSIX): quotes group, \ escapes in "".
export function shellSplit(line: string): string[] | undefined {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) word += line[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\') {
      word += line[++i] ?? '';
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if (c === '#' && !inWord) {
      break;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote !== undefined) return undefined;
  if (inWord) words.push(word);
  return words;
}

// Every problem in a kickstart text for a release; [] means it would pass.
export function lintKickstart(text: string, release: Release): KickstartIssue[] {
  const issues: KickstartIssue[] = [];
  let section: string | undefined;
  let sectionStart = 0;
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed.startsWith('%')) {
      const words = shellSplit(trimmed) ?? [];
      const head = words[0] ?? '';
      if (head === '%end') {
        if (section === undefined) issues.push({ line, message: '%end outside a section' });
        section = undefined;
      } else if (head === '%include' || head === '%ksappend') {
        if (section !== undefined) issues.push({ line, message: `${head} inside ${section}` });
        if (words.length !== 2) issues.push({ line, message: `${head} takes one path` });
      } else if (head === '%anaconda') {
        issues.push({ line, message: `%anaconda has been removed (deprecated in RHEL 9, gone in RHEL 10)` });
        section = head;
        sectionStart = line;
      } else if (SECTIONS.has(head)) {
        if (section !== undefined)
          issues.push({ line, message: `${head} starts inside ${section} (line ${sectionStart}), which has no %end` });
        section = head;
        sectionStart = line;
        const allowed = SECTION_OPTIONS[head] ?? [];
        for (const w of words.slice(1))
          if (!allowed.includes(w.split('=')[0] ?? '')) issues.push({ line, message: `unknown ${head} option ${w}` });
      } else {
        issues.push({ line, message: `unknown section or directive ${head}` });
      }
      return;
    }
    if (section !== undefined || trimmed === '' || trimmed.startsWith('#')) return;
    const words = shellSplit(trimmed);
    if (words === undefined) {
      issues.push({ line, message: 'unbalanced quotes' });
      return;
    }
    const [command = '', ...args] = words;
    const rhel9Only = release === 'rhel9' && RHEL9_ONLY[command] !== undefined;
    if (REMOVED.has(command)) issues.push({ line, message: `${command} has been removed (RHEL 9/10)` });
    else if (release === 'rhel10' && REMOVED_IN_RHEL10.has(command))
      issues.push({ line, message: `${command} has been removed in RHEL 10` });
    else if (!COMMANDS.has(command) && !rhel9Only) issues.push({ line, message: `Unknown command: ${command}` });
    const allowed =
      (release === 'rhel10' ? RHEL10_OPTIONS[command] : undefined) ??
      OPTIONS[command] ??
      (rhel9Only ? RHEL9_ONLY[command] : undefined);
    if (allowed === undefined) return;
    for (const arg of args) {
      if (!arg.startsWith('--')) continue;
      const name = arg.split('=')[0] ?? arg;
      if (!allowed.includes(name))
        issues.push({ line, message: `unrecognized arguments: ${name} (${command}, ${release.toUpperCase()})` });
    }
  });
  if (section !== undefined) issues.push({ line: sectionStart, message: `Section ${section} does not end with %end.` });
  return issues;
}

// The % lines of a kickstart, to compare its section structure between two renders.
export function sectionLines(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.trim().startsWith('%'))
    .map((l) => l.trim());
}
