/**
 * Offline root ceremony: `tsx fleet-server/server/src/updates/root-keys-cli.ts create-root --out DIR
 * --threshold N --keys M`. Writes M root key pairs (to move onto offline media and delete here), the
 * online targets/snapshot/timestamp key pairs as one `online-keys.json` (the server's
 * `updates.onlineKeysFile`) and the initial root.json (the server's `updates.rootFile`). The server never receives a root private key.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { buildRoot } from './root-metadata.ts'
import { generateTufKeyPair, publicKeyOf } from './tuf-keys.ts'

export interface CreateRootResult {
  rootKeyFiles: string[]
  onlineKeyFiles: string[]
  rootFile: string
}

/** The file (mode 0600) holding the online key pairs; the server reads it as `updates.onlineKeysFile`. */
export const ONLINE_KEYS_FILE = 'online-keys.json'

const USAGE = 'usage: root-keys-cli create-root --out DIR --threshold N --keys M'

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

/** Returns the process exit status: 0 ok, 1 failed, 2 usage. */
export async function runRootKeysCli(argv: string[], now: number, print: (line: string) => void): Promise<number> {
  let parsed: ReturnType<typeof parse>
  try {
    parsed = parse(argv)
  } catch (error) {
    print(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`)
    return 2
  }
  try {
    const result = await createRoot(parsed.out, parsed.threshold, parsed.keys, now)
    print(`root.json: ${result.rootFile}`)
    print(`root keys (move to offline media, then delete here): ${result.rootKeyFiles.join(', ')}`)
    print(`online keys (for the fleet server's secret store): ${result.onlineKeyFiles.join(', ')}`)
    print(
      `fleet-server config: "updates": {"rootFile": "${result.rootFile}", "onlineKeysFile": "${result.onlineKeyFiles[0]}"}`,
    )
    return 0
  } catch (error) {
    print(`create-root failed: ${error instanceof Error ? error.message : String(error)}`)
    return 1
  }
}

function parse(argv: string[]): { out: string; threshold: number; keys: number } {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { out: { type: 'string' }, threshold: { type: 'string' }, keys: { type: 'string' } },
  })
  if (positionals[0] !== 'create-root' || positionals.length !== 1) throw new Error('unknown command')
  if (values.out === undefined) throw new Error('--out is required')
  return {
    out: resolve(values.out),
    threshold: positiveInt(values.threshold, 'threshold'),
    keys: positiveInt(values.keys, 'keys'),
  }
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
