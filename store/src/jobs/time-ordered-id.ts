import { randomBytes } from 'node:crypto';

let lastMs = 0;
let counter = 0;

/**
 * A new id in UUID version 7 layout: milliseconds since the epoch, then a
 * counter that keeps ids made in the same millisecond by this process in
 * creation order, then random bits. Sorting by id therefore breaks ties of
 * `createdAt` in creation order, which keeps the queue FIFO and paging stable
 * on both backends.
 */
export function newTimeOrderedId(now: number = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    counter = 0;
  } else {
    counter++;
    if (counter > 0xfff) {
      // More than 4096 ids in one millisecond: borrow the next one.
      lastMs++;
      counter = 0;
    }
  }
  const hex =
    lastMs.toString(16).padStart(12, '0') +
    '7' +
    counter.toString(16).padStart(3, '0') +
    ((randomBytes(1)[0] & 0x3f) | 0x80).toString(16) +
    randomBytes(7).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
