/**
 * Runs an adapter module in a worker thread of its own, behind an
 * `AdapterFactory` that looks like the module's. What the kit gains: an
 * adapter that loops forever without yielding, calls `process.exit`, or
 * throws in a timer can be stopped (the thread is terminated) while the
 * kit's own thread keeps its timeouts, its signal handlers and its report;
 * and every scratch database the adapter creates is known here from the
 * moment it may exist (`observeScratches`), so it is dropped from here when
 * the thread cannot drop it itself.
 */
import { createRequire } from 'node:module'
import type { Worker } from 'node:worker_threads'
import type { Adapter, AdapterFactory, Feature, OpenOptions, Operation, Result, Schema } from '../adapters/contract.js'
import { dropRecorded, type ScratchRecord } from '../adapters/scratch/index.js'
import { at } from './errors.js'
import { SessionLost } from './interpret/exceptions.js'

/** What the thread is started with. */
export interface ThreadData {
  readonly spec: string
  readonly cwd: string
  readonly loadTimeoutMs: number
}

/** A call from the kit to the thread; `session` is one `open()` (one document). */
export type Call =
  | (Request & { readonly id: number })
  | { readonly id: number; readonly call: 'stop' }
  | ({ readonly call: 'load' } & ThreadData)

type Request =
  | { readonly call: 'open'; readonly session: number; readonly options: OpenOptions }
  | { readonly call: 'execute'; readonly session: number; readonly op: Operation }
  | { readonly call: 'close'; readonly session: number }

/** A message from the thread. */
export type FromThread =
  | { readonly started: true }
  | { readonly loaded: { readonly name: string; readonly features?: Feature[]; readonly schema?: Schema } }
  | { readonly loadError: string }
  | { readonly scratch: 'held' | 'released'; readonly record: ScratchRecord }
  | { readonly id: number; readonly ack: true }
  | { readonly id: number; readonly ok: true; readonly value: unknown; readonly queries?: number }
  | { readonly id: number; readonly ok: false; readonly error: string }

/** An adapter factory whose adapter runs in its own thread. */
export interface HostedAdapter extends AdapterFactory {
  /**
   * End the thread: it closes what is open and drops its scratch databases;
   * when it does not answer within a second (a loop that never yields), it is
   * terminated and its databases are dropped from here. Safe to call twice.
   */
  stop(): Promise<void>
}

export interface HostOptions {
  /** Limit for loading the module. @default 10000 */
  readonly loadTimeoutMs?: number
  /** A thread started earlier with `startAdapterThread` (it boots while the kit loads); the host ends it. */
  readonly thread?: Worker
}

/** The thread's module: .js as built; .ts from source (the kit's own tests), loaded through tsx. */
function threadEntry(): URL {
  return new URL(import.meta.url.endsWith('.ts') ? './adapter-thread.ts' : './adapter-thread.js', import.meta.url)
}

/** Start an adapter thread that waits to be told which adapter to load. */
export function startAdapterThread(): Worker {
  // Required here, not imported: a run with the built-in memory adapter never starts a thread.
  const { Worker } = createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads')
  const entry = threadEntry()
  return entry.pathname.endsWith('.ts')
    ? new Worker(
        `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => m.tsImport(${JSON.stringify(entry.href)}, ${JSON.stringify(entry.href)}))`,
        { eval: true }
      )
    : new Worker(entry)
}

/** How long a thread has to acknowledge `stop` before it counts as stuck. */
const ACK_MS = 1000

/** Load `spec` (as `loadAdapter` would) in a new thread. Throws a KitError when it cannot be loaded. */
export async function hostAdapter(spec: string, cwd = process.cwd(), options: HostOptions = {}): Promise<HostedAdapter> {
  const loadTimeoutMs = options.loadTimeoutMs ?? 10_000
  let thread = await Thread.start({ spec, cwd, loadTimeoutMs }, options.thread)
  const { name, features, schema } = thread.loaded
  let sessions = 0
  return {
    name,
    ...(features ? { features } : {}),
    ...(schema ? { schema } : {}),
    async open(openOptions) {
      // The thread of an earlier document ended (a timeout, a crash): start a fresh one.
      if (thread.ended !== undefined) thread = await Thread.start({ spec, cwd, loadTimeoutMs })
      const session = ++sessions
      const own = thread
      const opened = await own.call({ call: 'open', session, options: openOptions })
      let queries = opened.queries
      const adapter: Adapter = {
        async execute(op) {
          const answer = await own.call({ call: 'execute', session, op })
          if (answer.queries !== undefined) queries = answer.queries
          return answer.value as Result
        },
        // An operation still under way (one that timed out) is cancelled: the thread ends with it.
        async close() {
          if (own.ended !== undefined) return
          if (own.busy) await own.kill('closed while an operation was still running')
          else await own.call({ call: 'close', session })
        }
      }
      return queries === undefined ? adapter : Object.assign(adapter, { queryCount: () => queries! })
    },
    stop: () => thread.stop()
  }
}

type Answer = { readonly value: unknown; readonly queries?: number }

/** One worker thread and what it holds. */
class Thread {
  /** Why the thread ended, once it has. */
  ended: string | undefined
  loaded!: Extract<FromThread, { loaded: unknown }>['loaded']
  private readonly worker: Worker
  private readonly calls = new Map<number, { resolve: (a: Answer) => void; reject: (e: Error) => void; ack?: () => void }>()
  private readonly held = new Map<string, ScratchRecord>()
  private next = 0
  private stopping: Promise<void> | undefined
  private readonly gone: Promise<void>

  private constructor(worker: Worker, onStart: () => void, onLoad: (m: FromThread) => void) {
    this.worker = worker
    this.worker.on('message', (m: FromThread) => {
      if ('scratch' in m) {
        if (m.scratch === 'held') this.held.set(m.record.database, m.record)
        else this.held.delete(m.record.database)
      } else if ('started' in m) onStart()
      else if ('loaded' in m || 'loadError' in m) onLoad(m)
      else if ('ack' in m) this.calls.get(m.id)?.ack?.()
      else {
        const pending = this.calls.get(m.id)
        this.calls.delete(m.id)
        if (m.ok) pending?.resolve(m)
        else pending?.reject(new Error(m.error))
      }
    })
    let crash: string | undefined
    this.worker.on('error', (e) => {
      crash = `the adapter crashed outside any operation: ${String(e?.message ?? e).split('\n')[0]}`
    })
    this.gone = new Promise((resolve) => {
      // A thread started early may have ended before anyone listened.
      if (this.worker.threadId === -1) queueMicrotask(() => this.worker.emit('exit', 1))
      this.worker.once('exit', (code) => {
        this.ended ??= crash ?? `the adapter ended its thread (process.exit(${code}))`
        for (const pending of this.calls.values()) pending.reject(new SessionLost(this.ended))
        this.calls.clear()
        resolve(this.dropHeld())
      })
    })
  }

  static async start(data: ThreadData, worker = startAdapterThread()): Promise<Thread> {
    let settle!: (m: FromThread) => void
    const first = new Promise<FromThread>((resolve) => {
      settle = resolve
    })
    let timer: NodeJS.Timeout | undefined
    let late!: () => void
    // The thread enforces the limit on an await that never settles; this one catches a loop that never yields.
    // It starts once the thread's own code has loaded (slow from source, under load), just before the adapter's.
    const limit = new Promise<'late'>((resolve) => {
      late = () => {
        timer = setTimeout(() => resolve('late'), Math.min(data.loadTimeoutMs + 1000, 2_147_483_647))
      }
    })
    const thread = new Thread(worker, late, (m) => settle(m))
    worker.postMessage({ call: 'load', ...data } satisfies Call)
    const outcome = await Promise.race([first, limit, thread.gone.then(() => 'ended' as const)]).finally(() => clearTimeout(timer))
    if (typeof outcome === 'object' && 'loaded' in outcome) {
      thread.loaded = outcome.loaded
      return thread
    }
    if (outcome === 'late') await thread.kill('loading timed out')
    else await thread.kill('not loaded')
    const why =
      typeof outcome === 'object' && 'loadError' in outcome
        ? outcome.loadError
        : outcome === 'late'
          ? `cannot load adapter '${data.spec}': loading timed out after ${data.loadTimeoutMs} ms (a loop that never ends?)`
          : `cannot load adapter '${data.spec}': ${thread.ended}`
    throw at('adapter', why)
  }

  /** True while an operation has not answered. */
  get busy(): boolean {
    return this.calls.size > 0
  }

  call(call: Request): Promise<Answer> {
    if (this.ended !== undefined) return Promise.reject(new SessionLost(this.ended))
    const id = ++this.next
    return new Promise<Answer>((resolve, reject) => {
      this.calls.set(id, { resolve, reject })
      this.worker.postMessage({ ...call, id } as Call)
    })
  }

  /** Terminate the thread now; what it held is dropped from here. */
  async kill(why: string): Promise<void> {
    this.ended ??= why
    // A thread stuck where termination cannot reach it must not keep the kit from ending: drop what it held anyway.
    const within = (p: Promise<unknown>) => Promise.race([p, new Promise((r) => setTimeout(r, 5000).unref())])
    await within(this.worker.terminate())
    await within(this.gone)
    await this.dropHeld()
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.ended !== undefined) return this.gone
      const id = ++this.next
      let acknowledged = false
      const done = new Promise<void>((resolve) => {
        this.calls.set(id, { resolve: () => resolve(), reject: () => resolve(), ack: () => void (acknowledged = true) })
      })
      this.worker.postMessage({ id, call: 'stop' } satisfies Call)
      const wait = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref())
      await Promise.race([done, wait(ACK_MS)])
      // Acknowledged: the thread is closing and dropping (give it time); otherwise it is stuck.
      if (acknowledged) await Promise.race([done, wait(15_000)])
      await this.kill('stopped')
    })()
    return this.stopping
  }

  /**
   * Drop every database the thread still held. A creation cut short may
   * commit after the first drop: server databases are dropped again over
   * the next 3.5 s.
   */
  private async dropHeld(): Promise<void> {
    const records = [...this.held.values()]
    this.held.clear()
    await Promise.allSettled(records.map((r) => dropRecorded(r)))
    // A CREATE DATABASE still running on the server when the thread ended commits later: drop again, a few times.
    for (const ms of [500, 1000, 2000]) {
      if (!records.some((r) => r.provider !== 'sqlite')) break
      await new Promise((r) => setTimeout(r, ms))
      await Promise.allSettled(records.filter((r) => r.provider !== 'sqlite').map((r) => dropRecorded(r)))
    }
  }
}
