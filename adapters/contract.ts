/**
 * The adapter contract: the whole interface between the kit and an ORM.
 *
 * The runner owns everything else — parsing the document, Python semantics
 * (variables, unsaved instances, lazy querysets), Django's reprs and error
 * messages, comparing and reporting. An adapter only stores rows and answers
 * data operations, one `execute(op)` at a time (like sqllogictest's `DB::run`).
 *
 * Data semantics every adapter must honour (the in-memory adapter in
 * `adapters/memory/` is their executable statement):
 *
 * 1. Ids are positive integers assigned in insertion order, per model, and are
 *    never reused, not even after the row with the highest id is deleted.
 * 2. `select` returns rows ordered by `query.orderBy`, then by `id` ascending
 *    (a total order, so reports are deterministic). Strings compare by Unicode
 *    code point.
 * 3. A non-negated filter whose conditions go `via` a many-to-many relation is
 *    an SQL inner join: the row comes back once per related row that satisfies
 *    every `via` condition of that filter (they share one join). Separate
 *    filters join separately, so their counts multiply. `distinct` removes the
 *    duplicates. An `isnull: true` condition via a relation matches rows with
 *    no related row at all (a left join), once.
 * 4. A negated filter (Django's `exclude`) keeps a row unless its local
 *    conditions all hold AND each `via` condition is met by some related row
 *    (each `via` condition on its own, as Django documents for `exclude`). It
 *    never produces duplicates.
 * 5. `count` counts exactly the rows `select` would return (duplicates, distinct,
 *    offset and limit included).
 * 6. Lookups keep Django's documented meaning on every database: `exact`,
 *    `contains`, `startswith`, `endswith` are case-sensitive; the `i…` variants
 *    compare case-insensitively. Values are plain strings: `%`, `_` and `\` in a
 *    value are never wildcards.
 * 7. `add` is idempotent (an existing link is not duplicated). Deleting a row on
 *    either side of a relation removes its links; a bulk `delete` by query does
 *    the same for every row it deletes.
 *
 * @module
 */

/** A value stored in a model field. */
export type Scalar = string | number | boolean | null

/** A stored row: its primary key `id` and every scalar field of its model. */
export interface Row {
  readonly id: number
  readonly [field: string]: Scalar
}

/** The models and relations a document defines (from its `python` block). */
export interface Schema {
  readonly models: readonly ModelSchema[]
  readonly relations: readonly RelationSchema[]
}

/** One model: its scalar fields (not `id`, not relations) and default ordering. */
export interface ModelSchema {
  /** Class name, e.g. `Article`. */
  readonly name: string
  readonly fields: readonly FieldSchema[]
  /** From `Meta.ordering`; empty when the model has none (then rows come by id). */
  readonly ordering: readonly OrderKey[]
}

/** A scalar field. */
export interface FieldSchema {
  readonly name: string
  readonly type: 'string' | 'integer' | 'boolean'
  /** `max_length` of a `CharField`, when given. */
  readonly maxLength?: number
  /** `null=True`. */
  readonly nullable: boolean
}

/**
 * A many-to-many relation, named after the field that declares it:
 * `Article.publications` for `publications = ManyToManyField(Publication)`
 * on `Article`.
 */
export interface RelationSchema {
  /** `Model.field`, the key used in every operation. */
  readonly name: string
  /** The model that declares the field (the forward side). */
  readonly source: string
  /** The field name on the source model. */
  readonly field: string
  /** The related model (the reverse side). */
  readonly target: string
  /** Name used in lookups from the target side, e.g. `article`. */
  readonly reverseQueryName: string
  /** Manager attribute on target instances, e.g. `article_set`. */
  readonly reverseAccessor: string
}

/**
 * Which end of a relation an instance id belongs to: `forward` for the model
 * that declares the field (`a.publications`), `reverse` for the other one
 * (`p.article_set`).
 */
export type Side = 'forward' | 'reverse'

/** One sort key. */
export interface OrderKey {
  /** A scalar field of the queried model, or `id`. */
  readonly field: string
  readonly descending: boolean
}

/** Field lookups, with Django's meaning (see rule 6 above). */
export type Lookup =
  | 'exact' | 'iexact'
  | 'contains' | 'icontains'
  | 'startswith' | 'istartswith'
  | 'endswith' | 'iendswith'
  | 'in' | 'gt' | 'gte' | 'lt' | 'lte' | 'isnull'

/**
 * One lookup. Without `via` it tests the queried row's own `field`; with `via`
 * it tests the rows related through that relation (`publications__title__…`).
 * `value` is an array for `in`, a boolean for `isnull`.
 */
export interface Condition {
  readonly via?: Hop
  readonly field: string
  readonly lookup: Lookup
  readonly value: Scalar | readonly Scalar[]
}

/** A step across a relation, from the queried model's side. */
export interface Hop {
  readonly relation: string
  /** `forward` when the queried model declares the relation. */
  readonly side: Side
}

/** One `filter(...)` (or, negated, `exclude(...)`) call: its conditions ANDed. */
export interface Filter {
  readonly negated: boolean
  readonly conditions: readonly Condition[]
}

/** A query over one model. Filters are ANDed. */
export interface Query {
  readonly model: string
  readonly filters: readonly Filter[]
  readonly distinct: boolean
  /** Always explicit: the runner has already resolved `Meta.ordering`. */
  readonly orderBy: readonly OrderKey[]
  /** Applied after ordering and duplicates. */
  readonly offset: number
  readonly limit?: number
}

/** Where a newly inserted row is linked, for a related manager's `create()`. */
export interface Link {
  readonly relation: string
  /** Side of `ownerId`; the new row is on the other side. */
  readonly side: Side
  readonly ownerId: number
}

/** Everything an adapter is asked to do. */
export type Operation =
  /** Insert one row; answer `inserted`. With `link`, also link it (nested create). */
  | { readonly kind: 'insert'; readonly model: string; readonly values: Readonly<Record<string, Scalar>>; readonly link?: Link }
  /** Update one row by id; answer `affected` (0 when it does not exist). */
  | { readonly kind: 'update'; readonly model: string; readonly id: number; readonly values: Readonly<Record<string, Scalar>> }
  /** Answer `rows`. */
  | { readonly kind: 'select'; readonly query: Query }
  /** Answer `count`. */
  | { readonly kind: 'count'; readonly query: Query }
  /** Delete every distinct row the query matches, with their links; answer `affected` (rows of the model). */
  | { readonly kind: 'delete'; readonly query: Query }
  /** Link `id` (on `side`) with each of `targets` (distinct ids); existing links stay single. Answer `affected`. */
  | { readonly kind: 'add'; readonly relation: string; readonly side: Side; readonly id: number; readonly targets: readonly number[] }
  /** Unlink `id` from each of `targets`. Answer `affected`. */
  | { readonly kind: 'remove'; readonly relation: string; readonly side: Side; readonly id: number; readonly targets: readonly number[] }
  /** Make `targets` exactly the related set of `id`. Answer `affected`. */
  | { readonly kind: 'set'; readonly relation: string; readonly side: Side; readonly id: number; readonly targets: readonly number[] }
  /** Unlink everything from `id`. Answer `affected`. */
  | { readonly kind: 'clear'; readonly relation: string; readonly side: Side; readonly id: number }

/** What `execute` answers; which kind belongs to which operation is listed on `Operation`. */
export type Result =
  | { readonly kind: 'inserted'; readonly id: number }
  | { readonly kind: 'rows'; readonly rows: readonly Row[] }
  | { readonly kind: 'count'; readonly count: number }
  | { readonly kind: 'affected'; readonly count: number }

/** An open connection to one scratch database. */
export interface Adapter {
  /** Run one operation. Throwing, or answering the wrong kind, fails the case (`errored`). */
  execute(op: Operation): Promise<Result>
  /** SQL statements issued so far (monotonic); the runner reports the difference per case. */
  queryCount?(): number
  /** Release everything, and drop the scratch database the adapter created. */
  close?(): Promise<void>
}

/** Options the runner passes to `open`. */
export interface OpenOptions {
  /** The document's models and relations. */
  readonly schema: Schema
  /**
   * Server URL from `--db` (`postgresql://…`, `mysql://…`), or undefined for
   * the adapter's embedded default. The adapter creates its own scratch
   * database there and must never write to one it did not create.
   */
  readonly db?: string
  /** Allow `db` to name a database that already exists (`--reuse-database`). */
  readonly reuseDatabase?: boolean
}

/** What an adapter module exports (as `default`). */
export interface AdapterFactory {
  /** Shown in reports, e.g. `prisma`. */
  readonly name: string
  /**
   * The schema this adapter can store, when fixed (a generated ORM client);
   * the runner compares it with the document's before opening and stops with
   * the difference. Omit it to accept any document (like the memory adapter).
   */
  readonly schema?: Schema
  /** Connect, create a scratch database, and return the adapter. */
  open(options: OpenOptions): Promise<Adapter>
}

/** Identity function that gives an adapter module its types. */
export function defineAdapter<T extends AdapterFactory>(factory: T): T {
  return factory
}
