import { readFileSync, writeFileSync } from 'node:fs'
import type { Command } from 'commander'
import { EXIT, FleetctlError } from '../api-client.ts'
import { type Io, loggedInClient, printJson } from '../context.ts'
import { collect } from '../options.ts'
import { table } from '../table.ts'
import {
  generateVendorKey,
  publicKeyOf,
  readVendorKey,
  signVendorResign,
  type VendorPublicKey,
} from '../vendor-signing.ts'

export function registerKeys(program: Command, io: Io): void {
  program
    .command('keys')
    .description("a vendor's or department's signing keys (kept on its own machine)")
    .command('generate')
    .description('create an ed25519 key pair file (0600) and print its public key for the fleet admin')
    .requiredOption('--out <file>', 'where to write the key pair (never overwritten)')
    .action((o: { out: string }) => {
      const pair = generateVendorKey()
      try {
        writeFileSync(o.out, `${JSON.stringify(pair, null, 2)}\n`, { mode: 0o600, flag: 'wx' })
      } catch (err) {
        throw new FleetctlError(`cannot write ${o.out}: ${(err as Error).message}`, EXIT.usage)
      }
      io.err(`wrote ${o.out} (keyid ${pair.keyid}); keep it offline, give the admin only the public key below`)
      printJson(io, publicKeyOf(pair))
    })

  for (const publisher of PUBLISHERS) registerPublisher(program, io, publisher)
}

/** Who signs with keys the fleet never holds: vendors (firmware, config) and departments (catalogue bundles). */
const PUBLISHERS = [
  {
    command: 'vendors',
    noun: 'vendor',
    api: '/api/update-vendors',
    listKey: 'vendors',
    description: "vendors' delegated signing roles in the update repository (firmware and config)",
    files: 'files',
  },
  {
    command: 'departments',
    noun: 'department',
    api: '/api/update-departments',
    listKey: 'departments',
    description: "departments' delegated signing roles in the update repository (their catalogue bundles)",
    files: 'bundles',
  },
] as const

function registerPublisher(program: Command, io: Io, p: (typeof PUBLISHERS)[number]): void {
  const group = program.command(p.command).description(p.description)
  group
    .command('list')
    .option('--json', 'machine-readable output')
    .action(async (o: { json?: boolean }) => {
      const answer = await loggedInClient(io).get<
        Record<string, { id: string; name: string; threshold: number; publicKeys: Record<string, unknown> }[]>
      >(p.api)
      const all = answer[p.listKey] ?? []
      if (o.json) return printJson(io, all)
      io.out(
        table(
          [p.noun.toUpperCase(), 'NAME', 'KEYS', 'THRESHOLD', 'KEY IDS'],
          all.map((v) => {
            const ids = Object.keys(v.publicKeys)
            return [v.id, v.name, ids.length, v.threshold, ids.map((id) => id.slice(0, 12)).join(' ')]
          }),
        ),
      )
    })
  group
    .command('add <id>')
    .description(`register or rotate a ${p.noun}'s keys (admin): the old keys stop signing`)
    .requiredOption('--name <name>', `${p.noun} name`)
    .requiredOption('--key <file>', 'public key (or key pair) file; repeat for more keys', collect)
    .option('--threshold <n>', 'signatures needed', '1')
    .option('--json', 'machine-readable output')
    .action(async (id: string, o: { name: string; key: string[]; threshold: string; json?: boolean }) => {
      const publicKeys: VendorPublicKey[] = o.key.map((file) => readPublicKey(file))
      const answer = await loggedInClient(io).post(p.api, {
        id,
        name: o.name,
        publicKeys,
        threshold: Number(o.threshold),
      })
      if (o.json) printJson(io, answer)
      else io.out(`${p.noun} ${id} registered with ${publicKeys.length} key(s), threshold ${o.threshold}`)
    })
  group
    .command('resign <id>')
    .description(
      `renew your ${p.noun} role for another year and take its revoked ${p.files} out, signed locally (checked first against the role you published)`,
    )
    .requiredOption('--key <file>', 'your key pair file; repeat to meet the threshold', collect)
    .option('--after-restore', 'the fleet was restored from a backup: sign a version above its restore floor')
    .option('--json', 'machine-readable output')
    .action(async (id: string, o: { key: string[]; afterRestore?: boolean; json?: boolean }) => {
      const keys = o.key.map((file) => readVendorKey(file))
      const client = loggedInClient(io)
      const base = `${p.api}/${encodeURIComponent(id)}`
      const request = await client.get<{ role: string; metadata: unknown }>(`${base}/signing-request`)
      const current = await client.raw('GET', `/updates/metadata/${encodeURIComponent(request.role)}.json`)
      if (current.status !== 200 && current.status !== 404) throw client.failure(current)
      const published = current.status === 200 ? (JSON.parse(current.text) as unknown) : undefined
      const { signatures, dropped } = signVendorResign(request.metadata, published, keys, {
        afterRestore: o.afterRestore === true,
      })
      const answer = await client.post<{ role: string; version: number; expires: string; dropped: string[] }>(
        `${base}/signatures`,
        { signatures },
      )
      if (o.json) return printJson(io, answer)
      io.out(`${answer.role} version ${answer.version} published; expires ${answer.expires}`)
      for (const path of dropped) io.out(`  taken out (revoked): ${path}`)
    })
}

/** A public key file, or a key pair file of which only the public half is sent. */
function readPublicKey(file: string): VendorPublicKey {
  let value: { keytype?: string; scheme?: string; keyval?: { public?: string; private?: string } }
  try {
    value = JSON.parse(readFileSync(file, 'utf8'))
  } catch (err) {
    throw new FleetctlError(`cannot read ${file}: ${(err as Error).message}`, EXIT.usage)
  }
  if (value.keyval?.private !== undefined) return publicKeyOf(readVendorKey(file))
  if (value.keytype !== 'ed25519' || value.scheme !== 'ed25519' || !/^[0-9a-f]{64}$/.test(value.keyval?.public ?? '')) {
    throw new FleetctlError(`${file} is not an ed25519 TUF public key`, EXIT.usage)
  }
  return { keytype: 'ed25519', scheme: 'ed25519', keyval: { public: value.keyval?.public as string } }
}
