/**
 * Model instances (`Model(...)`, `save()`, `delete()`) and related managers
 * (`add`, `remove`, `set`, `clear`, `create`), with Django 3.2's checks and
 * messages. The data work is one contract operation each; a symmetrical
 * relation gets its mirror operation too (contract rule 8).
 */
import type { Filter, Hop, Key, Operation, Query, Scalar, Side } from '../../adapters/contract.js'
import { isPyScalarObject } from '../present/pytypes.js'
import { pyRepr, pyStr } from '../present/repr.js'
import { ask, type Context } from './context.js'
import { PyException, raise, Unsupported } from './exceptions.js'
import { fromScalar, toScalar } from './fields.js'
import { prepare } from './lookups.js'
import { newQuerySet, update } from './querysets.js'
import { type FieldValue, type Instance, isObject, type PyValue, type QuerySet, type RelatedManager } from './values.js'

/** `Model(*args, **kwargs)`: an unsaved instance with Django's defaults. */
export function construct(
  ctx: Context,
  model: string,
  args: readonly PyValue[],
  kwargs: readonly (readonly [string, PyValue])[]
): Instance {
  const values: Record<string, FieldValue> = Object.create(null) as Record<string, FieldValue>
  // Every model of the document has its map of defaults, empty when it declares none.
  const defaults = ctx.defaults.get(model)!
  for (const f of ctx.index.model(model).fields) {
    // Django's implicit default: '' where empty strings are allowed (text, not null), else None.
    values[f.name] = defaults.has(f.name) ? defaults.get(f.name)! : f.type === 'string' && !f.nullable ? '' : null
  }
  const pk = ctx.index.model(model).primaryKey
  const instance: Instance = {
    kind: 'instance',
    model,
    id: pk && !pk.auto && pk.type === 'string' ? '' : null,
    values,
    db: null,
    extra: new Map()
  }
  const positional = ctx.index.concreteFields(model)
  if (args.length > positional.length) throw raise.index('Number of args exceeds number of fields')
  const seen = new Set<string>()
  const assign = (name: string, v: PyValue): void => {
    if (ctx.index.keyAlias(model, name)) {
      // Django keeps the value given (Shelf(id='7').pk is '7'); the kit converts only what a key cannot hold.
      instance.id = typeof v === 'number' || typeof v === 'string' ? v : keyValue(ctx, model, v)
      return
    }
    const rel = ctx.index.relationByAttribute(model, name)
    if (rel) throw raise.type(directAssignment(rel.side, name))
    if (!ctx.index.field(model, name)) throw raise.type(`${model}() got an unexpected keyword argument '${name}'`)
    values[name] = fieldValue(v, name)
  }
  args.forEach((v, i) => {
    seen.add(positional[i]!)
    assign(positional[i]!, v)
  })
  // Django 3.2 drops a keyword that repeats a positional field (the positional
  // value wins); `pk=` is not a field name, so it is set and wins.
  for (const [name, v] of kwargs) if (!seen.has(name)) assign(name, v)
  return instance
}

/** A primary key value as the database takes it: what the key field prepares. */
export function keyValue(ctx: Context, model: string, v: PyValue): Key | null {
  // Stryker disable next-line ConditionalExpression: toScalar() of None is None too
  if (v === null) return null
  // A primary key is an integer or a text field (the schema refuses others), which prepare a value to a number or a string.
  return toScalar(ctx.index.spec(model, 'id')!, v, ctx.display) as Key
}

export function directAssignment(side: 'forward' | 'reverse', name: string): string {
  return `Direct assignment to the ${side} side of a many-to-many set is prohibited. Use ${name}.set() instead.`
}

/** Values an instance can hold in a field; anything else is beyond the kit. */
export function fieldValue(v: PyValue, field: string): FieldValue {
  // Stryker disable next-line ConditionalExpression,StringLiteral: a refusal: Django keeps any value until it saves it, so no passing document stores a container
  if (v === null || typeof v !== 'object' || isPyScalarObject(v)) return v
  // Stryker disable next-line StringLiteral: see above
  throw new Unsupported(`storing a ${v.kind} in field '${field}'`)
}

function dbValues(ctx: Context, instance: Instance): Record<string, Scalar> {
  const out: Record<string, Scalar> = {}
  for (const f of ctx.index.model(instance.model).fields)
    out[f.name] = prepare(ctx.index, ctx.display, instance.model, f.name, instance.values[f.name] ?? null, true)
  return out
}

export async function save(ctx: Context, instance: Instance): Promise<null> {
  const values = dbValues(ctx, instance)
  // Stryker disable next-line ConditionalExpression: keyValue() of None is None too
  const key = instance.id === null ? null : keyValue(ctx, instance.model, instance.id)
  if (instance.pending?.size) {
    // Stryker disable next-line ConditionalExpression,StringLiteral: a refusal (Django's answer is the database's own error), so no passing document saves an unsaved instance with F() values
    if (key === null) throw new Unsupported('an F() expression in a field of an unsaved instance')
    for (const field of instance.pending.keys()) delete values[field]
    await ask(ctx, { kind: 'update', model: instance.model, id: key, values }, 'affected')
    // Stryker disable next-line ArrayDeclaration,ObjectLiteral,BooleanLiteral,StringLiteral: update() with F() values runs the steps below and never reads these filters
    const q = newQuerySet(instance.model, [{ negated: false, conditions: [{ field: 'id', lookup: 'exact', value: key }] }])
    const pinned = {
      ...q,
      steps: [
        {
          kind: 'filter' as const,
          node: { kind: 'path' as const, path: [], condition: { field: 'id', lookup: 'exact' as const, value: key } },
          negated: false,
          // Stryker disable next-line BooleanLiteral: a first step starts from no joins either way
          sticky: false
        }
      ]
    }
    await update(ctx, pinned, [...instance.pending])
    return null
  }
  if (key !== null) {
    const { count } = await ask(ctx, { kind: 'update', model: instance.model, id: key, values }, 'affected')
    // An insert reads back an automatic key (so '7' becomes 7); an update keeps the value given.
    if (count === 0) {
      const { id } = await ask(ctx, { kind: 'insert', model: instance.model, values: { ...values, id: key } }, 'inserted')
      inserted(ctx, instance, id)
    }
  } else {
    instance.id = (await ask(ctx, { kind: 'insert', model: instance.model, values }, 'inserted')).id
  }
  // Stryker disable next-line StringLiteral: only whether db is None is ever read
  instance.db = 'default'
  return null
}

const rowsOf = (model: string, filters: Filter[]): Query => ({
  model,
  filters,
  distinct: false,
  // Stryker disable next-line ArrayDeclaration: counts, deletes and a select of one key do not depend on an order
  orderBy: [],
  offset: 0
})
const byKey = (model: string, ids: readonly Key[]): Query =>
  rowsOf(model, [{ negated: false, conditions: [{ field: 'id', lookup: 'in', value: [...ids] }] }])

/**
 * Django's `delete()` result: `(total, {label: count})`, through tables first
 * (in the order Django made their models), then the model; zero counts left
 * out. `counted: false` skips the link counts (a bare `x.delete()` the
 * document shows no output for), and only the model's rows are reported.
 */
export async function deleteRows(ctx: Context, model: string, ids: readonly Key[], counted: boolean): Promise<PyValue> {
  const counts: [string, number][] = []
  // Stryker disable next-line ConditionalExpression,LogicalOperator: fast path; no ids have no links, and `counted` is false only for a bare delete() statement, whose result is not shown
  if (counted && ids.length) {
    for (const r of throughOrder(ctx)) {
      const count = async (of: string, filters: Filter[]) => (await ask(ctx, { kind: 'count', query: rowsOf(of, filters) }, 'count')).count
      const hop = (side: Side) => ({ relation: r.name, side })
      const inIds = { field: 'id', lookup: 'in' as const, value: [...ids] }
      // Links whose source is deleted: the targets joined back once per link, and the same for targets.
      let links = 0
      if (r.source === model) links += await count(r.target, [{ negated: false, conditions: [{ ...inIds, via: hop('reverse') }] }])
      if (r.target === model) links += await count(r.source, [{ negated: false, conditions: [{ ...inIds, via: hop('forward') }] }])
      if (r.source === model && r.target === model)
        links -= await count(r.target, [{ negated: false, conditions: [inIds, { ...inIds, via: hop('reverse') }] }])
      if (links) counts.push([`${ctx.appLabel}.${r.source}_${r.field}`, links])
    }
  }
  const deleted = ids.length ? (await ask(ctx, { kind: 'delete', query: byKey(model, ids) }, 'affected')).count : 0
  if (deleted) counts.push([`${ctx.appLabel}.${model}`, deleted])
  return { kind: 'tuple', items: [counts.reduce((n, [, c]) => n + c, 0), { kind: 'dict', entries: counts }] }
}

/**
 * Relations in the order Django creates their through models: as their fields
 * are declared (`contribute_to_class` builds the through model at once, even
 * when the other model is a string naming a later class).
 */
function throughOrder(ctx: Context) {
  return ctx.index.models.schema.relations
}

/** `instance.delete()`: deletes the row and its links, then forgets the key (as Django does). */
export async function deleteInstance(ctx: Context, instance: Instance, counted: boolean): Promise<PyValue> {
  if (instance.id === null) {
    throw raise.assertion(
      `${instance.model} object can't be deleted because its ${ctx.index.pkName(instance.model)} attribute is set to None.`
    )
  }
  const result = await deleteRows(ctx, instance.model, [keyValue(ctx, instance.model, instance.id)!], counted)
  instance.id = null
  return result
}

export async function refresh(ctx: Context, instance: Instance): Promise<null> {
  const key = keyValue(ctx, instance.model, instance.id)
  const select = async (id: Key) =>
    (await ask(ctx, { kind: 'select', query: { ...byKey(instance.model, [id]), limit: 1 } }, 'rows')).rows[0]
  // Django filters on pk=None, which matches nothing: the same DoesNotExist as a deleted row.
  // Stryker disable next-line ConditionalExpression: fast path; selecting by a None key finds no row either
  const row = key === null ? undefined : await select(key)
  if (!row) throw new PyException(`${instance.model}.DoesNotExist`, `${instance.model} matching query does not exist.`)
  // Django reads every field back, the key too ('7' becomes 7).
  instance.id = key
  const fresh = rowValues(ctx, instance.model, row)
  for (const f of ctx.index.model(instance.model).fields) instance.values[f.name] = fresh[f.name] ?? null
  instance.pending?.clear()
  return null
}
/** `book.authors` / `author.book_set`: refuses an unsaved owner, as Django 3.2 does. */
export function relatedManager(ctx: Context, owner: Instance, attribute: string): RelatedManager | undefined {
  const end = ctx.index.relationByAttribute(owner.model, attribute)
  if (!end) return undefined
  if (owner.id === null) {
    throw raise.value(
      `"${pyRepr(owner, ctx.display)}" needs to have a value for field "${ctx.index.pkName(owner.model)}" before this many-to-many relationship can be used.`
    )
  }
  return {
    kind: 'related-manager',
    relation: end.relation,
    side: end.side,
    ownerId: keyValue(ctx, owner.model, owner.id)!,
    model: end.other,
    owner,
    attribute
  }
}

/** A change through the manager drops the owner's prefetched set (Django's `_remove_prefetched_objects`). */
function forgetPrefetched(m: RelatedManager): void {
  // Every manager comes from relatedManager(), which sets owner and attribute.
  m.owner!.prefetched?.delete(m.attribute!)
}

/** The queryset behind a related manager: the related rows, filtered by the owner. */
export function relatedQuerySet(m: RelatedManager): QuerySet {
  const hop: Hop = { relation: m.relation.name, side: m.side === 'forward' ? 'reverse' : 'forward' }
  const q = newQuerySet(m.model, [{ negated: false, conditions: [{ via: hop, field: 'id', lookup: 'exact', value: m.ownerId }] }], true)
  const steps = [
    {
      kind: 'filter' as const,
      node: { kind: 'path' as const, path: [hop], condition: { field: 'id', lookup: 'exact' as const, value: m.ownerId } },
      negated: false,
      // Stryker disable next-line BooleanLiteral: a first step starts from no joins either way
      sticky: false
    }
  ]
  // A prefetched set is the queryset's result cache: reading it asks nothing.
  const prefetched = m.owner!.prefetched?.get(m.attribute!)
  return { ...q, steps, cache: prefetched ? [...prefetched] : null }
}

/** Django's `_get_target_ids`: instances of the related model or primary keys. */
function targetIds(ctx: Context, m: RelatedManager, objs: readonly PyValue[]): Key[] {
  const fieldName = m.model.toLowerCase()
  return objs.map((obj) => {
    if (isObject(obj) && obj.kind === 'instance') {
      if (obj.model !== m.model) throw raise.type(`'${m.model}' instance expected, got ${pyRepr(obj, ctx.display)}`)
      // Django's router allows a relation between instances of one database (None for unsaved ones).
      if (obj.db !== m.owner!.db) throw raise.value(wrongDatabase(ctx, obj, m.owner!))
      if (obj.id === null) throw raise.value(`Cannot add "${pyRepr(obj, ctx.display)}": the value for field "${fieldName}" is None`)
      return keyOf(ctx, m.model, obj.id)
    }
    return keyOf(ctx, m.model, obj)
  })
}

function wrongDatabase(ctx: Context, obj: Instance, owner: Instance): string {
  return `Cannot add "${pyRepr(obj, ctx.display)}": instance is on database "${owner.db ?? 'None'}", value is on database "${obj.db ?? 'None'}"`
}

/** Django's insert reads back an automatic key only; any other key keeps the value given. */
function inserted(ctx: Context, instance: Instance, id: Key): void {
  if (ctx.index.model(instance.model).primaryKey?.auto !== false) instance.id = id
}

function keyOf(ctx: Context, model: string, v: PyValue): Key {
  const key = keyValue(ctx, model, v)
  // Django links None as it is: SQLite ignores the link (INSERT OR IGNORE), PostgreSQL refuses it (an IntegrityError).
  // Stryker disable next-line ConditionalExpression,StringLiteral: a refusal of what each database answers its own way, so no passing document adds None
  if (key === null) throw new Unsupported('None as the key of a link to add (each database answers its own way)')
  return key
}

/** Ids for `remove()`: Django filters the links by them, so a wrong model is a query error. */
function removalIds(ctx: Context, m: RelatedManager, objs: readonly PyValue[]): Key[] {
  return objs.flatMap((obj) => {
    if (isObject(obj) && obj.kind === 'instance') {
      if (obj.model !== m.model) throw raise.value(`Cannot query "${pyStr(obj, ctx.display)}": Must be "${m.model}" instance.`)
      // Stryker disable next-line ArrayDeclaration: a key no link has (the mutant's text) removes nothing, as no key does
      return obj.id === null ? [] : [keyOf(ctx, m.model, obj.id)]
    }
    // Django's `__in` lookup drops a None: removing it removes nothing.
    const key = keyValue(ctx, m.model, obj)
    // Stryker disable next-line ConditionalExpression,ArrayDeclaration: a None key (or the mutant's text) is on no link, so removing it removes nothing
    return key === null ? [] : [key]
  })
}

type LinkOp = Extract<Operation, { kind: 'add' | 'remove' | 'set' | 'clear' }>
type LinkChange = { readonly kind: 'add' | 'remove' | 'set'; readonly targets: readonly Key[] } | { readonly kind: 'clear' }

/**
 * Where a symmetrical relation's mirror link goes: it has no reverse accessor, so its manager is always on the
 * forward side and the mirror on the reverse one (one constant for links() and createRelated()).
 */
const MIRROR: Side = 'reverse'

/** Run a link operation, and on a symmetrical relation its mirror from the other column (rule 8). */
async function links(ctx: Context, m: RelatedManager, op: LinkChange): Promise<void> {
  const base = { relation: m.relation.name, side: m.side, id: m.ownerId }
  await ask(ctx, { ...op, ...base } as LinkOp, 'affected')
  if (m.relation.symmetrical) await ask(ctx, { ...op, ...base, side: MIRROR } as LinkOp, 'affected')
}

export async function add(ctx: Context, m: RelatedManager, objs: readonly PyValue[]): Promise<null> {
  forgetPrefetched(m)
  const targets = targetIds(ctx, m, objs)
  // Stryker disable next-line ConditionalExpression: fast path; adding no targets adds nothing
  if (targets.length) await links(ctx, m, { kind: 'add', targets: unique(targets) })
  return null
}

export async function remove(ctx: Context, m: RelatedManager, objs: readonly PyValue[]): Promise<null> {
  forgetPrefetched(m)
  const targets = removalIds(ctx, m, objs)
  // Stryker disable next-line ConditionalExpression: fast path; removing no targets removes nothing
  if (targets.length) await links(ctx, m, { kind: 'remove', targets: unique(targets) })
  return null
}

export async function clear(ctx: Context, m: RelatedManager): Promise<null> {
  forgetPrefetched(m)
  await links(ctx, m, { kind: 'clear' })
  return null
}

export async function set(ctx: Context, m: RelatedManager, objs: readonly PyValue[], clearFirst: boolean): Promise<null> {
  forgetPrefetched(m)
  const targets = unique(targetIds(ctx, m, objs))
  // Stryker disable next-line ConditionalExpression,BlockStatement: clearing then adding leaves the same links as a set (Django differs only in the signals it sends)
  if (clearFirst) {
    await clear(ctx, m)
    // Stryker disable next-line ConditionalExpression: fast path; adding no targets adds nothing
    if (targets.length) await links(ctx, m, { kind: 'add', targets })
    return null
  }
  await links(ctx, m, { kind: 'set', targets })
  return null
}

/** `manager.create(**kwargs)`: one insert, linked to the owner (Prisma's nested create). */
export async function createRelated(ctx: Context, m: RelatedManager, kwargs: readonly (readonly [string, PyValue])[]): Promise<Instance> {
  const instance = construct(ctx, m.model, [], kwargs)
  const values = dbValues(ctx, instance)
  const link = { relation: m.relation.name, side: m.side, ownerId: m.ownerId }
  const key = keyValue(ctx, m.model, instance.id)
  const withKey = key === null ? values : { ...values, id: key }
  // Django creates the row on the default database, then add() refuses an unsaved owner's link.
  const unsaved = m.owner!.db === null
  const { id } = await ask(ctx, { kind: 'insert', model: m.model, values: withKey, ...(unsaved ? {} : { link }) }, 'inserted')
  inserted(ctx, instance, id)
  // Stryker disable next-line StringLiteral: only whether db is None is ever read
  instance.db = 'default'
  if (unsaved) throw raise.value(wrongDatabase(ctx, instance, m.owner!))
  if (m.relation.symmetrical) {
    await ask(ctx, { kind: 'add', relation: m.relation.name, side: MIRROR, id: m.ownerId, targets: [id] }, 'affected')
  }
  return instance
}

/** A row's values as Django reads them into an instance. */
export function rowValues(ctx: Context, model: string, row: Readonly<Record<string, Scalar>>): Record<string, FieldValue> {
  const values: Record<string, FieldValue> = Object.create(null) as Record<string, FieldValue>
  for (const f of ctx.index.model(model).fields) values[f.name] = fromScalar(f, Object.hasOwn(row, f.name) ? row[f.name]! : null, model)
  return values
}

function unique(ids: readonly Key[]): Key[] {
  return [...new Set(ids)]
}
