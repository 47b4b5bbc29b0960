import type { Command } from 'commander'
import type { ApiClient } from './api-client.ts'
import type { Io } from './context.ts'

/** The paging options of a list command: a page (`--limit`, `--offset`) or every match (`--all`). */
export interface PageOptions {
  limit: string
  offset: string
  all?: boolean
}

export function withPageOptions(command: Command, defaultLimit: number): Command {
  return command
    .option('--limit <n>', 'how many to show', String(defaultLimit))
    .option('--offset <n>', 'skip this many matches first', '0')
    .option('--all', 'every match, read page by page')
}

const count = (text: string, flag: string): number => {
  const n = Number(text)
  if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} must be a whole number, not "${text}"`)
  return n
}

/**
 * One page of a paged list endpoint (`{ [key]: T[], total }`), or with `--all` every page of it
 * (`maxPage` a request), and the true total of matches the API counted.
 */
export async function readPages<T>(
  client: ApiClient,
  path: string,
  query: URLSearchParams,
  key: string,
  options: PageOptions,
  maxPage: number,
): Promise<{ items: T[]; total: number; offset: number }> {
  const offset = count(options.offset, '--offset')
  const limit = options.all ? maxPage : Math.min(count(options.limit, '--limit'), maxPage)
  const items: T[] = []
  let total = 0
  for (let at = offset; ; at += limit) {
    const page = new URLSearchParams(query)
    page.set('limit', String(limit))
    page.set('offset', String(at))
    const answer = await client.get<Record<string, unknown>>(`${path}?${page}`)
    const got = (answer[key] as T[] | undefined) ?? []
    total = Number(answer.total ?? got.length)
    items.push(...got)
    if (!options.all || got.length < limit || at + limit >= total) break
  }
  return { items, total, offset }
}

/** `showing 1–100 of 20000 (--offset 100 for the next, --all for every one)` on standard error. */
export function reportRange(io: Io, { items, total, offset }: { items: unknown[]; total: number; offset: number }) {
  if (items.length === 0) return io.err(`none of ${total}`)
  const last = offset + items.length
  io.err(
    `showing ${offset + 1}–${last} of ${total}${last < total ? ` (--offset ${last} for the next, --all for every one)` : ''}`,
  )
}
