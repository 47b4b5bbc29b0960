import { readFile } from 'node:fs/promises'
import { join } from 'node:path'

interface DelegatedRole {
  name: string
  paths?: string[]
}

/** TUF's delegation path pattern (fnmatch): `*` matches within one path segment. */
export function pathMatches(pattern: string, path: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('[^/]*')}$`,
  )
  return re.test(path)
}

/**
 * Delegated roles (of the trusted top-level targets) that would sign `path` but that the trusted
 * snapshot does not list: a vendor registered on the fleet that never published anything. tuf-js
 * walks into such a role and fails on the missing snapshot entry with a TypeError ("Cannot read
 * properties of undefined"); for the kiosk the truth is that no trusted role lists the path yet.
 */
export async function unpublishedRolesFor(metadataDir: string, path: string): Promise<string[]> {
  const read = async (name: string) =>
    JSON.parse(await readFile(join(metadataDir, name), 'utf8')) as { signed?: unknown }
  const targets = (await read('targets.json')).signed as { delegations?: { roles?: DelegatedRole[] } } | undefined
  const snapshot = (await read('snapshot.json')).signed as { meta?: Record<string, unknown> } | undefined
  const listed = snapshot?.meta ?? {}
  return (targets?.delegations?.roles ?? [])
    .filter((r) => (r.paths ?? []).some((p) => pathMatches(p, path)))
    .filter((r) => listed[`${r.name}.json`] === undefined)
    .map((r) => r.name)
}
