/**
 * Python's `repr()` and `str()`, and Django 3.2's model and queryset reprs.
 * Querysets must be evaluated first (`Evaluated`), so these stay pure.
 */
import type { Key, Scalar } from '../../adapters/contract.js'
import type { Expr } from '../language/ast.js'
import { isPyScalarObject, type PyScalarObject, pyScalarRepr, pyScalarStr } from './pytypes.js'
import { evaluateStr } from './str-expression.js'

/** Display information for one model. */
export interface ModelDisplay {
  /** What `__str__` returns, over `self`; absent: `Model object (pk)`. */
  readonly str: Expr | undefined
  /** The primary key's field name (`id` unless the model names its own). */
  readonly pk: string
}

/** What a model field holds in Python. */
export type FieldValue = Scalar | PyScalarObject

/** A value ready to print: querysets replaced by their rows. */
export type Presentable =
  | Scalar
  | PyScalarObject
  | { readonly kind: 'list' | 'tuple'; readonly items: readonly Presentable[] }
  | { readonly kind: 'dict'; readonly entries: readonly (readonly [Presentable, Presentable])[] }
  | { readonly kind: 'instance'; readonly model: string; readonly id: Key | null; readonly values: Readonly<Record<string, FieldValue>> }
  | { readonly kind: 'evaluated-queryset'; readonly items: readonly Presentable[]; readonly truncated: boolean }
  /** An object printed by its repr `text`; `str` when its `__str__` differs (Django's CombinedExpression). */
  | { readonly kind: 'opaque'; readonly text: string; readonly str?: string }

/** Django's `REPR_OUTPUT_SIZE`. */
export const REPR_OUTPUT_SIZE = 20

export type Displays = (model: string) => ModelDisplay

/** Python `repr(v)`. */
export function pyRepr(v: Presentable, display: Displays): string {
  if (v === null) return 'None'
  if (typeof v === 'boolean') return v ? 'True' : 'False'
  if (typeof v === 'number') return String(v)
  if (typeof v === 'string') return strRepr(v)
  if (isPyScalarObject(v)) return pyScalarRepr(v)
  switch (v.kind) {
    case 'list':
      return `[${v.items.map((i) => pyRepr(i, display)).join(', ')}]`
    case 'tuple':
      return v.items.length === 1 ? `(${pyRepr(v.items[0]!, display)},)` : `(${v.items.map((i) => pyRepr(i, display)).join(', ')})`
    case 'dict':
      return `{${v.entries.map(([k, x]) => `${pyRepr(k, display)}: ${pyRepr(x, display)}`).join(', ')}}`
    case 'instance':
      return `<${v.model}: ${pyStr(v, display)}>`
    case 'evaluated-queryset': {
      const items = v.items.map((i) => pyRepr(i, display))
      if (v.truncated) items.push(strRepr('...(remaining elements truncated)...'))
      return `<QuerySet [${items.join(', ')}]>`
    }
    case 'opaque':
      return v.text
  }
}

/** Python `str(v)`: strings as they are, instances through `__str__`. */
export function pyStr(v: Presentable, display: Displays): string {
  if (typeof v === 'string') return v
  if (isPyScalarObject(v)) return pyScalarStr(v)
  if (v !== null && typeof v === 'object' && v.kind === 'opaque' && v.str !== undefined) return v.str
  if (v !== null && typeof v === 'object' && v.kind === 'instance') {
    const { str, pk } = display(v.model)
    if (str === undefined) return `${v.model} object (${pyStr(v.id, display)})`
    return evaluateStr(str, v, pk, display)
  }
  return pyRepr(v, display)
}

/** Python's `repr()` of a str: the quote it picks and its escapes. */
export function strRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'"
  let out = quote
  for (const ch of s) {
    const cp = ch.codePointAt(0)!
    if (ch === quote || ch === '\\') out += '\\' + ch
    else if (ch === '\n') out += '\\n'
    else if (ch === '\r') out += '\\r'
    else if (ch === '\t') out += '\\t'
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + cp.toString(16).padStart(2, '0')
    else if (cp >= 0x80 && !isPrintable(ch)) out += escapeWide(cp)
    else out += ch
  }
  return out + quote
}

// Python's str.isprintable: not in Cc, Cf, Cs, Co, Cn, Zl, Zp, and not Zs other than space.
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u

function isPrintable(ch: string): boolean {
  return !NON_PRINTABLE.test(ch)
}

function escapeWide(cp: number): string {
  // Code points reaching here are at least 0x80: two hex digits.
  // Stryker disable next-line EqualityOperator: U+00FF is printable
  if (cp <= 0xff) return '\\x' + cp.toString(16)
  if (cp <= 0xffff) return '\\u' + cp.toString(16).padStart(4, '0')
  return '\\U' + cp.toString(16).padStart(8, '0')
}
