/**
 * Python's float, `decimal.Decimal` and `datetime`'s date, datetime and time:
 * the values of Django's FloatField, DecimalField, DateField, DateTimeField
 * and TimeField, with Python's `repr()` and `str()`. Plain data, so the
 * presenter stays pure.
 */

export interface PyFloat {
  readonly kind: 'float'
  readonly value: number
}
/** `text` is what Python's `str(Decimal)` gives (`'1.50'`, `'-0.5'`, `'10'`). */
export interface PyDecimal {
  readonly kind: 'decimal'
  readonly text: string
}
export interface PyDate {
  readonly kind: 'date'
  readonly year: number
  readonly month: number
  readonly day: number
}
export interface PyDateTime {
  readonly kind: 'datetime'
  readonly year: number
  readonly month: number
  readonly day: number
  readonly hour: number
  readonly minute: number
  readonly second: number
  readonly microsecond: number
}
export interface PyTime {
  readonly kind: 'time'
  readonly hour: number
  readonly minute: number
  readonly second: number
  readonly microsecond: number
}

/** A Python value that is not a JS primitive but is stored in a field. */
export type PyScalarObject = PyFloat | PyDecimal | PyDate | PyDateTime | PyTime

export function isPyScalarObject(v: unknown): v is PyScalarObject {
  if (v === null || typeof v !== 'object') return false
  const kind = (v as { kind?: unknown }).kind
  return kind === 'float' || kind === 'decimal' || kind === 'date' || kind === 'datetime' || kind === 'time'
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0')

/** Python's `repr()` of a float: the shortest text that reads back, exponent outside 1e-4 … 1e16. */
export function floatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan'
  // Stryker disable next-line EqualityOperator: x is ±infinity here, never 0
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf'
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0'
  const [mantissa, exp] = Math.abs(x).toExponential().split('e') as [string, string]
  const digits = mantissa.replace('.', '')
  const e = Number(exp)
  // Stryker disable next-line EqualityOperator: zero returned above
  const sign = x < 0 ? '-' : ''
  if (e < -4 || e >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits
    // Stryker disable next-line EqualityOperator: e is below -4 or at least 16 here, never 0
    return `${sign}${m}e${e < 0 ? '-' : '+'}${pad(Math.abs(e))}`
  }
  if (e < 0) return `${sign}0.${'0'.repeat(-e - 1)}${digits}`
  const int = digits.slice(0, e + 1).padEnd(e + 1, '0')
  const frac = digits.slice(e + 1)
  return `${sign}${int}.${frac || '0'}`
}

function timeText(h: number, m: number, s: number, us: number): string {
  return `${pad(h)}:${pad(m)}:${pad(s)}${us ? '.' + pad(us, 6) : ''}`
}

/** Python `str()`. */
export function pyScalarStr(v: PyScalarObject): string {
  switch (v.kind) {
    case 'float':
      return floatRepr(v.value)
    case 'decimal':
      return v.text
    case 'date':
      return `${pad(v.year, 4)}-${pad(v.month)}-${pad(v.day)}`
    case 'datetime':
      return `${pad(v.year, 4)}-${pad(v.month)}-${pad(v.day)} ${timeText(v.hour, v.minute, v.second, v.microsecond)}`
    case 'time':
      return timeText(v.hour, v.minute, v.second, v.microsecond)
  }
}

/** Python `repr()`: `datetime.date(2005, 7, 27)`, `Decimal('1.50')`. Trailing zero seconds are left out, as Python does. */
export function pyScalarRepr(v: PyScalarObject): string {
  const clock = (h: number, m: number, s: number, us: number) => [h, m, ...(s || us ? [s] : []), ...(us ? [us] : [])].join(', ')
  switch (v.kind) {
    case 'float':
      return floatRepr(v.value)
    case 'decimal':
      return `Decimal('${v.text}')`
    case 'date':
      return `datetime.date(${v.year}, ${v.month}, ${v.day})`
    case 'datetime':
      return `datetime.datetime(${v.year}, ${v.month}, ${v.day}, ${clock(v.hour, v.minute, v.second, v.microsecond)})`
    case 'time':
      return `datetime.time(${clock(v.hour, v.minute, v.second, v.microsecond)})`
  }
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/** Days in a month of the proleptic Gregorian calendar, as Python's `datetime`. */
export function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
  return month === 2 && leap ? 29 : DAYS[month - 1]!
}

/** Python's own range checks for date/time parts; the message `ValueError` carries, or undefined. */
export function dateProblem(year: number, month: number, day: number): string | undefined {
  if (year < 1 || year > 9999) return `year ${year} is out of range`
  if (month < 1 || month > 12) return 'month must be in 1..12'
  if (day < 1 || day > daysInMonth(year, month)) return 'day is out of range for month'
  return undefined
}

export function timeProblem(hour: number, minute: number, second: number, microsecond: number): string | undefined {
  if (hour < 0 || hour > 23) return 'hour must be in 0..23'
  if (minute < 0 || minute > 59) return 'minute must be in 0..59'
  if (second < 0 || second > 59) return 'second must be in 0..59'
  if (microsecond < 0 || microsecond > 999999) return 'microsecond must be in 0..999999'
  return undefined
}
