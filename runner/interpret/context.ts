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

/** Run `op` and insist on the result kind the contract names for it. */
export async function ask<K extends Result['kind']>(ctx: Context, op: Operation, kind: K): Promise<Extract<Result, { kind: K }>> {
  const result = await ctx.db(op)
  if (result === null || typeof result !== 'object' || result.kind !== kind) {
    throw new AdapterFault(`adapter answered ${describe(result)} to '${op.kind}' (expected '${kind}')`)
  }
  return result as Extract<Result, { kind: K }>
}

function describe(r: unknown): string {
  if (r === null || typeof r !== 'object') return String(r)
  const kind = (r as { kind?: unknown }).kind
  return typeof kind === 'string' ? `'${kind}'` : 'an object without a kind'
}
