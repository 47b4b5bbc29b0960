import type { Reporter, TestCase } from 'vitest/node'

/**
 * Names every test that passed only when retried. Integration tests get one retry (a shared
 * two-core machine runs brokers, databases and browsers side by side), and vitest counts a pass on
 * retry as a pass without a word: this list keeps each flake in sight so its cause gets fixed.
 */
export default class FlakyReporter implements Reporter {
  readonly #flaky: string[] = []

  onTestCaseResult(testCase: TestCase): void {
    const diagnostic = testCase.diagnostic()
    if (diagnostic?.flaky) this.#flaky.push(`${testCase.module.moduleId} > ${testCase.fullName}`)
  }

  onTestRunEnd(): void {
    if (this.#flaky.length === 0) return
    const lines = this.#flaky.map((name) => `  FLAKY ${name}`)
    process.stdout.write(`\n${this.#flaky.length} test(s) passed only when retried:\n${lines.join('\n')}\n`)
  }
}
