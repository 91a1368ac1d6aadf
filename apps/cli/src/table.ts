/** Prints rows as an aligned plain-text table (no colours: output is often piped or logged). */
export function printTable(header: string[], rows: Array<Array<string | number>>, out = process.stdout): void {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  out.write(`${line(cells[0]!)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const r of cells.slice(1)) out.write(`${line(r)}\n`);
}
