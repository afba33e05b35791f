/**
 * Model instances (`Model(...)`, `save()`, `delete()`) and related managers
 * (`add`, `remove`, `set`, `clear`, `create`), with Django 3.2's checks and
 * messages. The data work is one contract operation each.
 */
import type { Scalar } from '../../adapters/contract.js'
import { pyRepr, pyStr } from '../present/repr.js'
import { ask, type Context } from './context.js'
import { PyException, raise, Unsupported } from './exceptions.js'
import { prepare, toInteger } from './lookups.js'
import { newQuerySet } from './querysets.js'
import { SchemaIndex } from './schema-index.js'
import type { Instance, PyValue, QuerySet, RelatedManager } from './values.js'

/** `Model(*args, **kwargs)`: an unsaved instance. */
export function construct(ctx: Context, model: string, args: readonly PyValue[], kwargs: readonly (readonly [string, PyValue])[]): Instance {
  const values: Record<string, Scalar> = { ...ctx.index.models.defaults[model] }
  const instance: Instance = { kind: 'instance', model, id: null, values, db: null, extra: new Map() }
  const positional = ctx.index.concreteFields(model)
  if (args.length > positional.length) throw raise.index('Number of args exceeds number of fields')
  const assign = (name: string, v: PyValue): void => {
    if (name === 'id' || name === 'pk') {
      instance.id = v === null ? null : toInteger(v, 'id', ctx.display)
      return
    }
    const rel = ctx.index.relationByAttribute(model, name)
    if (rel) throw raise.type(directAssignment(rel.side, name))
    if (!ctx.index.field(model, name)) throw raise.type(`${model}() got an unexpected keyword argument '${name}'`)
    values[name] = scalar(v, name)
  }
  args.forEach((v, i) => assign(positional[i]!, v))
  for (const [name, v] of kwargs) assign(name, v)
  return instance
}

export function directAssignment(side: 'forward' | 'reverse', name: string): string {
  return `Direct assignment to the ${side} side of a many-to-many set is prohibited. Use ${name}.set() instead.`
}

/** Values an instance can hold; anything else is beyond the kit. */
export function scalar(v: PyValue, field: string): Scalar {
  if (v === null || typeof v !== 'object') return v
  throw new Unsupported(`storing a ${v.kind} in field '${field}'`)
}

function dbValues(ctx: Context, instance: Instance): Record<string, Scalar> {
  const out: Record<string, Scalar> = {}
  for (const f of ctx.index.model(instance.model).fields) out[f.name] = prepare(ctx.index, ctx.display, instance.model, f.name, instance.values[f.name] ?? null)
  return out
}

export async function save(ctx: Context, instance: Instance): Promise<null> {
  const values = dbValues(ctx, instance)
  if (instance.id !== null) {
    const { count } = await ask(ctx, { kind: 'update', model: instance.model, id: instance.id, values }, 'affected')
    if (count === 0) await ask(ctx, { kind: 'insert', model: instance.model, values: { ...values, id: instance.id } }, 'inserted')
  } else {
    instance.id = (await ask(ctx, { kind: 'insert', model: instance.model, values }, 'inserted')).id
  }
  for (const f of ctx.index.model(instance.model).fields) instance.values[f.name] = values[f.name] ?? null
  instance.db = 'default'
  return null
}

/** `instance.delete()`: deletes the row and its links, then forgets the id (as Django does). */
export async function deleteInstance(ctx: Context, instance: Instance): Promise<null> {
  if (instance.id === null) {
    throw raise.assertion(`${instance.model} object can't be deleted because its id attribute is set to None.`)
  }
  const filters = [{ negated: false, conditions: [{ field: 'id', lookup: 'exact' as const, value: instance.id }] }]
  await ask(ctx, { kind: 'delete', query: { model: instance.model, filters, distinct: false, orderBy: [], offset: 0 } }, 'affected')
  instance.id = null
  return null
}

export async function refresh(ctx: Context, instance: Instance): Promise<null> {
  if (instance.id === null) throw new Unsupported('refresh_from_db() of an unsaved instance')
  const filters = [{ negated: false, conditions: [{ field: 'id', lookup: 'exact' as const, value: instance.id }] }]
  const { rows } = await ask(ctx, { kind: 'select', query: { model: instance.model, filters, distinct: false, orderBy: [], offset: 0, limit: 1 } }, 'rows')
  const row = rows[0]
  if (!row) throw new PyException(`${instance.model}.DoesNotExist`, `${instance.model} matching query does not exist.`)
  for (const f of ctx.index.model(instance.model).fields) instance.values[f.name] = row[f.name] ?? null
  return null
}

/** `book.authors` / `author.book_set`: refuses an unsaved owner, as Django 3.2 does. */
export function relatedManager(ctx: Context, owner: Instance, attribute: string): RelatedManager | undefined {
  const end = ctx.index.relationByAttribute(owner.model, attribute)
  if (!end) return undefined
  if (owner.id === null) {
    throw raise.value(`"${pyRepr(owner, ctx.display)}" needs to have a value for field "id" before this many-to-many relationship can be used.`)
  }
  return { kind: 'related-manager', relation: end.relation, side: end.side, ownerId: owner.id, model: end.other }
}

/** The queryset behind a related manager: the related rows, filtered by the owner. */
export function relatedQuerySet(m: RelatedManager): QuerySet {
  const hop = SchemaIndex.hop({ relation: m.relation, side: m.side === 'forward' ? 'reverse' : 'forward', other: '' })
  return newQuerySet(m.model, [{ negated: false, conditions: [{ via: hop, field: 'id', lookup: 'exact', value: m.ownerId }] }], true)
}

/** Django's `_get_target_ids`: instances of the related model or primary keys. */
function targetIds(ctx: Context, m: RelatedManager, objs: readonly PyValue[]): number[] {
  const fieldName = m.model.toLowerCase()
  return objs.map((obj) => {
    if (obj !== null && typeof obj === 'object' && obj.kind === 'instance') {
      if (obj.model !== m.model) throw raise.type(`'${m.model}' instance expected, got ${pyRepr(obj, ctx.display)}`)
      if (obj.db === null) throw raise.value(`Cannot add "${pyRepr(obj, ctx.display)}": instance is on database "default", value is on database "None"`)
      if (obj.id === null) throw raise.value(`Cannot add "${pyRepr(obj, ctx.display)}": the value for field "${fieldName}" is None`)
      return obj.id
    }
    return toInteger(obj, 'id', ctx.display)
  })
}

/** Ids for `remove()`: Django filters the links by them, so a wrong model is a query error. */
function removalIds(ctx: Context, m: RelatedManager, objs: readonly PyValue[]): number[] {
  return objs.flatMap((obj) => {
    if (obj !== null && typeof obj === 'object' && obj.kind === 'instance') {
      if (obj.model !== m.model) throw raise.value(`Cannot query "${pyStr(obj, ctx.display)}": Must be "${m.model}" instance.`)
      return obj.id === null ? [] : [obj.id]
    }
    return [toInteger(obj, 'id', ctx.display)]
  })
}

const base = (m: RelatedManager) => ({ relation: m.relation.name, side: m.side, id: m.ownerId })

export async function add(ctx: Context, m: RelatedManager, objs: readonly PyValue[]): Promise<null> {
  const targets = targetIds(ctx, m, objs)
  if (targets.length) await ask(ctx, { kind: 'add', ...base(m), targets: unique(targets) }, 'affected')
  return null
}

export async function remove(ctx: Context, m: RelatedManager, objs: readonly PyValue[]): Promise<null> {
  const targets = removalIds(ctx, m, objs)
  if (targets.length) await ask(ctx, { kind: 'remove', ...base(m), targets: unique(targets) }, 'affected')
  return null
}

export async function clear(ctx: Context, m: RelatedManager): Promise<null> {
  await ask(ctx, { kind: 'clear', ...base(m) }, 'affected')
  return null
}

export async function set(ctx: Context, m: RelatedManager, objs: readonly PyValue[], clearFirst: boolean): Promise<null> {
  const targets = unique(targetIds(ctx, m, objs))
  if (clearFirst) {
    await clear(ctx, m)
    if (targets.length) await ask(ctx, { kind: 'add', ...base(m), targets }, 'affected')
    return null
  }
  await ask(ctx, { kind: 'set', ...base(m), targets }, 'affected')
  return null
}

/** `manager.create(**kwargs)`: one insert, linked to the owner (Prisma's nested create). */
export async function createRelated(ctx: Context, m: RelatedManager, kwargs: readonly (readonly [string, PyValue])[]): Promise<Instance> {
  const instance = construct(ctx, m.model, [], kwargs)
  const values = dbValues(ctx, instance)
  const link = { relation: m.relation.name, side: m.side, ownerId: m.ownerId }
  instance.id = (await ask(ctx, { kind: 'insert', model: m.model, values, link }, 'inserted')).id
  Object.assign(instance.values, values)
  instance.db = 'default'
  return instance
}

function unique(ids: readonly number[]): number[] {
  return [...new Set(ids)]
}
