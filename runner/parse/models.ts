/**
 * The schema from a document's `python` block of Django model classes:
 * scalar fields, `ManyToManyField`s, `Meta.ordering` and the field that
 * `__str__` returns. Right-hand sides go through the language parser; the
 * class structure is read by indentation, line by line.
 */
import type { FieldSchema, ModelSchema, OrderKey, RelationSchema, Scalar, Schema } from '../../adapters/contract.js'
import { at, type Place } from '../errors.js'
import type { Expr } from '../language/ast.js'
import { parseExpression, SyntaxProblem } from '../language/parse.js'

/** What the runner knows about a document's models, beyond the adapter schema. */
export interface Models {
  readonly schema: Schema
  /** The field `__str__` returns, per model; absent: Django's `Model object (id)`. */
  readonly strField: Readonly<Record<string, string | undefined>>
  /** Field defaults applied by `Model(...)` (Django: `''` for strings, else `None`). */
  readonly defaults: Readonly<Record<string, Readonly<Record<string, Scalar>>>>
}

const STRING_FIELDS = new Set(['CharField', 'TextField', 'SlugField', 'EmailField', 'URLField'])
const INTEGER_FIELDS = new Set(['IntegerField', 'SmallIntegerField', 'BigIntegerField', 'PositiveIntegerField', 'PositiveSmallIntegerField'])
const BOOLEAN_FIELDS = new Set(['BooleanField'])

interface Draft {
  name: string
  fields: FieldSchema[]
  defaults: Record<string, Scalar>
  relations: { field: string; target: string; relatedName?: string; relatedQueryName?: string; place: Place }[]
  ordering: { keys: string[]; place: Place } | undefined
  strField: string | undefined
  place: Place
}

/** Parse the models block (`firstLine` is the document line of its first content line). */
export function parseModels(text: string, file: string, firstLine: number): Models {
  const lines = text.split('\n')
  const drafts: Draft[] = []
  let model: Draft | undefined
  let block: 'class' | 'meta' | 'str' | 'skip' = 'class'
  let blockIndent = 0
  let classIndent = 0
  lines.forEach((raw, index) => {
    const line = raw.replace(/\s+#.*$/, '').replace(/^\s*#.*$/, '')
    if (line.trim() === '') return
    const indent = line.search(/\S/)
    const code = line.trim()
    const place: Place = { file, line: firstLine + index, column: indent + 1 }
    if (indent === 0) {
      model = undefined
      if (/^(from\s+\S+\s+)?import\s/.test(code)) return
      const m = /^class\s+(\w+)\s*\(\s*([\w.]+)\s*\)\s*:$/.exec(code)
      if (!m) throw at('schema', `expected a model class ('class Name(models.Model):'), found '${code}'`, place)
      if (m[2] !== 'models.Model' && m[2] !== 'Model') throw at('schema', `model ${m[1]} must subclass models.Model`, place)
      model = { name: m[1]!, fields: [], defaults: {}, relations: [], ordering: undefined, strField: undefined, place }
      drafts.push(model)
      classIndent = -1
      return
    }
    if (!model) throw at('schema', 'unexpected indented line outside a model class', place)
    if (classIndent === -1) classIndent = indent
    if (indent > classIndent) {
      if (block === 'meta') return readMeta(model, code, place)
      if (block === 'str') {
        const r = /^return\s+self\.(\w+)$/.exec(code)
        if (!r) throw at('schema', "__str__ must be 'return self.<field>'", place)
        model.strField = r[1]!
        block = 'skip'
        return
      }
      if (block === 'skip' && indent > blockIndent) return
      throw at('schema', 'unexpected indentation', place)
    }
    if (indent !== classIndent) throw at('schema', 'inconsistent indentation in model class', place)
    blockIndent = indent
    if (/^class\s+Meta\s*:$/.test(code)) { block = 'meta'; return }
    if (/^def\s+__str__\s*\(\s*self\s*\)\s*:$/.test(code)) { block = 'str'; return }
    if (/^def\s/.test(code)) { block = 'skip'; return }
    block = 'class'
    readField(model, code, place)
  })
  return finish(drafts, file)
}

function readMeta(model: Draft, code: string, place: Place): void {
  const m = /^(\w+)\s*=\s*(.+)$/.exec(code)
  if (!m) throw at('schema', `cannot read Meta option '${code}'`, place)
  if (m[1] !== 'ordering') return // other Meta options do not change query results
  const value = expression(m[2]!, place, code.indexOf(m[2]!))
  if ((value.type !== 'list' && value.type !== 'tuple') || value.items.some((i) => i.type !== 'str')) {
    throw at('schema', 'Meta.ordering must be a list of field names', place)
  }
  model.ordering = { keys: value.items.map((i) => (i.type === 'str' ? i.value : '')), place }
}

function readField(model: Draft, code: string, place: Place): void {
  const m = /^(\w+)\s*=\s*(.+)$/.exec(code)
  if (!m) throw at('schema', `expected a field ('name = models.CharField(...)'), found '${code}'`, place)
  const name = m[1]!
  const value = expression(m[2]!, place, code.indexOf(m[2]!))
  if (value.type !== 'call') throw at('schema', `field ${name} must be a models.*Field(...) call`, place)
  const kind = value.callee.type === 'attribute' ? value.callee.name : value.callee.type === 'name' ? value.callee.id : ''
  const kw = new Map(value.kwargs.map((k) => [k.name, literal(k.value, place)]))
  if (name === 'id' || name === 'pk') throw at('schema', `field name '${name}' is reserved for the primary key`, place)
  if (kind === 'ManyToManyField') {
    const target = value.args[0]
    const targetName = target?.type === 'name' ? target.id : target?.type === 'str' ? target.value : undefined
    if (!targetName) throw at('schema', `ManyToManyField ${name} needs the related model as its first argument`, place)
    const relatedName = kw.get('related_name')
    const relatedQueryName = kw.get('related_query_name')
    model.relations.push({
      field: name,
      target: targetName,
      ...(typeof relatedName === 'string' ? { relatedName } : {}),
      ...(typeof relatedQueryName === 'string' ? { relatedQueryName } : {}),
      place
    })
    return
  }
  const type = STRING_FIELDS.has(kind) ? 'string' : INTEGER_FIELDS.has(kind) ? 'integer' : BOOLEAN_FIELDS.has(kind) ? 'boolean' : undefined
  if (!type) throw at('schema', `field type '${kind}' is not supported (supported: CharField, TextField, IntegerField, BooleanField, ManyToManyField, …)`, place)
  const maxLength = kw.get('max_length')
  const nullable = kw.get('null') === true
  model.fields.push({ name, type, nullable, ...(typeof maxLength === 'number' ? { maxLength } : {}) })
  model.defaults[name] = kw.has('default') ? kw.get('default')! : type === 'string' && !nullable ? '' : null
}

function finish(drafts: Draft[], file: string): Models {
  if (drafts.length === 0) throw at('schema', 'the models block defines no model', { file, line: 1, column: 1 })
  const names = new Set<string>()
  for (const d of drafts) {
    if (names.has(d.name)) throw at('schema', `model ${d.name} is defined twice`, d.place)
    names.add(d.name)
  }
  const relations: RelationSchema[] = []
  for (const d of drafts) {
    for (const r of d.relations) {
      if (!names.has(r.target)) throw at('schema', `ManyToManyField ${r.field} points at unknown model '${r.target}'`, r.place)
      const lower = d.name.toLowerCase()
      relations.push({
        name: `${d.name}.${r.field}`,
        source: d.name,
        field: r.field,
        target: r.target,
        reverseQueryName: r.relatedQueryName ?? r.relatedName ?? lower,
        reverseAccessor: r.relatedName ?? `${lower}_set`
      })
    }
  }
  const models: ModelSchema[] = drafts.map((d) => {
    const known = new Set(['id', 'pk', ...d.fields.map((f) => f.name)])
    const ordering: OrderKey[] = (d.ordering?.keys ?? []).map((key) => {
      const descending = key.startsWith('-')
      const field = descending ? key.slice(1) : key
      if (!known.has(field)) throw at('schema', `Meta.ordering of ${d.name} names '${key}', which is not a field of ${d.name}`, d.ordering!.place)
      return { field: field === 'pk' ? 'id' : field, descending }
    })
    if (d.strField !== undefined && !known.has(d.strField)) throw at('schema', `__str__ of ${d.name} returns unknown field '${d.strField}'`, d.place)
    return { name: d.name, fields: d.fields, ordering }
  })
  return {
    schema: { models, relations },
    strField: Object.fromEntries(drafts.map((d) => [d.name, d.strField])),
    defaults: Object.fromEntries(drafts.map((d) => [d.name, d.defaults]))
  }
}

function expression(text: string, place: Place, offset: number): Expr {
  try {
    return parseExpression(text)
  } catch (e) {
    if (e instanceof SyntaxProblem) throw at('schema', e.message, { ...place, column: place.column + offset + e.at })
    throw e
  }
}

function literal(e: Expr, place: Place): Scalar {
  switch (e.type) {
    case 'int': return e.value
    case 'str': return e.value
    case 'const': return e.value
    case 'name': return e.id // e.g. on_delete=CASCADE; not used
    case 'attribute': return e.name
    default: throw at('schema', 'field options must be literals', place)
  }
}
