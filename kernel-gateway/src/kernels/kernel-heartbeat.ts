import type { KernelChannels } from '../wire/kernel-channels.js';

/**
 * Pings a kernel's heartbeat channel every `intervalMs` (a ping waits at
 * most that long, 5 s at most) and calls `onLost` once `maxMisses` pings
 * in a row went unanswered. Stops looking at answers once `isCurrent` says
 * the channels are no longer the kernel's (restarted, dead). Returns the
 * timer (unref'd), for `clearInterval`.
 */
export function startHeartbeat(
  channels: KernelChannels,
  options: {
    intervalMs: number;
    maxMisses: number;
    isCurrent: () => boolean;
    onLost: (misses: number) => void;
  }
): NodeJS.Timeout {
  const { intervalMs, isCurrent } = options;
  let misses = 0;
  let isBeating = false;
  const timer = setInterval(() => {
    if (isBeating || !isCurrent()) return;
    isBeating = true;
    void channels.ping(Math.min(intervalMs, 5000)).then(isAlive => {
      isBeating = false;
      if (!isCurrent()) return;
      misses = isAlive ? 0 : misses + 1;
      if (misses >= options.maxMisses) options.onLost(misses);
    });
  }, intervalMs);
  timer.unref();
  return timer;
}
