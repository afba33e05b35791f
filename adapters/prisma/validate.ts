/**
 * Prisma's own schema validation, offline and in process: the WebAssembly
 * build of its schema tools that ships in the `prisma` package
 * (`build/prisma_schema_build_bg.wasm`, the module `prisma validate` runs),
 * loaded with the four imports its wasm-bindgen glue needs. About 1000 times
 * faster than starting the CLI per schema.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

/** The little of the WebAssembly API used here (the project's `lib` has no DOM types). */
interface Wasm {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: object) => { exports: unknown }
}
const { Module, Instance } = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly

interface Exports {
  readonly memory: { readonly buffer: ArrayBuffer }
  readonly __wbindgen_externrefs: { grow(n: number): number; get(i: number): unknown; set(i: number, v: unknown): void }
  __wbindgen_malloc(size: number, align: number): number
  __externref_table_dealloc(index: number): void
  __wbindgen_start(): void
  validate(pointer: number, length: number): [number, number]
}

let wasm: Exports | undefined

function load(): Exports {
  if (wasm) return wasm
  const require = createRequire(import.meta.url)
  const file = join(dirname(require.resolve('prisma/package.json')), 'build', 'prisma_schema_build_bg.wasm')
  let exports: Exports | undefined
  const text = (pointer: number, length: number) => new TextDecoder().decode(new Uint8Array(exports!.memory.buffer, pointer >>> 0, length))
  const imports = {
    __wbindgen_placeholder__: {
      __wbg_set_message_f22ac4a6869ee695: (p: number, n: number) => {
        throw new Error(`Prisma schema tools panicked: ${text(p, n)}`)
      },
      __wbg_Error_e83987f665cf5504: (p: number, n: number) => new Error(text(p, n)),
      __wbg___wbindgen_throw_b855445ff6a94295: (p: number, n: number) => {
        throw new Error(text(p, n))
      },
      __wbindgen_init_externref_table: () => {
        const table = exports!.__wbindgen_externrefs
        const at = table.grow(4)
        table.set(0, undefined)
        table.set(at, undefined)
        table.set(at + 1, null)
        table.set(at + 2, true)
        table.set(at + 3, false)
      }
    }
  }
  exports = new Instance(new Module(readFileSync(file)), imports).exports as unknown as Exports
  exports.__wbindgen_start()
  return (wasm = exports)
}

/** Throws Prisma's validation errors (P1012, with line and column) when `schema` is not a valid Prisma schema. */
export function validatePrismaSchema(schema: string): void {
  const w = load()
  const bytes = new TextEncoder().encode(JSON.stringify({ prismaSchema: schema, noColor: true }))
  const pointer = w.__wbindgen_malloc(bytes.length, 1) >>> 0
  new Uint8Array(w.memory.buffer).set(bytes, pointer)
  const [error, failed] = w.validate(pointer, bytes.length)
  if (!failed) return
  const thrown = w.__wbindgen_externrefs.get(error) as Error
  w.__externref_table_dealloc(error)
  let message = thrown.message
  try {
    message = (JSON.parse(message) as { message: string }).message
  } catch {
    /* not JSON: keep it */
  }
  throw new Error(message)
}
