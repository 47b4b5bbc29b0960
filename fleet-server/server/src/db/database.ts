/** The SQL surface both PGlite and PostgreSQL offer: one dialect, parameters as $1..$n. */
export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>
  /** Runs several statements without parameters (migrations, DDL with function bodies). */
  exec(sql: string): Promise<void>
}

export interface Database extends Queryable {
  readonly kind: 'pglite' | 'postgres'
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>
  close(): Promise<void>
}
