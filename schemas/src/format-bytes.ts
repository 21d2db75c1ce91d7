/**
 * A size as people read it, in binary units: `312 B`, `1.5 MiB`, `3 MiB`,
 * `189 KiB` (one decimal under 10, none for whole numbers). One rendering
 * for the gateway's log lines and the lab's lists.
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const shown = Number.isInteger(value)
    ? String(value)
    : value < 10
      ? value.toFixed(1)
      : String(Math.round(value));
  return `${shown} ${units[unit]}`;
}
