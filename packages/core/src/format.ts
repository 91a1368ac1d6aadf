/** 1234567 → '1,234,567' (no locale data needed, same text everywhere): byte and pixel counts in messages. */
export function groupDigits(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
