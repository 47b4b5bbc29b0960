import type { Reporter, TestCase } from 'vitest/node'

/**
 * Names every test that passed only when retried. Integration tests get one retry (a shared
 * two-core machine runs brokers, databases and browsers side by side), and vitest counts a pass on
 * retry as a pass without a word: this list keeps each flake, and how its first attempt failed, in
 * sight so its cause gets fixed.
 */
export default class FlakyReporter implements Reporter {
  readonly #flaky: string[] = []

  onTestCaseResult(testCase: TestCase): void {
    const diagnostic = testCase.diagnostic()
    if (!diagnostic?.flaky) return
    // A pass on retry keeps the failed attempts' errors: the first says what went wrong.
    const error = testCase.result().errors?.[0]
    const where = error?.stacks?.find((s) => !s.file.includes('node_modules'))
    const cause =
      error === undefined
        ? ''
        : `\n      ${error.message.split('\n')[0]}${where ? ` (${where.file}:${where.line})` : ''}`
    this.#flaky.push(`${testCase.module.moduleId} > ${testCase.fullName}${cause}`)
  }

  onTestRunEnd(): void {
    if (this.#flaky.length === 0) return
    const lines = this.#flaky.map((name) => `  FLAKY ${name}`)
    process.stdout.write(`\n${this.#flaky.length} test(s) passed only when retried:\n${lines.join('\n')}\n`)
  }
}
