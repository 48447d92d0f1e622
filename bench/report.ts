// Plain-text output: aligned tables, ms with 2 decimals.
export const ms = (value: number): string => (Number.isFinite(value) ? value.toFixed(2) : 'n/a')
export const ratio = (value: number): string => (Number.isFinite(value) ? value.toFixed(2) : 'n/a')
export const int = (value: number): string => Math.round(value).toLocaleString('en-US')
export const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1)

export type Align = 'left' | 'right'

/** A table with a header row; columns are right-aligned unless said otherwise. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[] = []): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => ((align[i] ?? 'right') === 'left' ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd()
  const rule = widths.map((w) => '-'.repeat(w)).join('  ')
  return [line(header), rule, ...rows.map(line)].join('\n')
}
