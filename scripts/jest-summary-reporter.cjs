// Prints one plain closing line, `tests: N passed, N failed, N skipped`, after Jest's own
// summary, so that CI (and people skimming a log) read the outcome without parsing Jest's.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const failedSuites = results.numFailedTestSuites + results.numRuntimeErrorTestSuites;
    if (failedSuites > 0 && results.numFailedTests === 0) {
      // A suite that failed to load has no failed test; count it so the line cannot read green.
      console.log(
        `\ntests: ${results.numPassedTests} passed, ${failedSuites} failed, ${skipped} skipped`,
      );
      return;
    }
    console.log(
      `\ntests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped`,
    );
  }
}
module.exports = SummaryReporter;
