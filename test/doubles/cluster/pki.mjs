// Real X.509 material, made with the real openssl (EC P-256 keys, as the kubelet makes them):
// the kubelets' PKCS#10 requests, the signers' CAs and the certificates the csrsigning
// controller issues for approved requests.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pkiDir } from './state.mjs';

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function scratch(doublesDir, fn) {
  mkdirSync(pkiDir(doublesDir), { recursive: true });
  const dir = mkdtempSync(join(pkiDir(doublesDir), 'tmp-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const openssl = (args) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });

// A self-signed CA kept as pki/NAME.crt and pki/NAME.key (subject as openssl writes it, /OU=x/CN=y).
export function makeCa(doublesDir, name, subject, days) {
  const dir = pkiDir(doublesDir);
  mkdirSync(dir, { recursive: true });
  openssl([
    'req',
    '-x509',
    '-new',
    ...EC,
    '-keyout',
    join(dir, `${name}.key`),
    '-out',
    join(dir, `${name}.crt`),
    '-subj',
    subject,
    '-days',
    String(days),
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign',
  ]);
  return { cert: readFileSync(join(dir, `${name}.crt`), 'utf8'), key: readFileSync(join(dir, `${name}.key`), 'utf8') };
}

// A PKCS#10 request with subject O=organization, CN=commonName and the given SANs.
export function makeCsr(doublesDir, { commonName, organization, dnsNames = [], ipAddresses = [] }) {
  return scratch(doublesDir, (dir) => {
    const subject = `${organization ? `/O=${organization}` : ''}/CN=${commonName}`;
    const sans = [...dnsNames.map((d) => `DNS:${d}`), ...ipAddresses.map((ip) => `IP:${ip}`)];
    openssl([
      'req',
      '-new',
      ...EC,
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'csr.pem'),
      '-subj',
      subject,
      ...(sans.length > 0 ? ['-addext', `subjectAltName=${sans.join(',')}`] : []),
    ]);
    return { csr: readFileSync(join(dir, 'csr.pem'), 'utf8'), key: readFileSync(join(dir, 'key.pem'), 'utf8') };
  });
}

// What kube-controller-manager's csrsigning controller does for an approved request: a
// certificate from the signer's CA, carrying the request's SANs and the requested usages.
export function signCsr(doublesDir, ca, csrPem, { days, usages }) {
  return scratch(doublesDir, (dir) => {
    writeFileSync(join(dir, 'csr.pem'), csrPem);
    const eku = [usages.includes('client auth') && 'clientAuth', usages.includes('server auth') && 'serverAuth'].filter(
      Boolean,
    );
    writeFileSync(
      join(dir, 'ext.cnf'),
      [
        '[v3]',
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature',
        ...(eku.length > 0 ? [`extendedKeyUsage=${eku.join(',')}`] : []),
        '',
      ].join('\n'),
    );
    openssl([
      'x509',
      '-req',
      '-in',
      join(dir, 'csr.pem'),
      '-CA',
      join(pkiDir(doublesDir), `${ca}.crt`),
      '-CAkey',
      join(pkiDir(doublesDir), `${ca}.key`),
      '-set_serial',
      `0x${randomBytes(8).toString('hex')}`,
      '-days',
      String(days),
      '-copy_extensions',
      'copyall',
      '-extfile',
      join(dir, 'ext.cnf'),
      '-extensions',
      'v3',
      '-out',
      join(dir, 'cert.pem'),
    ]);
    return readFileSync(join(dir, 'cert.pem'), 'utf8');
  });
}
