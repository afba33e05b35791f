/**
 * The AST of the Python subset the documents use. Positions are 0-based
 * offsets into the statement source; the parser turns them into file places.
 */

export type Expr =
  | { readonly type: 'name'; readonly id: string; readonly at: number }
  | { readonly type: 'int'; readonly value: number; readonly at: number }
  | { readonly type: 'float'; readonly value: number; readonly at: number }
  | { readonly type: 'str'; readonly value: string; readonly at: number }
  | { readonly type: 'const'; readonly value: true | false | null; readonly at: number }
  | { readonly type: 'list'; readonly items: readonly Expr[]; readonly at: number }
  | { readonly type: 'tuple'; readonly items: readonly Expr[]; readonly at: number }
  | { readonly type: 'dict'; readonly entries: readonly (readonly [Expr, Expr])[]; readonly at: number }
  | { readonly type: 'attribute'; readonly object: Expr; readonly name: string; readonly at: number }
  | {
      readonly type: 'call'
      readonly callee: Expr
      readonly args: readonly Expr[]
      readonly kwargs: readonly Keyword[]
      readonly at: number
    }
  | { readonly type: 'subscript'; readonly object: Expr; readonly index: Expr | Slice; readonly at: number }
  | { readonly type: 'negate'; readonly operand: Expr; readonly at: number }
  /** `~x`: Python's bitwise not, which Django's `Q` overloads as negation. */
  | { readonly type: 'invert'; readonly operand: Expr; readonly at: number }
  | { readonly type: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr; readonly at: number }
  | { readonly type: 'fstring'; readonly parts: readonly FStringPart[]; readonly at: number }
  /** `[element for … in … if …]`, or with `key`, `{key: element for …}`. */
  | {
      readonly type: 'comprehension'
      readonly element: Expr
      readonly key?: Expr
      readonly clauses: readonly Clause[]
      readonly at: number
    }

/** One `for target in iterable if condition…` of a comprehension. */
export interface Clause {
  readonly target: Target
  readonly iterable: Expr
  readonly conditions: readonly Expr[]
}

/** Operators the kit evaluates: arithmetic, `%` formatting, comparisons (not chained), `&` and `|` (for `Q`). */
export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '&' | '|'

/** Literal text, or an embedded expression with its `!r` / `!s` conversion. */
export type FStringPart = string | { readonly expr: Expr; readonly conversion: 'r' | 's' | undefined }

export interface Keyword {
  readonly name: string
  readonly value: Expr
}

export interface Slice {
  readonly type: 'slice'
  readonly start: Expr | undefined
  readonly stop: Expr | undefined
  readonly step: Expr | undefined
  readonly at: number
}

/** An assignment target: a name, an attribute (`book.name = …`), or a tuple of them (`obj, created = …`). */
export type Target =
  | { readonly type: 'name'; readonly id: string; readonly at: number }
  | { readonly type: 'attribute'; readonly object: Expr; readonly name: string; readonly at: number }
  | { readonly type: 'tuple'; readonly items: readonly Target[]; readonly at: number }

export type Statement =
  | { readonly type: 'assign'; readonly target: Target; readonly value: Expr }
  | { readonly type: 'expr'; readonly value: Expr }
  /** `from x import a, b` (`module` x, `names` a, b) or `import x` (`names` empty). */
  | { readonly type: 'import'; readonly module: string; readonly names: readonly string[]; readonly at: number }
