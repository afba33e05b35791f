/**
 * orm-conformance: a literate conformance kit for ORM adapters.
 *
 *   document.md --readDocument--> Document (models + Example[])
 *               --compile-------> Statement[]       (runner/language)
 *               --Interpreter---> output / PyException, through an Adapter
 *               --checkOutput---> CaseResult        (runner/check)
 *               --Reporter------> console / JSON    (runner/report)
 *
 * Contents: parse/ (markdown, examples, models, ids), language/ (tokenize,
 * parse), interpret/ (values, lookups, querysets, related managers),
 * present/ (Python and Django reprs), check/ (doctest's output checker),
 * report/ (console, JSON), run.ts (the pipeline), cli.ts (the command).
 * The adapter contract lives in adapters/contract.ts.
 */
export { KitError, type Place } from './errors.js'
export { readDocument, parseDocument, type Document, type Example } from './parse/document.js'
export { parseExamples } from './parse/examples.js'
export { parseModels, type Models } from './parse/models.js'
export { parseStatement } from './language/parse.js'
export { Interpreter } from './interpret/interpreter.js'
export { PyException } from './interpret/exceptions.js'
export { checkOutput, checkException } from './check/check-output.js'
export { pyRepr, pyStr, strRepr } from './present/repr.js'
export { runDocument, compile, type RunOptions } from './run.js'
export { summarize, isGreen, type CaseResult, type Status, type Summary, type Reporter } from './results.js'
export { consoleReporter, closingLine } from './report/console.js'
export { jsonReporter, toJsonReport, type JsonReport } from './report/json.js'
export { loadAdapter } from './load-adapter.js'
export { loadErrata, loadBaseline } from './expectations.js'
export { defineAdapter } from '../adapters/contract.js'
export type * from '../adapters/contract.js'
