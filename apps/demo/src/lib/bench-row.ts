// The row type's home is @clade/browser, beside the benchmark that reads the rows; the page's
// bench mode takes it from here.
export type { BenchRow } from '@clade/browser';
