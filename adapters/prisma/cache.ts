/**
 * Prisma Clients generated at run time, offline, and cached by the hash of
 * their schema: a new document costs one generation (about 2 s), every later
 * run none. Prisma's generator runs on WebAssembly; its CLI only looks for the
 * native schema engine first, so any executable stands in for it
 * (shared notes, "Prisma offline"). The generated TypeScript is bundled into
 * one ESM file with esbuild (a dependency of tsx), so loading it needs no
 * TypeScript at run time.
 *
 * Concurrent runs cannot corrupt the cache: each generates into a private
 * temporary directory and renames it into place; a run that loses the race
 * uses the winner's copy.
 */
import { execFile } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)
const require = createRequire(import.meta.url)

export interface CachedClient {
  /** The bundled client module (`client.mjs`). */
  readonly module: string
  /** False when the cache already had it. */
  readonly generated: boolean
  readonly milliseconds: number
}

/**
 * `<node_modules>/.cache/orm-conformance`, next to the installed
 * `@prisma/client` (the usual place for tool caches). `ORM_CONFORMANCE_CACHE`
 * overrides it.
 */
export function cacheRoot(): string {
  const override = process.env['ORM_CONFORMANCE_CACHE']
  if (override) return override
  const client = dirname(require.resolve('@prisma/client/package.json'))
  return join(client, '..', '..', '.cache', 'orm-conformance')
}

/** What a cache entry holds; a new layout gets new entries. */
const LAYOUT = 'client.mjs + query compiler as WebAssembly + ESM runtime, 3'

/** The cache key: the schema, the entry's layout, and the Prisma runtime the bundle points at (its version and place). */
export function schemaHash(schema: string): string {
  const version = prismaVersion()
  const place = require.resolve('@prisma/client/package.json')
  const hash = createHash('sha256').update(LAYOUT).update('\0').update(version).update('\0').update(place).update('\0')
  return hash.update(schema).digest('hex').slice(0, 16)
}

/**
 * The query compiler ships as a JavaScript module holding 4 MB of base64 in
 * one string literal, which the client decodes and compiles on its first
 * query, on the adapter's thread. The entry keeps the WebAssembly itself, and
 * a two-line module compiles it asynchronously (off the thread) from the
 * moment the client module loads; the client is pointed at that compilation.
 */
const COMPILER_WASM = 'query-compiler.wasm'
const COMPILER_MODULE = 'query-compiler.mjs'
const WASM_BASE64 = /query_compiler[\w.]*\.wasm-base64\.mjs$/
/** Where Prisma 7.10's generated client reads and decodes the base64 (checked at generation). */
const DECODE = /const \{ wasm \} = await import\("\.\/query-compiler\.mjs"\);\s*return await decodeBase64AsWasm\(wasm\);/

async function keepCompiler(specifier: string, dir: string): Promise<void> {
  const { wasm } = (await import(pathToFileURL(require.resolve(specifier)).href)) as { wasm: string }
  writeFileSync(join(dir, COMPILER_WASM), Buffer.from(wasm, 'base64'))
  writeFileSync(
    join(dir, COMPILER_MODULE),
    `import { readFileSync } from 'node:fs'\nexport const module = WebAssembly.compile(readFileSync(new URL('./${COMPILER_WASM}', import.meta.url)))\n`
  )
}

/** The client compiles the kept WebAssembly from the moment it loads, and awaits that compilation instead of decoding. */
function useKeptCompiler(bundle: string): string {
  if (!DECODE.test(bundle))
    throw new Error(
      `the generated Prisma client does not load its query compiler as Prisma 7.10's does (@prisma/client ${prismaVersion()})`
    )
  return `import "./${COMPILER_MODULE}";\n${bundle.replace(DECODE, `return await (await import("./${COMPILER_MODULE}")).module;`)}`
}

function prismaVersion(): string {
  return (require('@prisma/client/package.json') as { version: string }).version
}

/**
 * Prisma's runtime for Node is CommonJS; its ESM twin (the `import` build,
 * the same code) loads without Node's detection and export scan of a
 * CommonJS module imported from ESM (~30 ms of a run). `runtimeModule` is
 * what the adapter preloads: the same file, so one copy is loaded.
 */
function esmTwin(file: string): string {
  const twin = file.replace(/\.js$/, '.mjs')
  return twin !== file && existsSync(twin) ? twin : file
}

/** The runtime module the cached clients import (the adapter loads it early). */
export function runtimeModule(): string {
  return pathToFileURL(esmTwin(require.resolve('@prisma/client/runtime/client'))).href
}

/**
 * The client for `schema` (its generator `output` is replaced), generating it
 * when the cache lacks it. `say` reports a generation (the CLI passes it on a TTY).
 */
export async function cachedClient(schema: (output: string) => string, say?: (text: string) => void): Promise<CachedClient> {
  const started = performance.now()
  const text = schema('./src')
  const root = cacheRoot()
  const dir = join(root, `prisma-${schemaHash(text)}`)
  const module = join(dir, 'client.mjs')
  if (existsSync(module)) return { module, generated: false, milliseconds: performance.now() - started }
  say?.('orm-conformance: generating a Prisma client for this document…')
  mkdirSync(root, { recursive: true })
  const temp = join(root, `tmp-${randomBytes(6).toString('hex')}`)
  mkdirSync(temp)
  try {
    writeFileSync(join(temp, 'schema.prisma'), text)
    const cli = join(dirname(require.resolve('prisma/package.json')), 'build', 'index.js')
    await run(process.execPath, [cli, 'generate', '--schema', join(temp, 'schema.prisma')], {
      env: {
        ...process.env,
        PRISMA_SCHEMA_ENGINE_BINARY: process.env['PRISMA_SCHEMA_ENGINE_BINARY'] ?? process.execPath,
        PRISMA_HIDE_UPDATE_MESSAGE: '1',
        CHECKPOINT_DISABLE: '1'
      },
      timeout: 120_000
    })
    const esbuild = await import('esbuild')
    await esbuild.build({
      entryPoints: [join(temp, 'src', 'client.ts')],
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      outfile: join(temp, 'client.mjs'),
      logLevel: 'silent',
      // The runtime stays outside, named by its file URL: the cache may live anywhere.
      plugins: [
        {
          name: 'prisma-runtime',
          setup(build) {
            build.onResolve({ filter: /^@prisma\/client(\/|$)/ }, async (args) => {
              if (WASM_BASE64.test(args.path)) {
                await keepCompiler(args.path, temp)
                return { path: `./${COMPILER_MODULE}`, external: true }
              }
              return { path: pathToFileURL(esmTwin(require.resolve(args.path))).href, external: true }
            })
          }
        }
      ]
    })
    writeFileSync(join(temp, 'client.mjs'), useKeptCompiler(readFileSync(join(temp, 'client.mjs'), 'utf8')))
    rmSync(join(temp, 'src'), { recursive: true, force: true })
    try {
      renameSync(temp, dir)
    } catch (e) {
      // Another run renamed its copy first: use that one.
      if (!existsSync(module)) throw e
      rmSync(temp, { recursive: true, force: true })
    }
  } catch (e) {
    rmSync(temp, { recursive: true, force: true })
    throw e
  }
  const milliseconds = performance.now() - started
  say?.(` done in ${(milliseconds / 1000).toFixed(1)} s\n`)
  return { module, generated: true, milliseconds }
}
