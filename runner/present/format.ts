/**
 * Python's string formatting over presentable values: `'%s %s' % (a, b)`,
 * `'{} ({})'.format(a, b)` and f-string fields, with their TypeErrors.
 * Format specs beyond `%.Nf` are not supported.
 */
import { PyException, Unsupported } from '../interpret/exceptions.js'
import { isPyScalarObject } from './pytypes.js'
import { type Displays, type Presentable, pyRepr, pyStr } from './repr.js'

/** `type(v).__name__` for the values formatting meets. */
export function presentableType(v: Presentable): string {
  if (v === null) return 'NoneType'
  if (typeof v === 'boolean') return 'bool'
  if (typeof v === 'number') return 'int'
  if (typeof v === 'string') return 'str'
  if (isPyScalarObject(v)) return v.kind === 'decimal' ? 'Decimal' : v.kind
  switch (v.kind) {
    case 'instance':
      return v.model
    case 'evaluated-queryset':
      return 'QuerySet'
    case 'opaque':
      return 'object'
    default:
      return v.kind
  }
}

function number(v: Presentable, spec: string): number {
  if (typeof v === 'number') return v
  if (typeof v === 'boolean') return v ? 1 : 0
  if (isPyScalarObject(v) && (v.kind === 'float' || v.kind === 'decimal')) return v.kind === 'float' ? v.value : Number(v.text)
  throw new PyException('TypeError', `%${spec} format: a${spec === 'f' ? ' real' : ''} number is required, not ${presentableType(v)}`)
}

/** `fmt % args`: args is a tuple's items, or one value. */
export function percentFormat(fmt: string, args: readonly Presentable[], display: Displays): string {
  let i = 0
  const out = fmt.replace(/%(\.\d+)?([a-zA-Z%])/g, (_, precision: string | undefined, spec: string) => {
    if (spec === '%') return '%'
    if (i >= args.length) throw new PyException('TypeError', 'not enough arguments for format string')
    const v = args[i++]!
    switch (spec) {
      case 's':
        return pyStr(v, display)
      case 'r':
        return pyRepr(v, display)
      case 'd':
      case 'i':
        return String(Math.trunc(number(v, spec)))
      case 'f':
        return number(v, spec).toFixed(precision ? Number(precision.slice(1)) : 6)
      default:
        throw new Unsupported(`the %${spec} format`)
    }
  })
  if (i < args.length) throw new PyException('TypeError', 'not all arguments converted during string formatting')
  return out
}

/** `'…'.format(*args)` with `{}`, `{0}` and `!r`/`!s`. */
export function braceFormat(fmt: string, args: readonly Presentable[], display: Displays): string {
  let auto = 0
  return fmt.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (whole, field: string | undefined) => {
    if (whole === '{{') return '{'
    if (whole === '}}') return '}'
    const m = /^(\d*)(?:!([rs]))?$/.exec(field ?? '')
    if (!m) throw new Unsupported(`the format field '${whole}'`)
    const index = m[1] === '' ? auto++ : Number(m[1])
    if (index >= args.length) throw new PyException('IndexError', `Replacement index ${index} out of range for positional args tuple`)
    const v = args[index]!
    return m[2] === 'r' ? pyRepr(v, display) : pyStr(v, display)
  })
}

/** `a + b` for the values a `__str__` meets (strings, numbers). */
export function add(a: Presentable, b: Presentable): Presentable {
  if (typeof a === 'string' && typeof b === 'string') return a + b
  const num = (v: Presentable) =>
    typeof v === 'number' || typeof v === 'boolean' ? Number(v) : isPyScalarObject(v) && v.kind === 'float' ? v.value : undefined
  const x = num(a)
  const y = num(b)
  if (x !== undefined && y !== undefined) {
    const float = (isPyScalarObject(a) && a.kind === 'float') || (isPyScalarObject(b) && b.kind === 'float')
    return float ? { kind: 'float', value: x + y } : x + y
  }
  if (typeof a === 'string') throw new PyException('TypeError', `can only concatenate str (not "${presentableType(b)}") to str`)
  throw new PyException('TypeError', `unsupported operand type(s) for +: '${presentableType(a)}' and '${presentableType(b)}'`)
}
