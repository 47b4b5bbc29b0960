/**
 * A private certificate authority for the demo (`npm start`) and the tests: a CA, server
 * certificates for the broker and the HTTPS listener, and client certificates for kiosks, made with
 * Debian's `openssl` CLI (node:crypto cannot write X.509). Keys are EC P-256 and written mode 0600.
 * Production uses the CA the operator runs (docs/operations.md "TLS"); this is for loopback setups.
 */
import { execFileSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export interface CertificatePair {
  cert: string
  key: string
}

export interface DevCa {
  dir: string
  /** The CA certificate every client and server is told to trust. */
  caCert: string
  caKey: string
}

function openssl(args: string[]): void {
  try {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] })
  } catch (err) {
    const e = err as { code?: string; stderr?: Buffer }
    if (e.code === 'ENOENT') throw new Error('the openssl command is missing: apt-get install openssl')
    throw new Error(`openssl ${args[0]} failed: ${e.stderr?.toString() ?? String(err)}`)
  }
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']

/** Makes (or, with `reuse`, keeps the one already in `dir`) a CA valid for `days`. */
export function createDevCa(dir: string, options: { name?: string; days?: number; reuse?: boolean } = {}): DevCa {
  mkdirSync(dir, { recursive: true })
  const ca = { dir, caCert: join(dir, 'ca.crt'), caKey: join(dir, 'ca.key') }
  if (options.reuse === true && existsSync(ca.caCert) && existsSync(ca.caKey)) return ca
  openssl([
    'req',
    '-x509',
    ...EC,
    '-keyout',
    ca.caKey,
    '-out',
    ca.caCert,
    '-days',
    String(options.days ?? 825),
    '-subj',
    `/CN=${options.name ?? 'kiosk-fleet development CA'}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ])
  chmodSync(ca.caKey, 0o600)
  return ca
}

/**
 * A certificate signed by `ca`: `server` ones name `hosts` (DNS names and IP addresses) as subject
 * alternative names; `client` ones carry `commonName` (a kiosk's MQTT user name) for the broker.
 */
export function issueCertificate(
  ca: DevCa,
  name: string,
  options: { kind: 'server' | 'client'; commonName?: string; hosts?: string[]; days?: number; reuse?: boolean },
): CertificatePair {
  const pair = { cert: join(ca.dir, `${name}.crt`), key: join(ca.dir, `${name}.key`) }
  if (options.reuse === true && existsSync(pair.cert) && existsSync(pair.key)) return pair
  const csr = join(ca.dir, `${name}.csr`)
  const ext = join(ca.dir, `${name}.ext`)
  const hosts = options.hosts ?? ['localhost', '127.0.0.1', '::1']
  const san = hosts.map((h) => (/^[0-9.]+$|:/.test(h) ? `IP:${h}` : `DNS:${h}`)).join(',')
  writeFileSync(
    ext,
    [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      `extendedKeyUsage=${options.kind === 'server' ? 'serverAuth' : 'clientAuth'}`,
      ...(options.kind === 'server' ? [`subjectAltName=${san}`] : []),
      '',
    ].join('\n'),
  )
  openssl(['req', ...EC, '-keyout', pair.key, '-out', csr, '-subj', `/CN=${options.commonName ?? hosts[0] ?? name}`])
  chmodSync(pair.key, 0o600)
  openssl([
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca.caCert,
    '-CAkey',
    ca.caKey,
    '-set_serial',
    `0x${Date.now().toString(16)}${Math.floor(Math.random() * 0xffff).toString(16)}`,
    '-days',
    String(options.days ?? 825),
    '-extfile',
    ext,
    '-out',
    pair.cert,
  ])
  rmSync(csr, { force: true })
  rmSync(ext, { force: true })
  return pair
}
