import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Metadata, MetadataKind } from '@tufjs/models'
import { afterEach, describe, expect, it } from 'vitest'
import { runRootKeysCli } from './root-keys-cli.ts'
import { isTufKeyPairJson } from './tuf-keys.ts'

const dirs: string[] = []
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})

describe('root-keys-cli create-root', () => {
  it('writes 0600 root and online key pairs and a root.json signed by the root keys', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tuf-root-'))
    dirs.push(dir)
    const out = join(dir, 'ceremony')
    const lines: string[] = []
    const status = await runRootKeysCli(
      ['create-root', '--out', out, '--threshold', '2', '--keys', '3'],
      Date.parse('2026-11-01T00:00:00Z'),
      (line) => lines.push(line),
    )
    expect(status).toBe(0)
    for (const name of ['root-key-1', 'root-key-2', 'root-key-3']) {
      const file = join(out, `${name}.json`)
      expect((await stat(file)).mode & 0o777).toBe(0o600)
      expect(isTufKeyPairJson(JSON.parse(await readFile(file, 'utf8')))).toBe(true)
    }
    const onlineFile = join(out, 'online-keys.json')
    expect((await stat(onlineFile)).mode & 0o777).toBe(0o600)
    const online = JSON.parse(await readFile(onlineFile, 'utf8')) as Record<string, unknown>
    for (const role of ['targets', 'snapshot', 'timestamp']) expect(isTufKeyPairJson(online[role])).toBe(true)
    expect(lines.join('\n')).toContain('"onlineKeysFile"')
    const root = Metadata.fromJSON(MetadataKind.Root, JSON.parse(await readFile(join(out, 'root.json'), 'utf8')))
    root.verifyDelegate('root', root)
    expect(root.signed.roles.root?.threshold).toBe(2)
    expect(root.signed.roles.root?.keyIDs).toHaveLength(3)
    expect(root.signed.consistentSnapshot).toBe(true)
    expect(await readFile(join(out, 'root.json'), 'utf8')).not.toContain('private')
    // A second ceremony into the same directory never overwrites keys.
    expect(
      await runRootKeysCli(['create-root', '--out', out, '--threshold', '1', '--keys', '1'], 0, (line) =>
        lines.push(line),
      ),
    ).toBe(1)
  })

  it('answers usage errors with status 2', async () => {
    const lines: string[] = []
    const print = (line: string): void => {
      lines.push(line)
    }
    expect(await runRootKeysCli(['create-root', '--threshold', '1', '--keys', '1'], 0, print)).toBe(2)
    expect(await runRootKeysCli(['rotate', '--out', '/tmp/x'], 0, print)).toBe(2)
    expect(await runRootKeysCli(['create-root', '--out', '/tmp/x', '--threshold', '0', '--keys', '1'], 0, print)).toBe(
      2,
    )
  })
})
