/** The SQL surface both PGlite and PostgreSQL offer: one dialect, parameters as $1..$n. */
export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>
  /** Runs several statements without parameters (migrations, DDL with function bodies). */
  exec(sql: string): Promise<void>
}

export interface Database extends Queryable {
  readonly kind: 'pglite' | 'postgres'
  /**
   * PostgreSQL LISTEN on a connection of its own (reconnecting), for what several replicas must all
   * hear (live dashboard changes). `channel` is qualified by the schema, since NOTIFY is per database.
   * PGlite has none: it lives in one process, so there are no other replicas to tell.
   */
  listen?(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>
  /** `pg_notify` on the same schema-qualified channel as `listen`. */
  notify?(channel: string, payload: string): Promise<void>
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>
  close(): Promise<void>
}
