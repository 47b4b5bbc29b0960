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

describe('root-keys-cli sign-root and create-online-keys', () => {
  it('renews root, then rotates root and online keys, each version chained to the one before', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tuf-root-'))
    dirs.push(dir)
    const now = Date.parse('2026-11-01T00:00:00Z')
    const lines: string[] = []
    const run = (args: string[]) => runRootKeysCli(args, now, (line) => lines.push(line))
    const first = join(dir, 'v1')
    expect(await run(['create-root', '--out', first, '--threshold', '2', '--keys', '3'])).toBe(0)
    const v1 = join(first, 'root.json')
    const key = (n: number) => join(first, `root-key-${n}.json`)
    const load = async (file: string) => Metadata.fromJSON(MetadataKind.Root, JSON.parse(await readFile(file, 'utf8')))

    // Renewal: two of the three keys sign; everything else stays.
    expect(
      await run([
        'sign-root',
        '--current',
        v1,
        '--sign-with',
        key(1),
        '--sign-with',
        key(3),
        '--out',
        join(dir, 'v2'),
        '--days',
        '400',
      ]),
    ).toBe(0)
    const root1 = await load(v1)
    const root2 = await load(join(dir, 'v2', '2.root.json'))
    root1.verifyDelegate('root', root2)
    root2.verifyDelegate('root', root2)
    expect(root2.signed.expires).toBe('2027-12-06T00:00:00Z')
    expect(root2.signed.roles.timestamp?.keyIDs).toEqual(root1.signed.roles.timestamp?.keyIDs)

    // Rotation: new online keys and two new root keys (written 0600 beside the new root).
    const onlineDir = join(dir, 'online')
    expect(await run(['create-online-keys', '--out', onlineDir])).toBe(0)
    expect(
      await run([
        'sign-root',
        '--current',
        join(dir, 'v2', '2.root.json'),
        '--sign-with',
        key(1),
        '--sign-with',
        key(2),
        '--new-root-keys',
        '2',
        '--threshold',
        '2',
        '--online-keys',
        join(onlineDir, 'online-keys.json'),
        '--out',
        join(dir, 'v3'),
      ]),
    ).toBe(0)
    const root3 = await load(join(dir, 'v3', '3.root.json'))
    root2.verifyDelegate('root', root3)
    root3.verifyDelegate('root', root3)
    expect(root3.signed.roles.root?.keyIDs).toHaveLength(2)
    expect(root3.signed.roles.timestamp?.keyIDs).not.toEqual(root2.signed.roles.timestamp?.keyIDs)
    expect((await stat(join(dir, 'v3', 'root-key-v3-1.json'))).mode & 0o777).toBe(0o600)
    expect(await readFile(join(dir, 'v3', '3.root.json'), 'utf8')).not.toContain('private')

    // One key short of the threshold: status 1 and the reason, nothing written.
    const short = await run(['sign-root', '--current', v1, '--sign-with', key(2), '--out', join(dir, 'short')])
    expect(short).toBe(1)
    expect(lines.at(-1)).toMatch(/needs 2 signatures of the current root's keys/)
    await expect(stat(join(dir, 'short'))).rejects.toMatchObject({ code: 'ENOENT' })
    expect(await run(['sign-root', '--current', v1, '--out', join(dir, 'x')])).toBe(2)
  })
})
