/**
 * The schema from a document's `python` block of Django model classes:
 * scalar fields, primary keys, `ManyToManyField`s, `Meta` options and the
 * expression `__str__` returns. Right-hand sides go through the language
 * parser; the class structure is read by indentation, statement by statement
 * (a statement continues while brackets are open, as in Python).
 *
 * What Django refuses (its system checks) is refused here with Django's check
 * id; what Django accepts but the kit does not implement (`ForeignKey`,
 * `through=`, inheritance) is "not supported by the kit". Both are one
 * `file:line:column` error.
 */
import type { FieldSchema, FieldType, ModelSchema, OrderKey, PrimaryKeySchema, RelationSchema, Schema } from '../../adapters/contract.js'
import { at, type Place } from '../errors.js'
import type { Expr } from '../language/ast.js'
import { parseExpression, SyntaxProblem, UnsupportedSyntax } from '../language/parse.js'

/** What the runner knows about a document's models, beyond the adapter schema. */
export interface Models {
  readonly schema: Schema
  /** What `__str__` returns, per model (over `self`); absent: Django's `Model object (pk)`. */
  readonly str: ReadonlyMap<string, Expr>
  /** `default=` expressions per model and field; fields without one take Django's implicit default. */
  readonly defaults: ReadonlyMap<string, ReadonlyMap<string, Expr>>
  /** Where each model (`Person`) and field (`Person.friends`) is defined. */
  readonly places: ReadonlyMap<string, Place>
  /** Django's class of each field (`Person.name` -> `CharField`), for its messages. */
  readonly classes: ReadonlyMap<string, string>
}

const TYPES: ReadonlyMap<string, FieldType> = new Map([
  ...['CharField', 'TextField', 'SlugField', 'EmailField', 'URLField'].map((k) => [k, 'string'] as const),
  ...[
    'IntegerField',
    'SmallIntegerField',
    'BigIntegerField',
    'PositiveIntegerField',
    'PositiveSmallIntegerField',
    'PositiveBigIntegerField'
  ].map((k) => [k, 'integer'] as const),
  ['BooleanField', 'boolean'],
  ['NullBooleanField', 'boolean'],
  ['FloatField', 'float'],
  ['DecimalField', 'decimal'],
  ['DateField', 'date'],
  ['DateTimeField', 'datetime'],
  ['TimeField', 'time']
])
const AUTO_FIELDS = new Set(['AutoField', 'BigAutoField', 'SmallAutoField'])
/** Field options that change what the kit stores or checks; the rest are accepted and ignored. */
const FIELD_OPTIONS = new Set([
  'null',
  'blank',
  'default',
  'unique',
  'max_length',
  'db_index',
  'verbose_name',
  'help_text',
  'db_column',
  'primary_key',
  'max_digits',
  'decimal_places',
  'editable',
  'choices',
  'db_tablespace',
  'unique_for_date',
  'auto_now',
  'auto_now_add',
  'error_messages',
  'validators'
])
const M2M_OPTIONS = new Set([
  'related_name',
  'related_query_name',
  'symmetrical',
  'db_table',
  'blank',
  'verbose_name',
  'help_text',
  'limit_choices_to',
  'db_constraint'
])
const META_IGNORED = new Set([
  'verbose_name',
  'verbose_name_plural',
  'app_label',
  'get_latest_by',
  'unique_together',
  'index_together',
  'indexes',
  'constraints',
  'default_related_name',
  'managed',
  'db_tablespace'
])

interface RelationDraft {
  field: string
  target: string
  relatedName?: string
  relatedQueryName?: string
  symmetrical?: boolean
  table?: string
  place: Place
}

interface Draft {
  name: string
  fields: { schema: FieldSchema; place: Place; kind: string; default?: Expr }[]
  primaryKey: { schema: PrimaryKeySchema; place: Place; kind: string } | undefined
  relations: RelationDraft[]
  ordering: { keys: string[]; place: Place } | undefined
  table: string | undefined
  str: Expr | undefined
  strPlace: Place | undefined
  place: Place
}

/** One logical line: a statement joined across open brackets, where it starts. */
interface Line {
  code: string
  indent: number
  place: Place
}

/** Parse the models block (`firstLine` is the document line of its first content line). */
export function parseModels(text: string, file: string, firstLine: number): Models {
  const drafts: Draft[] = []
  let model: Draft | undefined
  let block: 'class' | 'meta' | 'str' | 'skip' = 'class'
  let blockIndent = 0
  let classIndent = -1
  for (const { code, indent, place } of logicalLines(text, file, firstLine)) {
    if (indent === 0) {
      model = undefined
      if (/^(from\s+\S+\s+)?import\s/.test(code)) continue
      if (/^@/.test(code)) throw at('schema', 'not supported by the kit: decorators outside a model class', place)
      const m = /^class\s+(\w+)\s*(?:\(\s*([\w.]*)\s*\))?\s*:\s*(.*)$/.exec(code)
      if (!m) throw at('schema', `expected a model class ('class Name(models.Model):'), found '${code}'`, place)
      if (m[2] !== 'models.Model' && m[2] !== 'Model') {
        if (m[2] && drafts.some((d) => d.name === m[2]))
          throw at('schema', `not supported by the kit: model inheritance (${m[1]} subclasses ${m[2]})`, place)
        throw at('schema', `model ${m[1]} must subclass models.Model`, place)
      }
      model = {
        name: m[1]!,
        fields: [],
        primaryKey: undefined,
        relations: [],
        ordering: undefined,
        table: undefined,
        str: undefined,
        strPlace: undefined,
        place
      }
      drafts.push(model)
      classIndent = -1
      block = 'class'
      if (m[3] && m[3] !== 'pass') throw at('schema', 'write the class body on its own lines', place)
      continue
    }
    if (!model) throw at('schema', 'unexpected indented line outside a model class', place)
    if (classIndent === -1) classIndent = indent
    if (indent > classIndent) {
      if (block === 'meta') {
        readMeta(model, code, place)
        continue
      }
      if (block === 'str') {
        if (/^("""|'''|"|')/.test(code)) continue // a docstring
        const r = /^return\s+(.+)$/.exec(code)
        if (!r) throw at('schema', `not supported by the kit: a __str__ body other than one 'return <expression>'`, place)
        model.strPlace = { ...place, column: place.column + code.indexOf(r[1]!) }
        model.str = strExpression(r[1]!, model.strPlace)
        block = 'skip'
        continue
      }
      if (block === 'skip' && indent > blockIndent) continue
      throw at('schema', 'unexpected indentation', place)
    }
    if (indent !== classIndent) throw at('schema', 'inconsistent indentation in model class', place)
    blockIndent = indent
    if (/^class\s+Meta\s*:$/.test(code)) {
      block = 'meta'
      continue
    }
    if (/^def\s+__str__\s*\(\s*self\s*\)\s*:$/.test(code)) {
      block = 'str'
      continue
    }
    if (/^(def\s|@|class\s)/.test(code)) {
      block = 'skip'
      continue
    }
    block = 'class'
    if (code === 'pass' || /^("""|'''|"|')/.test(code)) continue
    readField(model, code, place)
  }
  return finish(drafts, file)
}

/** Lines without comments, joined while brackets are open; triple-quoted strings skipped. */
function logicalLines(text: string, file: string, firstLine: number): Line[] {
  const out: Line[] = []
  const lines = text.split('\n')
  let pending: Line | undefined
  let depth = 0
  let inDocstring: string | undefined
  lines.forEach((raw, index) => {
    if (inDocstring) {
      if (raw.includes(inDocstring)) inDocstring = undefined
      return
    }
    const line = stripComment(raw)
    if (line.trim() === '') return
    const place: Place = { file, line: firstLine + index, column: line.search(/\S/) + 1 }
    const doc = /^\s*("""|''')/.exec(line)
    if (!pending && doc && line.split(doc[1]!).length === 2) {
      inDocstring = doc[1]!
      return
    }
    if (pending) pending.code += ' ' + line.trim()
    else pending = { code: line.trim(), indent: line.search(/\S/), place }
    for (const c of line.replace(/'[^']*'|"[^"]*"/g, '')) {
      if ('([{'.includes(c)) depth++
      else if (')]}'.includes(c)) depth = Math.max(0, depth - 1)
    }
    if (depth === 0) {
      out.push(pending)
      pending = undefined
    }
  })
  if (pending) out.push(pending)
  return out
}

/** The line without a `#` comment (quotes respected). */
function stripComment(line: string): string {
  let quote = ''
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!
    if (quote) {
      if (c === '\\') i++
      else if (c === quote) quote = ''
    } else if (c === '"' || c === "'") {
      quote = c
    } else if (c === '#') {
      return line.slice(0, i).trimEnd()
    }
  }
  return line.trimEnd()
}

function readMeta(model: Draft, code: string, place: Place): void {
  if (code === 'pass') return
  const m = /^(\w+)\s*=\s*(.+)$/.exec(code)
  if (!m) throw at('schema', `cannot read Meta option '${code}'`, place)
  const valuePlace = { ...place, column: place.column + code.indexOf(m[2]!) }
  const option = m[1]!
  if (option === 'ordering') {
    const value = expression(m[2]!, valuePlace)
    const items = value.type === 'list' || value.type === 'tuple' ? value.items : value.type === 'str' ? [value] : undefined
    if (!items || items.some((i) => i.type !== 'str')) throw at('schema', 'Meta.ordering must be a list of field names', place)
    model.ordering = { keys: items.map((i) => (i.type === 'str' ? i.value : '')), place }
    return
  }
  if (option === 'db_table') {
    const value = expression(m[2]!, valuePlace)
    if (value.type !== 'str') throw at('schema', 'Meta.db_table must be a string', place)
    model.table = value.value
    return
  }
  if (option === 'abstract' || option === 'proxy') throw at('schema', `not supported by the kit: Meta.${option}`, place)
  if (!META_IGNORED.has(option)) throw at('schema', `TypeError: 'class Meta' got invalid attribute(s): ${option}`, place)
}

function readField(model: Draft, code: string, place: Place): void {
  const m = /^(\w+)\s*=\s*(.+)$/.exec(code)
  if (!m) throw at('schema', `expected a field ('name = models.CharField(...)'), found '${code}'`, place)
  const name = m[1]!
  const value = expression(m[2]!, { ...place, column: place.column + code.indexOf(m[2]!) })
  if (value.type !== 'call')
    throw at('schema', `not supported by the kit: class attribute '${name}' that is not a models.*Field(...)`, place)
  const kind = value.callee.type === 'attribute' ? value.callee.name : value.callee.type === 'name' ? value.callee.id : ''
  if (name.includes('__')) throw at('schema', `fields.E002: Field names must not contain "__". (${model.name}.${name})`, place)
  if (name.endsWith('_')) throw at('schema', `fields.E001: Field names must not end with an underscore. (${model.name}.${name})`, place)
  if (name === 'pk')
    throw at('schema', `fields.E003: 'pk' is a reserved word that cannot be used as a field name. (${model.name}.pk)`, place)
  // Python keeps the last definition of a name; Django orders fields by the one it keeps.
  model.fields = model.fields.filter((f) => f.schema.name !== name)
  model.relations = model.relations.filter((r) => r.field !== name)
  if (model.primaryKey?.schema.name === name) model.primaryKey = undefined
  const kw = new Map(value.kwargs.map((k) => [k.name, k.value]))
  const lit = (key: string) => {
    const e = kw.get(key)
    return e === undefined ? undefined : literal(e, place, key)
  }
  if (kind === 'ManyToManyField') {
    for (const k of kw.keys()) {
      if (k === 'through' || k === 'through_fields') throw at('schema', `not supported by the kit: ManyToManyField(${k}=...)`, place)
      if (!M2M_OPTIONS.has(k)) throw at('schema', `TypeError: ManyToManyField got an unexpected keyword argument '${k}'`, place)
    }
    const target = value.args[0] ?? kw.get('to')
    const targetName =
      target?.type === 'name'
        ? target.id
        : target?.type === 'str'
          ? target.value.split('.').pop()
          : target?.type === 'attribute'
            ? target.name
            : undefined
    if (!targetName) throw at('schema', `ManyToManyField ${name} needs the related model as its first argument`, place)
    const relatedName = lit('related_name')
    const relatedQueryName = lit('related_query_name')
    const symmetrical = lit('symmetrical')
    const table = lit('db_table')
    model.relations.push({
      field: name,
      target: targetName === 'self' ? model.name : targetName,
      ...(typeof relatedName === 'string' ? { relatedName } : {}),
      ...(typeof relatedQueryName === 'string' ? { relatedQueryName } : {}),
      ...(typeof symmetrical === 'boolean' ? { symmetrical } : {}),
      ...(typeof table === 'string' ? { table } : {}),
      place
    })
    return
  }
  const column = lit('db_column')
  const maxLength = lit('max_length')
  const primary = lit('primary_key') === true
  if (AUTO_FIELDS.has(kind)) {
    if (!primary) throw at('schema', `fields.E100: AutoFields must set primary_key=True. (${model.name}.${name})`, place)
    if (model.primaryKey)
      throw at('schema', `models.E026: The model cannot have more than one field with 'primary_key=True'. (${model.name})`, place)
    model.primaryKey = { schema: { name, type: 'integer', auto: true, ...(typeof column === 'string' ? { column } : {}) }, place, kind }
    return
  }
  const type = TYPES.get(kind)
  if (!type) {
    const known = [
      'ForeignKey',
      'OneToOneField',
      'GenericForeignKey',
      'GenericRelation',
      'JSONField',
      'UUIDField',
      'DurationField',
      'BinaryField',
      'FileField',
      'ImageField',
      'GenericIPAddressField',
      'FilePathField',
      'IPAddressField'
    ]
    if (known.includes(kind)) throw at('schema', `not supported by the kit: ${kind}`, place)
    throw at(
      'schema',
      `field type '${kind}' is not supported (supported: ${[...TYPES.keys(), ...AUTO_FIELDS, 'ManyToManyField'].join(', ')})`,
      place
    )
  }
  for (const k of kw.keys())
    if (!FIELD_OPTIONS.has(k)) throw at('schema', `TypeError: ${kind}.__init__() got an unexpected keyword argument '${k}'`, place)
  if (kind === 'CharField' && typeof maxLength !== 'number')
    throw at('schema', `fields.E120: CharFields must define a 'max_length' attribute. (${model.name}.${name})`, place)
  const maxDigits = lit('max_digits')
  const decimalPlaces = lit('decimal_places')
  if (type === 'decimal') {
    if (typeof decimalPlaces !== 'number')
      throw at('schema', `fields.E130: DecimalFields must define a 'decimal_places' attribute. (${model.name}.${name})`, place)
    if (typeof maxDigits !== 'number')
      throw at('schema', `fields.E132: DecimalFields must define a 'max_digits' attribute. (${model.name}.${name})`, place)
    if (decimalPlaces > maxDigits)
      throw at('schema', `fields.E134: 'max_digits' must be greater or equal to 'decimal_places'. (${model.name}.${name})`, place)
  }
  if (primary) {
    if (model.primaryKey)
      throw at('schema', `models.E026: The model cannot have more than one field with 'primary_key=True'. (${model.name})`, place)
    if (type !== 'string' && type !== 'integer') throw at('schema', `not supported by the kit: a ${kind} primary key`, place)
    model.primaryKey = {
      schema: {
        name,
        type,
        auto: false,
        ...(typeof maxLength === 'number' ? { maxLength } : {}),
        ...(typeof column === 'string' ? { column } : {})
      },
      place,
      kind
    }
    return
  }
  const schema: FieldSchema = {
    name,
    type,
    nullable: lit('null') === true || kind === 'NullBooleanField',
    ...(typeof maxLength === 'number' ? { maxLength } : {}),
    ...(typeof maxDigits === 'number' ? { maxDigits } : {}),
    ...(typeof decimalPlaces === 'number' ? { decimalPlaces } : {}),
    ...(lit('unique') === true ? { unique: true } : {}),
    ...(typeof column === 'string' ? { column } : {})
  }
  const fallback = kw.get('default')
  model.fields.push({ schema, place, kind, ...(fallback ? { default: fallback } : {}) })
}

function finish(drafts: Draft[], file: string): Models {
  if (drafts.length === 0) throw at('schema', 'the models block defines no model', { file, line: 1, column: 1 })
  const byName = new Map<string, Draft>()
  for (const d of drafts) {
    if (byName.has(d.name)) throw at('schema', `model ${d.name} is defined twice`, d.place)
    byName.set(d.name, d)
    if (!d.primaryKey && d.fields.some((f) => f.schema.name === 'id')) {
      throw at(
        'schema',
        `models.E004: 'id' can only be used as a field name if the field also sets 'primary_key=True'. (${d.name})`,
        d.fields.find((f) => f.schema.name === 'id')!.place
      )
    }
  }
  const relations: (RelationSchema & { place: Place })[] = []
  for (const d of drafts) {
    for (const r of d.relations) {
      if (!byName.has(r.target))
        throw at(
          'schema',
          `fields.E300: Field defines a relation with model '${r.target}', which is either not installed, or is abstract. (${d.name}.${r.field})`,
          r.place
        )
      const lower = d.name.toLowerCase()
      const symmetrical = r.target === d.name && r.symmetrical !== false
      const hidden = `${r.field}_rel_+`
      const accessor = symmetrical ? hidden : (r.relatedName ?? `${lower}_set`)
      if (r.relatedName !== undefined && !symmetrical && !/^[A-Za-z_]\w*\+?$/.test(r.relatedName)) {
        throw at('schema', `fields.E306: The name '${r.relatedName}' is invalid related_name for field ${d.name}.${r.field}`, r.place)
      }
      relations.push({
        name: `${d.name}.${r.field}`,
        source: d.name,
        field: r.field,
        target: r.target,
        reverseQueryName: symmetrical ? hidden : (r.relatedQueryName ?? r.relatedName ?? lower),
        reverseAccessor: accessor,
        ...(symmetrical ? { symmetrical: true } : {}),
        ...(r.table !== undefined ? { table: r.table } : {}),
        place: r.place
      })
    }
  }
  checkClashes(drafts, relations)
  const models: ModelSchema[] = drafts.map((d) => {
    const pkName = d.primaryKey?.schema.name ?? 'id'
    const known = new Set(['pk', pkName, ...d.fields.map((f) => f.schema.name)])
    const ordering: OrderKey[] = (d.ordering?.keys ?? []).map((key) => {
      const descending = key.startsWith('-')
      const field = descending ? key.slice(1) : key
      if (key === '?') throw at('schema', 'not supported by the kit: random ordering in Meta.ordering', d.ordering!.place)
      if (!known.has(field))
        throw at(
          'schema',
          `models.E015: 'ordering' refers to the nonexistent field, related field, or lookup '${field}'. (${d.name})`,
          d.ordering!.place
        )
      return { field: field === 'pk' || field === pkName ? 'id' : field, descending }
    })
    if (d.str) checkStr(d, d.str, known)
    const pk = d.primaryKey?.schema
    return {
      name: d.name,
      fields: d.fields.map((f) => f.schema),
      ordering,
      ...(pk && !(pk.name === 'id' && pk.auto && pk.column === undefined) ? { primaryKey: pk } : {}),
      ...(d.table !== undefined ? { table: d.table } : {})
    }
  })
  const places = new Map<string, Place>()
  for (const d of drafts) {
    places.set(d.name, d.place)
    for (const f of d.fields) places.set(`${d.name}.${f.schema.name}`, f.place)
    if (d.primaryKey) places.set(`${d.name}.${d.primaryKey.schema.name}`, d.primaryKey.place)
  }
  for (const r of relations) places.set(r.name, r.place)
  const classes = new Map<string, string>()
  for (const d of drafts) {
    classes.set(`${d.name}.id`, d.primaryKey?.kind ?? 'AutoField')
    for (const f of d.fields) classes.set(`${d.name}.${f.schema.name}`, f.kind)
  }
  return {
    classes,
    schema: { models, relations: relations.map(({ place: _, ...r }) => r) },
    str: new Map(drafts.flatMap((d) => (d.str ? [[d.name, d.str] as const] : []))),
    defaults: new Map(
      drafts.map((d) => [d.name, new Map(d.fields.flatMap((f) => (f.default ? [[f.schema.name, f.default] as const] : [])))])
    ),
    places
  }
}

/** Django's reverse-name checks fields.E302–E305: the first clash found, as Django words it. */
function checkClashes(drafts: readonly Draft[], relations: readonly (RelationSchema & { place: Place })[]): void {
  for (const r of relations) {
    if (r.symmetrical) continue
    const label = `'${r.source}.${r.field}'`
    const target = drafts.find((d) => d.name === r.target)!
    const targetFields = [
      target.primaryKey?.schema.name ?? 'id',
      ...target.fields.map((f) => f.schema.name),
      ...target.relations.map((x) => x.field)
    ]
    const accessorHidden = r.reverseAccessor.endsWith('+')
    for (const name of targetFields) {
      if (!accessorHidden && name === r.reverseAccessor)
        throw at('schema', `fields.E302: Reverse accessor for ${label} clashes with field name '${r.target}.${name}'.`, r.place)
      if (!accessorHidden && name === r.reverseQueryName)
        throw at('schema', `fields.E303: Reverse query name for ${label} clashes with field name '${r.target}.${name}'.`, r.place)
    }
    for (const o of relations) {
      if (o === r || o.symmetrical || o.target !== r.target || accessorHidden) continue
      const other = `'${o.source}.${o.field}'`
      if (o.reverseAccessor === r.reverseAccessor)
        throw at('schema', `fields.E304: Reverse accessor for ${label} clashes with reverse accessor for ${other}.`, r.place)
      if (o.reverseQueryName === r.reverseQueryName)
        throw at('schema', `fields.E305: Reverse query name for ${label} clashes with reverse query name for ${other}.`, r.place)
    }
  }
}

/** `__str__` may use: literals, `self.<field>`, `str()`, `+`, `%`, `'…'.format(…)`, f-strings. */
function strExpression(text: string, place: Place): Expr {
  try {
    return parseExpression(text)
  } catch (e) {
    if (e instanceof UnsupportedSyntax)
      throw at('schema', `not supported by the kit in __str__: ${e.message.replace(/ is not supported.*$/, '')}`, {
        ...place,
        column: place.column + e.at
      })
    if (e instanceof SyntaxProblem) throw at('schema', `invalid syntax: ${e.message}`, { ...place, column: place.column + e.at })
    throw e
  }
}

function checkStr(d: Draft, e: Expr, known: ReadonlySet<string>): void {
  const bad = (what: string): never => {
    throw at(
      'schema',
      `not supported by the kit in __str__ of ${d.name}: ${what} (use self.<field>, str(), +, %, .format() or an f-string)`,
      d.strPlace ?? d.place
    )
  }
  const walk = (x: Expr): void => {
    switch (x.type) {
      case 'str':
      case 'int':
      case 'float':
        return
      case 'attribute':
        if (x.object.type === 'name' && x.object.id === 'self') {
          if (!known.has(x.name)) bad(`unknown field self.${x.name}`)
          return
        }
        bad('an attribute of something other than self')
        return
      case 'tuple':
        for (const item of x.items) walk(item)
        return
      case 'binary':
        if (x.op !== '+' && x.op !== '%') bad(`the operator '${x.op}'`)
        walk(x.left)
        walk(x.right)
        return
      case 'fstring':
        for (const p of x.parts) if (typeof p !== 'string') walk(p.expr)
        return
      case 'call':
        if (x.kwargs.length) bad('keyword arguments')
        if (x.callee.type === 'name' && (x.callee.id === 'str' || x.callee.id === 'repr') && x.args.length === 1) {
          walk(x.args[0]!)
          return
        }
        if (x.callee.type === 'attribute' && x.callee.name === 'format' && x.callee.object.type === 'str') {
          for (const arg of x.args) walk(arg)
          return
        }
        bad('this call')
        return
      default:
        bad(`a ${x.type} expression`)
    }
  }
  walk(e)
}

function expression(text: string, place: Place): Expr {
  try {
    return parseExpression(text)
  } catch (e) {
    if (e instanceof SyntaxProblem)
      throw at('schema', e instanceof UnsupportedSyntax ? e.message : `invalid syntax: ${e.message}`, {
        ...place,
        column: place.column + e.at
      })
    throw e
  }
}

function literal(e: Expr, place: Place, option: string): string | number | boolean | null {
  switch (e.type) {
    case 'int':
      return e.value
    case 'float':
      return e.value
    case 'str':
      return e.value
    case 'const':
      return e.value
    case 'name':
      return e.id // e.g. on_delete=CASCADE; not used
    case 'attribute':
      return e.name
    default:
      throw at('schema', `not supported by the kit: a computed value for the option '${option}'`, place)
  }
}
