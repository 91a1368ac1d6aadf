import { formatTable } from '@clade/core/internal';

/** Prints rows as an aligned plain-text table. */
export function printTable(header: string[], rows: Array<Array<string | number>>, out: { write(s: string): unknown } = process.stdout): void {
  out.write(formatTable(header, rows));
}
