/**
 * `--adapter memory|prisma|./path|package` -> an AdapterFactory. Built-in
 * names map to `adapters/<name>/`; a path or package name is imported and
 * must default-export `defineAdapter({...})` (`module.exports =` in CommonJS).
 * Files load through tsx's `tsImport`, scoped to the adapter: `.ts .mts .cts
 * .js .mjs .cjs` alike, in CommonJS and ESM projects, without registering a
 * loader for the whole process.
 */
import { existsSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { extname, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { AdapterFactory } from '../adapters/contract.js'
import { at, thrownMessage } from './errors.js'

const BUILT_IN: Readonly<Record<string, string>> = {
  memory: '../adapters/memory/index.js',
  prisma: '../adapters/prisma/index.js',
  sequelize: '../adapters/sequelize/index.js'
}

export interface LoadOptions {
  /** Limit for loading the module (a top-level await that never settles). @default no limit */
  readonly timeoutMs?: number
}

export async function loadAdapter(spec: string, cwd = process.cwd(), options: LoadOptions = {}): Promise<AdapterFactory> {
  const builtIn = BUILT_IN[spec]
  const url = builtIn ? new URL(builtIn, import.meta.url).href : locate(spec, cwd)
  let mod: Record<string, unknown>
  let timer: NodeJS.Timeout | undefined
  try {
    const loading = builtIn
      ? (import(url) as Promise<Record<string, unknown>>)
      : import('tsx/esm/api').then(({ tsImport }) => tsImport(url, import.meta.url) as Promise<Record<string, unknown>>)
    const limit = options.timeoutMs
    mod =
      limit === undefined
        ? await loading
        : await Promise.race([
            loading,
            new Promise<never>((_, reject) => {
              timer = setTimeout(
                () => reject(new LoadTimeout(`loading timed out after ${limit} ms (a top-level await that never settles?)`)),
                Math.min(limit, 2_147_483_647)
              )
            })
          ])
  } catch (e) {
    throw at('adapter', `cannot load adapter '${spec}': ${thrownMessage(e).split('\n')[0]}`)
  } finally {
    clearTimeout(timer)
  }
  // A CommonJS module's `module.exports` arrives as `default` (its own `default` one level down when it has one).
  const first = (mod['default'] ?? mod['adapter']) as (Partial<AdapterFactory> & { default?: Partial<AdapterFactory> }) | undefined
  const factory = first && typeof first.open !== 'function' && first.default ? first.default : first
  if (!factory || typeof factory.name !== 'string' || typeof factory.open !== 'function') {
    throw at('adapter', `adapter '${spec}' must default-export defineAdapter({ name, open })`)
  }
  return factory as AdapterFactory
}

function locate(spec: string, cwd: string): string {
  if (spec.startsWith('.') || spec.startsWith('/')) {
    let file = resolve(cwd, spec)
    if (existsSync(file) && statSync(file).isDirectory()) {
      const index = ['index.js', 'index.mjs', 'index.cjs', 'index.ts', 'index.mts', 'index.cts'].map((f) => join(file, f)).find(existsSync)
      if (!index) throw at('adapter', `adapter directory '${spec}' has no index.js or index.ts`)
      file = index
    }
    if (!existsSync(file)) throw at('adapter', `no adapter at '${spec}' (built-in adapters: ${Object.keys(BUILT_IN).join(', ')})`)
    if (!['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'].includes(extname(file)))
      throw at('adapter', `adapter '${spec}' must be a .ts, .mts, .cts, .js, .mjs or .cjs module`)
    return pathToFileURL(file).href
  }
  try {
    return pathToFileURL(createRequire(join(cwd, 'package.json')).resolve(spec)).href
  } catch {
    throw at(
      'adapter',
      `unknown adapter '${spec}' (built-in: ${Object.keys(BUILT_IN).join(', ')}; or a path, or an installed package name)`
    )
  }
}

class LoadTimeout extends Error {}
