/**
 * Name resolution over a document's models: which names are fields, which
 * are relations (from either side), and Django's "Choices are: …" lists.
 */
import type { FieldSchema, Hop, ModelSchema, RelationSchema, Side } from '../../adapters/contract.js'
import type { Models } from '../parse/models.js'
import type { FieldSpec } from './fields.js'

/** A relation seen from one model: where it leads. */
export interface RelationEnd {
  readonly relation: RelationSchema
  /** Side of the model we start from. */
  readonly side: Side
  /** The model on the other end. */
  readonly other: string
}

export class SchemaIndex {
  readonly models: Models
  private readonly byName = new Map<string, ModelSchema>()

  constructor(models: Models) {
    this.models = models
    for (const m of models.schema.models) this.byName.set(m.name, m)
  }

  model(name: string): ModelSchema {
    const m = this.byName.get(name)
    if (!m) throw new Error(`unknown model ${name}`)
    return m
  }

  has(name: string): boolean {
    return this.byName.has(name)
  }

  field(model: string, name: string): FieldSchema | undefined {
    return this.model(model).fields.find((f) => f.name === name)
  }

  /** The primary key's field name: `id`, or the model's own (`code`). */
  pkName(model: string): string {
    return this.model(model).primaryKey?.name ?? 'id'
  }

  /** `pk` and the key field's name stand for the contract's `id`; undefined for any other name. */
  keyAlias(model: string, name: string): 'id' | undefined {
    return name === 'pk' || name === this.pkName(model) ? 'id' : undefined
  }

  /** A scalar field or the key (`id`), for value conversion. */
  spec(model: string, name: string): FieldSpec | undefined {
    if (name === 'id') {
      const pk = this.model(model).primaryKey
      return { name: pk?.name ?? 'id', type: pk?.type ?? 'integer' }
    }
    return this.field(model, name)
  }

  /** The relation reached by a lookup keyword (`authors`, `book`). */
  relationByQueryName(model: string, name: string): RelationEnd | undefined {
    for (const r of this.models.schema.relations) {
      if (r.source === model && r.field === name) return { relation: r, side: 'forward', other: r.target }
      if (r.target === model && r.reverseQueryName === name) return { relation: r, side: 'reverse', other: r.source }
    }
    return undefined
  }

  /** The relation behind an instance attribute (`authors`, `book_set`). */
  relationByAttribute(model: string, name: string): RelationEnd | undefined {
    for (const r of this.models.schema.relations) {
      if (r.source === model && r.field === name) return { relation: r, side: 'forward', other: r.target }
      if (r.target === model && r.reverseAccessor === name) return { relation: r, side: 'reverse', other: r.source }
    }
    return undefined
  }

  /** Django's sorted list of names a lookup may start with (hidden reverse names left out), the query's selected annotations among them. */
  choices(model: string, annotations: readonly string[] = []): string {
    const names = [this.pkName(model), ...this.model(model).fields.map((f) => f.name), ...annotations]
    for (const r of this.models.schema.relations) {
      if (r.source === model) names.push(r.field)
      if (r.target === model && !r.reverseQueryName.endsWith('+')) names.push(r.reverseQueryName)
    }
    return [...new Set(names)].sort().join(', ')
  }

  /** Scalar field names in declaration order, the key first (Django's `values()`). */
  concreteFields(model: string): string[] {
    return [this.pkName(model), ...this.model(model).fields.map((f) => f.name)]
  }

  /** The hop that queries `model` through `end`. */
  static hop(end: RelationEnd): Hop {
    return { relation: end.relation.name, side: end.side }
  }
}
