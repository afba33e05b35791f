/**
 * What the evaluation functions share: the schema, display rules, and the
 * guarded adapter (`db`) that the runner hands in.
 */
import type { Feature, Operation, Result } from '../../adapters/contract.js'
import type { Displays } from '../present/repr.js'
import { AdapterFault } from './exceptions.js'
import type { SchemaIndex } from './schema-index.js'
import type { FieldValue } from './values.js'

export interface Context {
  readonly index: SchemaIndex
  readonly display: Displays
  /** Run one operation on the adapter (time-limited and shape-checked by the runner). */
  readonly db: (op: Operation) => Promise<Result>
  /** What the adapter declares beyond the first contract. */
  readonly features: ReadonlySet<Feature>
  /** Each field's `default=` value, evaluated once (model -> field -> value). */
  readonly defaults: ReadonlyMap<string, ReadonlyMap<string, FieldValue>>
  /** The app label Django would print in `delete()` results (`doc.Person`). */
  readonly appLabel: string
}

/**
 * Run `op` and insist on the answer the contract names for it: the right
 * kind, and values of the right kind (a count is a non-negative integer, a
 * row has its key, no more rows than the limit). A wrong answer is the
 * adapter's fault, named as such, never a Python error blamed on the document.
 */
export async function ask<K extends Result['kind']>(ctx: Context, op: Operation, kind: K): Promise<Extract<Result, { kind: K }>> {
  const result: unknown = await ctx.db(op)
  if (result === null || typeof result !== 'object' || (result as { kind?: unknown }).kind !== kind) {
    throw new AdapterFault(`adapter answered ${describe(result)} to '${op.kind}' (expected '${kind}')`)
  }
  const problem = invalid(ctx, op, result as Result)
  if (problem) throw new AdapterFault(`adapter answered '${op.kind}' with ${problem}`)
  return result as Extract<Result, { kind: K }>
}

const count = (n: unknown) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0

function keyProblem(ctx: Context, model: string, id: unknown): string | undefined {
  const type = ctx.index.model(model).primaryKey?.type ?? 'integer'
  if (type === 'string') return typeof id === 'string' ? undefined : `a ${model} key ${show(id)} (expected a string)`
  return typeof id === 'number' && Number.isSafeInteger(id) && id > 0
    ? undefined
    : `a ${model} id ${show(id)} (expected a positive integer)`
}

function invalid(ctx: Context, op: Operation, r: Result): string | undefined {
  switch (r.kind) {
    case 'count':
    case 'affected':
      if (!count(r.count)) return `count ${show(r.count)} (expected a non-negative integer)`
      if (op.kind === 'update' && r.count > 1) return `count ${r.count} for one row's update`
      return undefined
    case 'inserted': {
      if (op.kind !== 'insert') return undefined
      const wanted = op.values['id']
      if (wanted !== undefined && wanted !== null && r.id !== wanted) return `id ${show(r.id)} for a row inserted with id ${show(wanted)}`
      return keyProblem(ctx, op.model, r.id)
    }
    case 'rows': {
      if (op.kind !== 'select') return undefined
      if (!Array.isArray(r.rows)) return `rows that are not an array (${show(r.rows)})`
      const limit = op.query.limit
      if (limit !== undefined && r.rows.length > limit) return `${r.rows.length} rows for a limit of ${limit}`
      for (const row of r.rows as unknown[]) {
        if (row === null || typeof row !== 'object' || Array.isArray(row)) return `a row that is not an object (${show(row)})`
        if (!Object.hasOwn(row, 'id')) return 'a row without its id'
        const problem = keyProblem(ctx, op.query.model, (row as { id: unknown }).id)
        if (problem) return problem
        for (const [field, value] of Object.entries(row)) {
          if (value !== null && typeof value === 'object') return `an object as the value of ${op.query.model}.${field}`
        }
      }
      return undefined
    }
  }
}

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v)
  return Array.isArray(v) ? 'an array' : typeof v
}

function describe(r: unknown): string {
  if (r === null || typeof r !== 'object') return String(r)
  const kind = (r as { kind?: unknown }).kind
  return typeof kind === 'string' ? `'${kind}'` : 'an object without a kind'
}
