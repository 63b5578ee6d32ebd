// Ends the run with one plain line that any CI log reader can count: "jest: N passed, N failed, N skipped".
class SummaryReporter {
	onRunComplete(_contexts, results) {
		process.stdout.write(
			`jest: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests} skipped\n`,
		);
	}
}

module.exports = SummaryReporter;
