// Computes one plain closing line, `tests: N passed, N failed, N skipped`, so that CI (and
// people skimming a log) read the outcome without parsing Jest's summary. Jest prints its own
// summary after every reporter, so scripts/test.mjs prints this line last, from the file named
// by IHF_TEST_SUMMARY_FILE; without that variable the line is printed here.
const { writeFileSync } = require('node:fs');

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    // A suite that failed to load has no failed test; count it so the line cannot read green.
    const brokenSuites = results.numRuntimeErrorTestSuites;
    const failed = results.numFailedTests + brokenSuites;
    const line = `tests: ${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped`;
    if (process.env.IHF_TEST_SUMMARY_FILE) writeFileSync(process.env.IHF_TEST_SUMMARY_FILE, line);
    else console.log(`\n${line}`);
  }
}
module.exports = SummaryReporter;
