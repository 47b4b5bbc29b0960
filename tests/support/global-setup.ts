import 'vitest'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { createDevCa, issueCertificate } from '../../scripts/tls/dev-ca.ts'

/**
 * Integration prerequisites. A missing dependency is a loud failure, never a skip:
 * .ci/run installs and starts them on a fresh machine.
 */
const requiredCommands: { command: string; debianPackage: string }[] = [
  { command: 'socat', debianPackage: 'socat' },
  { command: 'mosquitto', debianPackage: 'mosquitto' },
  { command: 'openssl', debianPackage: 'openssl' },
]

function which(command: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${command} || ls /usr/sbin/${command} 2>/dev/null`], {
      encoding: 'utf8',
    }).trim()
  } catch {
    return undefined
  }
}

/**
 * Certificates made once per run: a CA with a server certificate for loopback (broker and HTTPS) and a
 * kiosk client certificate, plus an unrelated CA that must be refused.
 */
function makeTestPki(): { pki: TestPki; dispose: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'kiosk-fleet-pki-'))
  const ca = createDevCa(join(dir, 'ca'), { name: 'kiosk-fleet test CA' })
  const server = issueCertificate(ca, 'server', { kind: 'server', hosts: ['localhost', '127.0.0.1', '::1'] })
  const kiosk = issueCertificate(ca, 'kiosk-tls-a', { kind: 'client', commonName: 'tls-a' })
  const wrong = createDevCa(join(dir, 'wrong-ca'), { name: 'some other CA' })
  return {
    pki: {
      ca: ca.caCert,
      serverCert: server.cert,
      serverKey: server.key,
      kioskCert: kiosk.cert,
      kioskKey: kiosk.key,
      wrongCa: wrong.caCert,
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  }
}

export default function setup(project: TestProject): () => void {
  const missing = requiredCommands.filter((r) => !which(r.command))
  if (missing.length > 0) {
    throw new Error(
      `integration tests need ${missing.map((m) => m.command).join(', ')}: apt-get install ${missing
        .map((m) => m.debianPackage)
        .join(' ')} (bash .ci/run does this)`,
    )
  }
  project.provide('postgresUrl', process.env.TEST_POSTGRES_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/test')
  project.provide('mosquittoPath', which('mosquitto') ?? 'mosquitto')
  const { pki, dispose } = makeTestPki()
  project.provide('testPki', pki)
  return dispose
}

/** PEM files of the run's test PKI (paths). `kioskCert` is a client certificate for kiosk `tls-a`. */
export interface TestPki {
  ca: string
  serverCert: string
  serverKey: string
  kioskCert: string
  kioskKey: string
  /** A CA that signed none of the above: a client trusting only it must refuse the servers. */
  wrongCa: string
}

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string
    mosquittoPath: string
    testPki: TestPki
  }
}
