/**
 * Offline root ceremonies. `create-root --out DIR --threshold N --keys M` writes M root key pairs (to
 * move onto offline media and delete here), the online targets/snapshot/timestamp key pairs as one `online-keys.json` (the server's
 * `updates.onlineKeysFile`) and the initial root.json (the server's `updates.rootFile`). `sign-root`
 * renews root before it expires (yearly) and rotates root or online keys (`create-online-keys` makes
 * new online keys). Run as `tsx fleet-server/server/src/updates/root-keys-cli.ts …`. The server never
 * receives a root private key.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { Metadata, MetadataKind } from '@tufjs/models'
import { buildRoot, type NextRootInput, signNextRoot } from './root-metadata.ts'
import { generateTufKeyPair, isTufKeyPairJson, publicKeyOf, type TufKeyPairJson } from './tuf-keys.ts'
import { DAY_MS } from './tuf-time.ts'

export interface CreateRootResult {
  rootKeyFiles: string[]
  onlineKeyFiles: string[]
  rootFile: string
}

/** The file (mode 0600) holding the online key pairs; the server reads it as `updates.onlineKeysFile`. */
export const ONLINE_KEYS_FILE = 'online-keys.json'

const USAGE = [
  'usage: root-keys-cli create-root --out DIR --threshold N --keys M',
  '       root-keys-cli sign-root --current root.json --sign-with KEY [--sign-with KEY…] --out DIR',
  '                               [--days 365] [--new-root-keys M --threshold N] [--online-keys online-keys.json]',
  '       root-keys-cli create-online-keys --out DIR',
].join('\n')

function positiveInt(value: string | undefined, name: string): number {
  const n = Number(value)
  if (value === undefined || !Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`)
  return n
}

async function writeSecret(path: string, value: unknown): Promise<void> {
  // flag 'wx': never overwrite an existing key file.
  await writeFile(path, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600, flag: 'wx' })
}

export async function createRoot(out: string, threshold: number, keys: number, now: number): Promise<CreateRootResult> {
  if (threshold > keys) throw new Error(`--threshold ${threshold} exceeds --keys ${keys}`)
  await mkdir(out, { recursive: true, mode: 0o700 })
  const rootKeys = Array.from({ length: keys }, () => generateTufKeyPair())
  const online = { targets: generateTufKeyPair(), snapshot: generateTufKeyPair(), timestamp: generateTufKeyPair() }
  const root = buildRoot({
    rootKeys,
    threshold,
    targets: [publicKeyOf(online.targets)],
    snapshot: [publicKeyOf(online.snapshot)],
    timestamp: [publicKeyOf(online.timestamp)],
    now,
  })
  const rootKeyFiles: string[] = []
  for (const [i, pair] of rootKeys.entries()) {
    const file = join(out, `root-key-${i + 1}.json`)
    await writeSecret(file, pair)
    rootKeyFiles.push(file)
  }
  // One file for the fleet server's `updates.onlineKeysFile`: {targets, snapshot, timestamp}.
  const onlineKeysFile = join(out, ONLINE_KEYS_FILE)
  await writeSecret(onlineKeysFile, online)
  const onlineKeyFiles = [onlineKeysFile]
  const rootFile = join(out, 'root.json')
  await writeFile(rootFile, JSON.stringify(root.toJSON()), { flag: 'wx' })
  return { rootKeyFiles, onlineKeyFiles, rootFile }
}

export interface SignRootOptions {
  /** The root.json the fleet publishes now. */
  current: string
  /** Root key pair files that sign (enough of the current root keys). */
  signWith: string[]
  /** Generate this many new root keys (root key rotation); they sign too. */
  newRootKeys?: number | undefined
  threshold?: number | undefined
  /** An online-keys.json whose public keys the new root lists (online key rotation). */
  onlineKeys?: string | undefined
  days: number
  out: string
}

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'))
  } catch (error) {
    throw new Error(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`)
  }
}

async function readKeyPair(file: string): Promise<TufKeyPairJson> {
  const value = await readJson(file)
  if (!isTufKeyPairJson(value)) throw new Error(`${file} is not an ed25519 key pair`)
  return value
}

/**
 * The next root, signed offline: renewed for `days`, with new root keys (written to `out`) or the
 * online keys of another online-keys.json if asked. Writes `<version>.root.json` to `out`: give it to
 * the fleet-server as `updates.rootFile` (read at start) or `POST /api/update-repository/root`.
 */
export async function signRoot(
  options: SignRootOptions,
  now: number,
): Promise<{ rootFile: string; rootKeyFiles: string[] }> {
  const current = Metadata.fromJSON(
    MetadataKind.Root,
    (await readJson(options.current)) as Parameters<typeof Metadata.fromJSON>[1],
  )
  const signWith = await Promise.all(options.signWith.map(readKeyPair))
  const fresh = Array.from({ length: options.newRootKeys ?? 0 }, () => generateTufKeyPair())
  let online: NextRootInput['online']
  if (options.onlineKeys !== undefined) {
    const pairs = (await readJson(options.onlineKeys)) as Record<string, unknown>
    const pick = (role: string) => {
      const pair = pairs[role]
      if (!isTufKeyPairJson(pair)) throw new Error(`${options.onlineKeys} has no ${role} key pair`)
      return publicKeyOf(pair)
    }
    online = { targets: pick('targets'), snapshot: pick('snapshot'), timestamp: pick('timestamp') }
  }
  const next = signNextRoot({
    current,
    signWith: [...signWith, ...fresh],
    ...(fresh.length > 0 ? { rootKeys: fresh.map(publicKeyOf) } : {}),
    ...(options.threshold === undefined ? {} : { threshold: options.threshold }),
    ...(online === undefined ? {} : { online }),
    now,
    lifetimeMs: options.days * DAY_MS,
  })
  await mkdir(options.out, { recursive: true, mode: 0o700 })
  const rootKeyFiles: string[] = []
  for (const [i, pair] of fresh.entries()) {
    const file = join(options.out, `root-key-v${next.signed.version}-${i + 1}.json`)
    await writeSecret(file, pair)
    rootKeyFiles.push(file)
  }
  const rootFile = join(options.out, `${next.signed.version}.root.json`)
  await writeFile(rootFile, JSON.stringify(next.toJSON()), { flag: 'wx' })
  return { rootFile, rootKeyFiles }
}

/** New online targets/snapshot/timestamp key pairs, for a rotation: `sign-root --online-keys` lists them. */
export async function createOnlineKeys(out: string): Promise<string> {
  await mkdir(out, { recursive: true, mode: 0o700 })
  const file = join(out, ONLINE_KEYS_FILE)
  await writeSecret(file, {
    targets: generateTufKeyPair(),
    snapshot: generateTufKeyPair(),
    timestamp: generateTufKeyPair(),
  })
  return file
}

type Parsed =
  | { command: 'create-root'; out: string; threshold: number; keys: number }
  | ({ command: 'sign-root' } & SignRootOptions)
  | { command: 'create-online-keys'; out: string }

/** Returns the process exit status: 0 ok, 1 failed, 2 usage. */
export async function runRootKeysCli(argv: string[], now: number, print: (line: string) => void): Promise<number> {
  let parsed: Parsed
  try {
    parsed = parse(argv)
  } catch (error) {
    print(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`)
    return 2
  }
  try {
    if (parsed.command === 'create-root') {
      const result = await createRoot(parsed.out, parsed.threshold, parsed.keys, now)
      print(`root.json: ${result.rootFile}`)
      print(`root keys (move to offline media, then delete here): ${result.rootKeyFiles.join(', ')}`)
      print(`online keys (for the fleet server's secret store): ${result.onlineKeyFiles.join(', ')}`)
      print(
        `fleet-server config: "updates": {"rootFile": "${result.rootFile}", "onlineKeysFile": "${result.onlineKeyFiles[0]}"}`,
      )
    } else if (parsed.command === 'sign-root') {
      const result = await signRoot(parsed, now)
      print(`next root: ${result.rootFile}`)
      if (result.rootKeyFiles.length > 0) {
        print(`new root keys (move to offline media, then delete here): ${result.rootKeyFiles.join(', ')}`)
      }
      print('publish it: set updates.rootFile to it and restart, or POST it to /api/update-repository/root')
    } else {
      print(`online keys: ${await createOnlineKeys(parsed.out)} (list them with sign-root --online-keys)`)
    }
    return 0
  } catch (error) {
    print(`${parsed.command} failed: ${error instanceof Error ? error.message : String(error)}`)
    return 1
  }
}

function parse(argv: string[]): Parsed {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      threshold: { type: 'string' },
      keys: { type: 'string' },
      current: { type: 'string' },
      'sign-with': { type: 'string', multiple: true },
      'new-root-keys': { type: 'string' },
      'online-keys': { type: 'string' },
      days: { type: 'string' },
    },
  })
  const command = positionals[0]
  if (positionals.length !== 1) throw new Error('one command expected')
  if (values.out === undefined) throw new Error('--out is required')
  const out = resolve(values.out)
  if (command === 'create-root') {
    return {
      command,
      out,
      threshold: positiveInt(values.threshold, 'threshold'),
      keys: positiveInt(values.keys, 'keys'),
    }
  }
  if (command === 'create-online-keys') return { command, out }
  if (command === 'sign-root') {
    if (values.current === undefined) throw new Error('--current is required')
    if (values['sign-with'] === undefined) throw new Error('--sign-with is required (a root key pair file; repeat)')
    return {
      command,
      out,
      current: resolve(values.current),
      signWith: values['sign-with'].map((f) => resolve(f)),
      newRootKeys:
        values['new-root-keys'] === undefined ? undefined : positiveInt(values['new-root-keys'], 'new-root-keys'),
      threshold: values.threshold === undefined ? undefined : positiveInt(values.threshold, 'threshold'),
      onlineKeys: values['online-keys'] === undefined ? undefined : resolve(values['online-keys']),
      days: values.days === undefined ? 365 : positiveInt(values.days, 'days'),
    }
  }
  throw new Error('unknown command')
}

const invoked = process.argv[1]
if (invoked !== undefined && import.meta.url === pathToFileURL(resolve(invoked)).href) {
  runRootKeysCli(process.argv.slice(2), Date.now(), (line) => process.stdout.write(`${line}\n`)).then(
    (status) => {
      process.exitCode = status
    },
    (error: unknown) => {
      process.stderr.write(`${String(error)}\n`)
      process.exitCode = 1
    },
  )
}
