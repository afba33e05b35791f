/**
 * Python exceptions raised by statements. They are the document's business:
 * compared with the expected output like any other result. Problems of the
 * kit itself (`Unsupported`) or of the adapter (`AdapterFault`) are not.
 */

export class PyException extends Error {
  /** The class as doctest shows it, e.g. `ValueError`, `Book.DoesNotExist`. */
  readonly type: string
  readonly detail: string
  constructor(type: string, detail: string) {
    super(`${type}: ${detail}`)
    this.name = 'PyException'
    this.type = type
    this.detail = detail
  }

  /** The exception line, as the last line of a traceback. */
  line(): string {
    return this.detail === '' ? `${this.type}\n` : `${this.type}: ${this.detail}\n`
  }
}

/** Something valid in Python/Django that the kit does not implement: the case errors. */
export class Unsupported extends Error {
  constructor(what: string) {
    super(`not supported by the kit: ${what}`)
    this.name = 'Unsupported'
  }
}

/** The adapter threw, hung, or answered the wrong shape: the case errors. */
export class AdapterFault extends Error {
  constructor(message: string, options?: { cause: unknown }) {
    super(message, options)
    this.name = 'AdapterFault'
  }
}

/**
 * The adapter's session is over before the document is (its thread ended,
 * or an operation was cancelled): the database's state is unknown, so the
 * rest of the document is not run.
 */
export class SessionLost extends AdapterFault {
  constructor(message: string) {
    super(message)
    this.name = 'SessionLost'
  }
}

export const FIELD_ERROR = 'django.core.exceptions.FieldError'

export const raise = {
  value: (m: string) => new PyException('ValueError', m),
  type: (m: string) => new PyException('TypeError', m),
  attribute: (m: string) => new PyException('AttributeError', m),
  index: (m: string) => new PyException('IndexError', m),
  key: (m: string) => new PyException('KeyError', m),
  name: (n: string) => new PyException('NameError', `name '${n}' is not defined`),
  assertion: (m: string) => new PyException('AssertionError', m),
  field: (m: string) => new PyException(FIELD_ERROR, m)
}
