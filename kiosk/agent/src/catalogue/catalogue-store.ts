import { Listeners } from '@drivers/core'
import type { Catalogue, DepartmentEntry, DocumentTemplate, ServiceDefinition } from '@kiosk-fleet/protocol'
import type { Logger } from 'pino'
import { searchKeys } from './search-keys.ts'

/**
 * Which services a kiosk offers: service ids, `department:<id>` for all of a department's
 * services, or `*` for the whole catalogue. The machine type is only a label.
 */
export type OfferList = readonly string[]

export interface CatalogueStoreOptions {
  catalogue: Catalogue
  offer: OfferList
  /** True while a citizen is being served: a new catalogue waits until the session ends. */
  busy: () => boolean
  logger: Logger
}

interface Loaded {
  catalogue: Catalogue
  offered: ServiceDefinition[]
  byId: Map<string, ServiceDefinition>
  templates: Map<string, DocumentTemplate>
  departments: Map<string, DepartmentEntry>
  search: Map<string, string[]>
}

function load(catalogue: Catalogue, offer: OfferList): Loaded {
  const wanted = (s: ServiceDefinition) =>
    offer.includes('*') || offer.includes(s.id) || offer.includes(`department:${s.department}`)
  const offered = catalogue.services.filter(wanted)
  const departments = new Map(catalogue.departments.map((d) => [d.id, d]))
  return {
    catalogue,
    offered,
    byId: new Map(offered.map((s) => [s.id, s])),
    templates: new Map(catalogue.templates.map((t) => [t.id, t])),
    departments,
    search: new Map(offered.map((s) => [s.id, searchKeys(s, departments.get(s.department)?.name.zh ?? '')])),
  }
}

/**
 * The catalogue the engine runs, swapped only between citizen sessions: `stage()` installs a
 * validated catalogue at once when the kiosk is idle, else when the current session ends
 * (`sessionEnded()`), so a citizen never sees a service change under them.
 */
export class CatalogueStore {
  readonly #options: CatalogueStoreOptions
  readonly #changed = new Listeners<[catalogue: Catalogue]>()
  #loaded: Loaded
  #staged: Catalogue | undefined

  constructor(options: CatalogueStoreOptions) {
    this.#options = options
    this.#loaded = load(options.catalogue, options.offer)
  }

  get catalogue(): Catalogue {
    return this.#loaded.catalogue
  }

  /** The digest of a catalogue waiting for the current session to end. */
  get stagedDigest(): string | undefined {
    return this.#staged?.digest
  }

  onChanged(listener: (catalogue: Catalogue) => void): () => void {
    return this.#changed.on(listener)
  }

  /** The services this kiosk offers, in catalogue order. */
  offered(): readonly ServiceDefinition[] {
    return this.#loaded.offered
  }

  service(id: string): ServiceDefinition | undefined {
    return this.#loaded.byId.get(id)
  }

  template(id: string): DocumentTemplate | undefined {
    return this.#loaded.templates.get(id)
  }

  department(id: string): DepartmentEntry | undefined {
    return this.#loaded.departments.get(id)
  }

  departments(): DepartmentEntry[] {
    return [...this.#loaded.departments.values()]
  }

  searchKeys(id: string): string[] {
    return this.#loaded.search.get(id) ?? []
  }

  /** A validated catalogue to run next; returns whether it was installed now (else it waits for idle). */
  stage(catalogue: Catalogue): boolean {
    if (catalogue.digest === this.#loaded.catalogue.digest) return true
    this.#staged = catalogue
    if (this.#options.busy()) {
      this.#options.logger.info({ digest: catalogue.digest }, 'catalogue staged until the session ends')
      return false
    }
    this.#install()
    return true
  }

  /** Called when a citizen session ends: a staged catalogue goes live now. */
  sessionEnded(): void {
    if (this.#staged && !this.#options.busy()) this.#install()
  }

  #install(): void {
    const next = this.#staged
    if (!next) return
    this.#staged = undefined
    this.#loaded = load(next, this.#options.offer)
    this.#options.logger.info(
      { digest: next.digest, services: next.services.length, offered: this.#loaded.offered.length },
      'catalogue loaded',
    )
    this.#changed.emit(next)
  }
}
