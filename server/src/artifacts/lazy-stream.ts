import { Readable } from 'node:stream';

/**
 * A stream that opens its source only when first read: a zip of many
 * artifacts holds one open file (or GridFS cursor) at a time, not all.
 */
export function lazyStream(open: () => Promise<Readable>): Readable {
  let source: Readable | undefined;
  const out: Readable = new Readable({
    read() {
      if (source) {
        source.resume();
        return;
      }
      open().then(
        s => {
          source = s;
          s.on('data', chunk => {
            if (!out.push(chunk)) s.pause();
          });
          s.once('end', () => out.push(null));
          s.once('error', error => out.destroy(error));
        },
        error => out.destroy(error)
      );
    },
    destroy(error, callback) {
      source?.destroy();
      callback(error);
    }
  });
  return out;
}
