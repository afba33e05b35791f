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

export type * from '../adapters/contract.js'
export { defineAdapter } from '../adapters/contract.js'
export { checkException, checkOutput } from './check/check-output.js'
export { KitError, type Place } from './errors.js'
export { loadBaseline, loadErrata } from './expectations.js'
export { PyException } from './interpret/exceptions.js'
export { Interpreter } from './interpret/interpreter.js'
export { parseStatement } from './language/parse.js'
export { loadAdapter } from './load-adapter.js'
export { type Document, type Example, parseDocument, readDocument } from './parse/document.js'
export { parseExamples } from './parse/examples.js'
export { type Models, parseModels } from './parse/models.js'
export { pyRepr, pyStr, strRepr } from './present/repr.js'
export { closingLine, consoleReporter } from './report/console.js'
export { type JsonReport, jsonReporter, toJsonReport } from './report/json.js'
export { type CaseResult, isGreen, type Reporter, type Status, type Summary, summarize } from './results.js'
export { compile, type RunOptions, runDocument } from './run.js'
