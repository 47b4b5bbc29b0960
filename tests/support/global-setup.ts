import 'vitest'
import { execFileSync } from 'node:child_process'
import type { TestProject } from 'vitest/node'

/**
 * Integration prerequisites. A missing dependency is a loud failure, never a skip:
 * .ci/run installs and starts them on a fresh machine.
 */
const requiredCommands: { command: string; debianPackage: string }[] = [
  { command: 'socat', debianPackage: 'socat' },
  { command: 'mosquitto', debianPackage: 'mosquitto' },
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

export default function setup(project: TestProject): void {
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
}

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string
    mosquittoPath: string
  }
}
