/**
 * Field values between Python and the contract: Django's `get_prep_value`
 * (and the database's format) on the way to the adapter, and what Django
 * reads back from a row. The contract's text forms are in `contract.ts`
 * ("Values travel as Scalars").
 */
import type { FieldType, Scalar } from '../../adapters/contract.js'
import {
  dateProblem,
  isPyScalarObject,
  type PyDate,
  type PyDateTime,
  type PyDecimal,
  type PyTime,
  pyScalarStr,
  timeProblem
} from '../present/pytypes.js'
import { type Displays, type FieldValue, type Presentable, pyRepr, pyStr, strRepr } from '../present/repr.js'
import { AdapterFault, PyException, raise, Unsupported } from './exceptions.js'
import { isObject, type PyValue, typeName } from './values.js'

/** What conversion needs to know of a field. */
export interface FieldSpec {
  readonly name: string
  readonly type: FieldType
  readonly maxDigits?: number
  readonly decimalPlaces?: number
  /** `null=True`: a nullable BooleanField reads an empty value as None, and says so in its message. */
  readonly nullable?: boolean
}

const VALIDATION_ERROR = 'django.core.exceptions.ValidationError'

function invalid(message: string): PyException {
  return new PyException(VALIDATION_ERROR, `[${strRepr(message)}]`)
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0')

export function dateText(d: { year: number; month: number; day: number }): string {
  return `${pad(d.year, 4)}-${pad(d.month)}-${pad(d.day)}`
}

export function timeText(t: { hour: number; minute: number; second: number; microsecond: number }): string {
  return `${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}.${pad(t.microsecond, 6)}`
}

/** Python's `Decimal(str)` for plain notation; undefined when Python would refuse it, or writes it otherwise (an exponent). */
export function parseDecimal(text: string): string | undefined {
  const m = /^([-+]?)(\d*)(?:\.(\d*))?$/.exec(decimalSyntax(text))
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined
  const int = m[2]!.replace(/^0+(?=\d)/, '') || '0'
  const frac = m[3] ?? ''
  return `${m[1] === '-' ? '-' : ''}${int}${frac ? '.' + frac : ''}`
}

// Python's str.isspace(), which differs from JavaScript's \s (U+001C to U+001F are spaces, U+FEFF is not).
const PY_SPACE = '[\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]'
const PY_STRIP = new RegExp(`^${PY_SPACE}+|${PY_SPACE}+$`, 'g')

/** The text Python's `Decimal(str)` reads: surrounding whitespace stripped, then every underscore dropped. */
function decimalSyntax(text: string): string {
  const s = text.replace(PY_STRIP, '').replace(/_/g, '')
  // Python reads any script's digits ('١٢٣' is 123); the kit's patterns know ASCII ones only.
  // Stryker disable next-line ConditionalExpression,StringLiteral: an Unsupported value errors its example, so no passing document holds one: neither a weaker test nor another message can be seen
  if (/(?![0-9])\p{Nd}/u.test(s)) throw new Unsupported(`a decimal written with non-ASCII digits ('${text}')`)
  return s
}

// A plain text longer than this (an exponent like 1e99999) is beyond the kit; every finite float stays within it.
const PLAIN_LIMIT = 1000

/** ±digits × 10^exponent in plain notation (`digits` may carry leading zeros). */
function plain(negative: boolean, digits: string, exponent: number): string {
  // Stryker disable next-line ConditionalExpression,EqualityOperator,ArithmeticOperator,MethodExpression: every mutant sizes the text no larger (both sides agree at exponent 0), so it only lets through a text refused below as Unsupported; an Unsupported value errors its example, so no passing document holds one
  const size = exponent >= 0 ? digits.length + exponent : Math.max(digits.length, 1 - exponent)
  // Stryker disable next-line ConditionalExpression,StringLiteral: an Unsupported value errors its example, so no passing document holds one: neither dropping the test nor another message can be seen
  if (size > PLAIN_LIMIT) throw new Unsupported(`a decimal of more than ${PLAIN_LIMIT} digits written out`)
  // Stryker disable next-line EqualityOperator: at exponent 0 both branches give the digits unchanged
  let text = exponent >= 0 ? digits + '0'.repeat(exponent) : digits.padStart(1 - exponent, '0')
  if (exponent < 0) text = `${text.slice(0, exponent)}.${text.slice(exponent)}`
  // Stryker disable next-line Regex: leading zeros change the text, not the value, and every reader of a decimal text (compareDecimals, decimalArithmetic, quantize, the boolean test) reads it by value ('', '.5' and '00.5' included)
  return (negative ? '-' : '') + text.replace(/^0+(?=\d)/, '')
}

/**
 * The value of Python's `Decimal(str)` in any notation, written plain (`'1.5e2'` is `'150'`, `'1E-2'` `'0.01'`):
 * what a field sends to the database. Undefined when Python refuses the text. Not the text a Decimal shows
 * (`Decimal('1e3')` is `Decimal('1E+3')`): that is parseDecimal(), which refuses exponents.
 */
export function decimalValue(text: string): string | undefined {
  const s = decimalSyntax(text)
  const m = /^([-+]?)(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?$/.exec(s)
  if (!m) {
    // Infinity and NaN are Decimals too, which no decimal column of the contract holds.
    // Stryker disable next-line ConditionalExpression,StringLiteral: an Unsupported value errors its example, so no passing document holds one: neither dropping the test nor another message can be seen
    if (/^[-+]?(inf|infinity|s?nan\d*)$/i.test(s)) throw new Unsupported(`the special decimal value '${text}'`)
    return undefined
  }
  const frac = m[3] ?? ''
  if (m[2] === '' && frac === '') return undefined
  const digits = m[2]! + frac
  const negative = m[1] === '-'
  // Exponents this long are beyond PLAIN_LIMIT anyway (or a zero), so their exact value does not matter.
  const exponent = Math.max(-1e9, Math.min(1e9, Number(m[4] ?? 0))) - frac.length
  if (!/[1-9]/.test(digits)) return plain(negative, '0', 0)
  return plain(negative, digits, exponent)
}

/** Python's `Context(prec=precision).create_decimal_from_float(x)`: the float's exact value, rounded half-even. */
export function decimalFromFloat(x: number, precision: number): string {
  // Stryker disable next-line ConditionalExpression,StringLiteral: an Unsupported value errors its example, so no passing document holds one: neither dropping the test nor another message can be seen
  if (!Number.isFinite(x)) throw new Unsupported(`the decimal value of float('${x}')`)
  // Stryker disable next-line EqualityOperator,UnaryOperator: only a zero's sign changes, which nothing sees: compareDecimals gives every zero the sign 0 and quantize writes no '-' without a nonzero digit
  const negative = x < 0 || Object.is(x, -0)
  // x = mantissa × 2^power exactly; with a negative power, mantissa × 5^-power × 10^power.
  const view = new DataView(new ArrayBuffer(8))
  view.setFloat64(0, Math.abs(x))
  const bits = view.getBigUint64(0)
  const biased = Number(bits >> 52n)
  const fraction = bits & ((1n << 52n) - 1n)
  let mantissa = biased === 0 ? fraction : fraction | (1n << 52n)
  let power = (biased === 0 ? 1 : biased) - 1075
  // Python's float.as_integer_ratio() is in lowest terms: no factor 2 left over a power of 2 (2.5, not 2.500…).
  while (power < 0 && mantissa !== 0n && mantissa % 2n === 0n) [mantissa, power] = [mantissa / 2n, power + 1]
  // Stryker disable next-line StringLiteral: a zero float's text '' reads as zero too (compareDecimals, quantize; decimalFromFloat's answer goes nowhere else)
  if (mantissa === 0n) return plain(negative, '0', 0)
  // Stryker disable next-line EqualityOperator: at power 0 both branches give the mantissa's digits
  let digits = power >= 0 ? (mantissa << BigInt(power)).toString() : (mantissa * 5n ** BigInt(-power)).toString()
  let exponent = Math.min(power, 0)
  // Stryker disable next-line EqualityOperator: with exactly `precision` digits nothing is cut (rest is '', below half) and the digits and exponent stay
  if (digits.length > precision) {
    const cut = digits.length - precision
    const rest = digits.slice(precision)
    let kept = BigInt(digits.slice(0, precision))
    const half = '5'.padEnd(cut, '0')
    if (rest > half || (rest === half && kept % 2n === 1n)) kept += 1n
    // A carry past the precision (99999 to 100000) drops the last zero, as Python's coefficient does.
    digits = kept.toString().slice(0, precision)
    exponent += cut + (kept.toString().length - precision)
  }
  return plain(negative, digits, exponent)
}

/** `Decimal.quantize` to `places` digits with ROUND_HALF_EVEN (Django's `format_number`). */
export function quantize(text: string, places: number): string {
  const negative = text.startsWith('-')
  const [int, frac = ''] = text.replace(/^[-+]/, '').split('.') as [string, string?]
  // Stryker disable next-line StringLiteral: BigInt('') is 0n, the value a leading '0' gives too
  const digits = BigInt((int || '0') + frac.padEnd(places, '0').slice(0, places))
  const rest = frac.slice(places)
  let n = digits
  // Stryker disable next-line ConditionalExpression,LogicalOperator: fast path; with no nonzero digit past the places, half is '0' or undefined and nothing is added
  if (rest && /[1-9]/.test(rest)) {
    const half = rest[0]!
    const beyond = /[1-9]/.test(rest.slice(1))
    if (half > '5' || (half === '5' && (beyond || n % 2n === 1n))) n += 1n
  }
  let s = n.toString().padStart(places + 1, '0')
  if (places) s = `${s.slice(0, -places)}.${s.slice(-places)}`
  return (negative && /[1-9]/.test(s) ? '-' : '') + s
}

// Django 3.2's dateparse patterns, used with re.match: anchored at the start, no stripping; Python's `$`
// also matches before a final newline; time_re has no `$` at all (trailing text is ignored, so its
// `\d{0,6}` after the microseconds is left out here).
const DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})\n?$/
const TIME = /^(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,](\d{1,6}))?)?/
const DATETIME = /^(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,](\d{1,6})\d{0,6})?)?\n?$/
const micro = (s: string | undefined) => (s ? Number(s.padEnd(6, '0')) : 0)

function parseDate(s: string): PyDate | 'format' | 'invalid' {
  const m = DATE.exec(s)
  if (!m) return 'format'
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  return dateProblem(y, mo, d) ? 'invalid' : { kind: 'date', year: y, month: mo, day: d }
}

function parseTime(s: string): PyTime | 'format' | 'invalid' {
  const m = TIME.exec(s)
  if (!m) return 'format'
  const t = { kind: 'time', hour: Number(m[1]), minute: Number(m[2]), second: Number(m[3] ?? 0), microsecond: micro(m[4]) } as const
  return timeProblem(t.hour, t.minute, t.second, t.microsecond) ? 'invalid' : t
}

/** DateTimeField.to_python: a date and time, else a date alone (its own message when that date is impossible). */
function parseDateTime(s: string): PyDateTime | 'format' | 'invalid' | 'invalid-date' {
  const m = DATETIME.exec(s)
  if (!m) {
    const d = parseDate(s)
    if (typeof d === 'string') return d === 'invalid' ? 'invalid-date' : 'format'
    // Stryker disable next-line StringLiteral: only fromScalar reads the kind (toScalar reads the numbers), and only from other adapters than memory, which answers full datetimes (fields.test.ts holds it)
    return { ...d, kind: 'datetime', hour: 0, minute: 0, second: 0, microsecond: 0 }
  }
  const v = {
    kind: 'datetime',
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4]),
    minute: Number(m[5]),
    second: Number(m[6] ?? 0),
    microsecond: micro(m[7])
  } as const
  return dateProblem(v.year, v.month, v.day) || timeProblem(v.hour, v.minute, v.second, v.microsecond) ? 'invalid' : v
}

/** The value as Django's messages put it: `%s`, so `str()` (a date as 2005-07-27, a Decimal without its constructor). */
function quoted(v: PyValue, display: Displays): string {
  return typeof v === 'string' ? v : isPyScalarObject(v) ? pyScalarStr(v) : pyRepr(asPresentable(v), display)
}

/**
 * The contract scalar for a Python value in a field: what Django sends to
 * the database on save (`forSave`) or in a lookup. Decimals are quantized to
 * the field's places on save only, as Django does.
 */
export function toScalar(spec: FieldSpec, v: PyValue, display: Displays, forSave = false): Scalar {
  if (v === null) return null
  switch (spec.type) {
    case 'integer':
      return toInteger(v, spec.name, display)
    case 'boolean': {
      // BooleanField.to_python: None for an empty value when nullable, what equals True or False (1, 1.0, Decimal('0')), and six strings.
      if (spec.nullable && isEmptyValue(v)) return null
      if (typeof v === 'boolean') return v
      if (v === 0 || v === 1) return v === 1
      // Stryker disable next-line ConditionalExpression,LogicalOperator: among Python values only a float has a `value` (a string's or number's `kind` is undefined)
      if (isObject(v) && v.kind === 'float' && (v.value === 0 || v.value === 1)) return v.value === 1
      // By value, as `value in (True, False)` compares: Decimal('0E+3') is False too.
      if (isObject(v) && v.kind === 'decimal') {
        // A Decimal's text is one Python wrote, which decimalValue always reads.
        const value = decimalValue(v.text)!
        // Stryker disable next-line Regex: decimalValue writes every zero as '0' or '-0' and a one as '1' with any zeros after the point, which each mutant still tells apart
        if (/^-?0*(\.0*)?$|^0*1(\.0*)?$/.test(value)) return /^0*1/.test(value)
      }
      if (v === 't' || v === 'True' || v === '1') return true
      if (v === 'f' || v === 'False' || v === '0') return false
      throw invalid(`“${quoted(v, display)}” value must be either ${spec.nullable ? 'True, False, or None' : 'True or False'}.`)
    }
    case 'string':
      // CharField.to_python: str() of anything, so a model instance by its __str__.
      return pyStr(asPresentable(v), display)
    case 'float': {
      if (typeof v === 'number') return v
      if (typeof v === 'boolean') return v ? 1 : 0
      if (isObject(v) && v.kind === 'float') return v.value
      if (isObject(v) && v.kind === 'decimal') return Number(v.text)
      // float() raises ValueError for text and TypeError for the rest; Django rewords either, keeping its class.
      const shown = pyRepr(asPresentable(v), display)
      if (typeof v !== 'string') throw raise.type(`Field '${spec.name}' expected a number but got ${shown}.`)
      if (/^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(v)) return Number(v)
      throw raise.value(`Field '${spec.name}' expected a number but got ${shown}.`)
    }
    case 'decimal': {
      const text = decimalText(spec, v, display)
      // A DecimalField always has its places (the schema requires decimal_places).
      return forSave ? savedDecimal(spec, text) : text
    }
    case 'date': {
      if (isObject(v) && (v.kind === 'date' || v.kind === 'datetime')) return dateText(v)
      if (typeof v === 'string') {
        const d = parseDate(v)
        if (d === 'format') throw invalid(`“${v}” value has an invalid date format. It must be in YYYY-MM-DD format.`)
        if (d === 'invalid') throw invalid(`“${v}” value has the correct format (YYYY-MM-DD) but it is an invalid date.`)
        return dateText(d)
      }
      throw raise.type(`expected string or bytes-like object, got '${typeName(v)}'`)
    }
    case 'datetime': {
      if (isObject(v) && v.kind === 'datetime') return `${dateText(v)}T${timeText(v)}`
      if (isObject(v) && v.kind === 'date') return `${dateText(v)}T00:00:00.000000`
      if (typeof v === 'string') {
        const d = parseDateTime(v)
        if (d === 'format') throw invalid(`“${v}” value has an invalid format. It must be in YYYY-MM-DD HH:MM[:ss[.uuuuuu]][TZ] format.`)
        if (d === 'invalid')
          throw invalid(`“${v}” value has the correct format (YYYY-MM-DD HH:MM[:ss[.uuuuuu]][TZ]) but it is an invalid date/time.`)
        if (d === 'invalid-date') throw invalid(`“${v}” value has the correct format (YYYY-MM-DD) but it is an invalid date.`)
        return `${dateText(d)}T${timeText(d)}`
      }
      throw raise.type(`expected string or bytes-like object, got '${typeName(v)}'`)
    }
    case 'time': {
      if (isObject(v) && (v.kind === 'time' || v.kind === 'datetime')) return timeText(v)
      if (typeof v === 'string') {
        const t = parseTime(v)
        if (t === 'format') throw invalid(`“${v}” value has an invalid format. It must be in HH:MM[:ss[.uuuuuu]] format.`)
        if (t === 'invalid') throw invalid(`“${v}” value has the correct format (HH:MM[:ss[.uuuuuu]]) but it is an invalid time.`)
        return timeText(t)
      }
      throw raise.type(`expected string or bytes-like object, got '${typeName(v)}'`)
    }
  }
}

/** Django's `empty_values` other than None: `''`, `[]`, `()` and `{}`. */
function isEmptyValue(v: PyValue): boolean {
  if (v === '') return true
  // Stryker disable next-line ConditionalExpression: a fast path; a string's or number's `kind` is undefined, so the test below answers false for it too
  if (!isObject(v)) return false
  return ((v.kind === 'list' || v.kind === 'tuple') && v.items.length === 0) || (v.kind === 'dict' && v.entries.length === 0)
}

/** DecimalField.to_python: `Decimal(value)`, a float through the field's context (max_digits of precision); written plain. */
function decimalText(spec: FieldSpec, v: PyValue, display: Displays): string {
  // Stryker disable next-line LogicalOperator: a Decimal's text is plain notation already (Decimal() refuses exponents and takes only safe integers, arithmetic writes plain), so v.text is the same number with at most other zeros, which every reader takes by value
  if (isObject(v) && v.kind === 'decimal') return decimalValue(v.text) ?? v.text
  if (typeof v === 'number') {
    // String() writes an integer from 1e21 on with an exponent, and past 2**53 it is no longer Python's int.
    // Stryker disable next-line ConditionalExpression,StringLiteral: an Unsupported value errors its example, so no passing document holds one: neither dropping the test nor another message can be seen
    if (!Number.isSafeInteger(v)) throw new Unsupported('integers beyond 2**53')
    return String(v)
  }
  if (typeof v === 'boolean') return String(Number(v))
  // Python's default context has 28 digits, the precision of a DecimalField without max_digits.
  if (isObject(v) && v.kind === 'float') return decimalFromFloat(v.value, spec.maxDigits ?? 28)
  if (typeof v === 'string') {
    const text = decimalValue(v)
    if (text === undefined) throw invalid(`“${v}” value must be a decimal number.`)
    return text
  }
  throw invalid(`“${quoted(v, display)}” value must be a decimal number.`)
}

/**
 * Django's `format_number` on save: quantized to the places, in a context of max_digits. More digits than that
 * are refused by both databases, differently (SQLite's decimal.InvalidOperation, PostgreSQL's DataError).
 */
function savedDecimal(spec: FieldSpec, text: string): string {
  const saved = quantize(text, spec.decimalPlaces!)
  // Its digits without leading zeros ('0.05' has one, '0.00' one too).
  const digits = BigInt(saved.replace(/[-.]/g, '')).toString()
  // A DecimalField always has max_digits; only model fields are saved.
  if (digits.length > spec.maxDigits!)
    // Stryker disable next-line StringLiteral: an Unsupported value errors its example, so no passing document holds one
    throw new Unsupported(`saving ${saved} in ${spec.name}, more than its ${spec.maxDigits} digits (the databases differ)`)
  return saved
}

/** Django's `IntegerField.get_prep_value` (`int(value)`), with its messages. */
export function toInteger(v: PyValue, field: string, display: Displays): number {
  if (typeof v === 'number') return v
  if (typeof v === 'boolean') return v ? 1 : 0
  if (isObject(v) && v.kind === 'float') {
    // int(inf) is an OverflowError, which Django does not catch; int(nan) a ValueError, which it rewords.
    if (v.value === Infinity || v.value === -Infinity) throw new PyException('OverflowError', 'cannot convert float infinity to integer')
    if (Number.isNaN(v.value)) throw raise.value(`Field '${field}' expected a number but got ${pyRepr(v, display)}.`)
    return Math.trunc(v.value)
  }
  if (isObject(v) && v.kind === 'decimal') return Math.trunc(Number(v.text))
  const shown = pyRepr(asPresentable(v), display)
  if (typeof v !== 'string') throw raise.type(`Field '${field}' expected a number but got ${shown}.`)
  if (!/^\s*[-+]?\d+\s*$/.test(v)) throw raise.value(`Field '${field}' expected a number but got ${shown}.`)
  const n = Number.parseInt(v, 10)
  // Stryker disable next-line ConditionalExpression,StringLiteral: an Unsupported value errors its example, so no passing document holds one: neither dropping the test nor another message can be seen
  if (!Number.isSafeInteger(n)) throw new Unsupported('integers beyond 2**53')
  return n
}

// Stryker disable all: reads an adapter's answer; the memory adapter the documents run on answers in the contract's own forms, so only other and wrong adapters reach most branches (runner/interpret/fields.test.ts holds them)
/** The Python value Django reads from a row. A value the contract does not allow is the adapter's fault. */
export function fromScalar(spec: FieldSpec, s: Scalar, model: string): FieldValue {
  if (s === null) return null
  const fault = (): never => {
    throw new AdapterFault(
      `adapter answered ${JSON.stringify(s)} for ${model}.${spec.name}, which is not a ${spec.type} value of the contract`
    )
  }
  switch (spec.type) {
    case 'string':
      return typeof s === 'string' ? s : fault()
    case 'integer':
      return typeof s === 'number' && Number.isInteger(s) ? s : fault()
    case 'boolean':
      return typeof s === 'boolean' ? s : s === 0 || s === 1 ? s === 1 : fault()
    case 'float':
      return typeof s === 'number' ? { kind: 'float', value: s } : fault()
    case 'decimal': {
      // A number is read by its value (String() would write 1e21 with an exponent).
      const text =
        typeof s === 'number'
          ? Number.isFinite(s)
            ? decimalValue(String(s))
            : undefined
          : typeof s === 'string'
            ? parseDecimal(s)
            : undefined
      if (text === undefined) return fault()
      const d: PyDecimal = { kind: 'decimal', text: spec.decimalPlaces === undefined ? text : quantize(text, spec.decimalPlaces) }
      return d
    }
    case 'date': {
      const d = typeof s === 'string' ? parseDate(s) : 'format'
      return typeof d === 'string' ? fault() : d
    }
    case 'datetime': {
      const d = typeof s === 'string' ? parseDateTime(s) : 'format'
      return typeof d === 'string' ? fault() : d
    }
    case 'time': {
      const t = typeof s === 'string' ? parseTime(s) : 'format'
      return typeof t === 'string' ? fault() : t
    }
  }
}

// Stryker restore all

/** Best-effort presentable view for messages (instances keep their repr). */
export function asPresentable(v: PyValue): Presentable {
  // Stryker disable next-line StringLiteral: typeof is never '', so every value passes as it is: the kit shows any other object as `<kind>`, never Python's repr, so no passing document prints one, and lists, tuples and dicts of other values have the same shape either way
  if (v === null || typeof v !== 'object') return v
  // Stryker disable next-line ConditionalExpression: the kit shows any other object as `<kind>`, never Python's repr, so no passing document prints one; lists, tuples and dicts of other values have the same shape either way
  if (isPyScalarObject(v)) return v
  // Stryker disable next-line ConditionalExpression: the kit shows any other object as `<kind>`, never Python's repr, so no passing document prints one; lists, tuples and dicts of other values have the same shape either way
  if (v.kind === 'instance') return v
  if (v.kind === 'list' || v.kind === 'tuple') return { kind: v.kind, items: v.items.map(asPresentable) }
  // Stryker disable next-line ConditionalExpression: the kit shows any other object as `<kind>`, never Python's repr, so no passing document prints one; lists, tuples and dicts of other values have the same shape either way
  if (v.kind === 'dict') return { kind: 'dict', entries: v.entries.map(([k, x]) => [asPresentable(k), asPresentable(x)] as const) }
  // Stryker disable next-line ObjectLiteral,StringLiteral: the kit shows any other object as `<kind>`, never Python's repr, so no passing document prints one; lists, tuples and dicts of other values have the same shape either way
  return { kind: 'opaque', text: `<${v.kind}>` }
}
