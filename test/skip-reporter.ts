// Added to vitest's default reporter (vitest.config.ts): after vitest's closing lines, lists every
// skipped test with its reason (test/prereqs.ts or ctx.skip(note)), so a skip is never silent.
// Under CI=true a skip without a reason fails the run. Tests left out by `-t` and todos are not listed.
import { relative } from 'node:path';
import type { Reporter, TestModule, Vitest } from 'vitest/node';
import { underCI } from './prereqs.js';

export default class SkipReporter implements Reporter {
  private vitest!: Vitest;

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const filtered = Boolean(this.vitest.config.testNamePattern);
    const byReason = new Map<string, string[]>();
    let unexplained = 0;
    for (const module of testModules) {
      for (const test of module.children.allTests('skipped')) {
        const result = test.result();
        const reason = test.meta().skipReason ?? (result.state === 'skipped' ? result.note : undefined);
        if (reason === undefined && (filtered || test.options.mode === 'todo')) continue;
        if (reason === undefined) unexplained++;
        const key = reason ?? 'no reason given (use requires() or skipForHardware() from test/prereqs.ts)';
        const where = `${relative(this.vitest.config.root, module.moduleId)} > ${test.fullName}`;
        byReason.set(key, [...(byReason.get(key) ?? []), where]);
      }
    }
    const log = (line: string) => this.vitest.logger.log(line);
    const count = [...byReason.values()].reduce((n, tests) => n + tests.length, 0);
    log(count === 0 ? ' Skipped: none' : ` Skipped: ${count} test${count === 1 ? '' : 's'}, by reason:`);
    for (const [reason, tests] of byReason) {
      log(`   ${reason}`);
      for (const where of tests) log(`     ${where}`);
    }
    if (underCI && unexplained > 0) {
      this.vitest.logger.error(` CI=true: ${unexplained} test(s) skipped without a reason; this run fails.`);
      process.exitCode = 1;
    }
  }
}
