// Two workers, as in packages/trainer: the CLI and trainer suites are the last two of `pnpm test`
// (turbo --concurrency=2), and whichever finishes second runs alone; one worker left a core idle.
module.exports = { ...require('@clade/jest-preset'), maxWorkers: 2 };
