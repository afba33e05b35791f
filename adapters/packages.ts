/**
 * The database stacks are optional peer dependencies: the kit alone installs
 * small, and an adapter whose stack is missing says, in one line, what to
 * install (instead of a module-resolution stack trace).
 */
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

/** Throws one line naming the packages `what` needs that cannot be resolved. */
export function needPackages(what: string, names: readonly string[]): void {
  const missing = names.filter((name) => {
    try {
      require.resolve(`${name}/package.json`)
      return false
    } catch {
      try {
        require.resolve(name)
        return false
      } catch {
        return true
      }
    }
  })
  if (missing.length) throw new Error(`${what} needs packages that are not installed: npm install --save-dev ${missing.join(' ')}`)
}
