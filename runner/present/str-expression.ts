/**
 * Evaluates a model's `__str__` expression (checked by the models parser to
 * use only `self.<field>`, literals, `str()`/`repr()`, `+`, `%`, `.format()`
 * and f-strings) for one instance. Python's rule holds: `__str__` must
 * return a str.
 */

import { PyException } from '../interpret/exceptions.js'
import type { Expr } from '../language/ast.js'
import { add, braceFormat, percentFormat, presentableType } from './format.js'
import { type Displays, type Presentable, pyRepr, pyStr } from './repr.js'

type Instance = Extract<Presentable, { kind: 'instance' }>

export function evaluateStr(expr: Expr, self: Instance, pk: string, display: Displays): string {
  const value = evaluate(expr, self, pk, display)
  if (typeof value !== 'string') throw new PyException('TypeError', `__str__ returned non-string (type ${presentableType(value)})`)
  return value
}

function evaluate(e: Expr, self: Instance, pk: string, display: Displays): Presentable {
  const ev = (x: Expr) => evaluate(x, self, pk, display)
  switch (e.type) {
    case 'str':
    case 'int':
      return e.value
    case 'float':
      return { kind: 'float', value: e.value }
    case 'attribute':
      if (e.name === 'pk' || e.name === pk) return self.id
      return self.values[e.name] ?? null
    case 'tuple':
      return { kind: 'tuple', items: e.items.map(ev) }
    case 'binary': {
      const left = ev(e.left)
      const right = ev(e.right)
      if (e.op === '+') return add(left, right)
      if (typeof left !== 'string')
        throw new PyException('TypeError', `unsupported operand type(s) for %: '${presentableType(left)}' and '${presentableType(right)}'`)
      const args = right !== null && typeof right === 'object' && 'items' in right && right.kind === 'tuple' ? right.items : [right]
      return percentFormat(left, args, display)
    }
    case 'fstring':
      return e.parts
        .map((p) => (typeof p === 'string' ? p : p.conversion === 'r' ? pyRepr(ev(p.expr), display) : pyStr(ev(p.expr), display)))
        .join('')
    case 'call': {
      if (e.callee.type === 'name') return e.callee.id === 'repr' ? pyRepr(ev(e.args[0]!), display) : pyStr(ev(e.args[0]!), display)
      const fmt = e.callee.type === 'attribute' && e.callee.object.type === 'str' ? e.callee.object.value : ''
      return braceFormat(fmt, e.args.map(ev), display)
    }
    default:
      throw new PyException('TypeError', `__str__ cannot evaluate a ${e.type} expression`)
  }
}
