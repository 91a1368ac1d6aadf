// Two workers: trainer is the longest suite and runs last in `pnpm test` (turbo --concurrency=2),
// alone for its final minutes once the CLI suite is done; with one worker a core idled there.
module.exports = { ...require('@clade/jest-preset'), maxWorkers: 2 };
