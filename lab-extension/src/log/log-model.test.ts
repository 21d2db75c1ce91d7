// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { Widget } from '@lumino/widgets';
import { LogModel, type ILogBatch } from './log-model.js';
import { LogView } from './log-view.js';
import { TailFollower } from './tail-follow.js';

function manualFrames(): {
  schedule: (cb: () => void) => () => void;
  run: () => void;
  count: () => number;
} {
  let queue: (() => void)[] = [];
  let scheduled = 0;
  return {
    schedule: cb => {
      scheduled++;
      queue.push(cb);
      return () => (queue = queue.filter(q => q !== cb));
    },
    run: () => {
      const q = queue;
      queue = [];
      q.forEach(cb => cb());
    },
    count: () => scheduled
  };
}

describe('LogModel.append()', () => {
  it('should deliver everything appended within a frame as one batch', () => {
    const frames = manualFrames();
    const model = new LogModel(frames.schedule);
    const batches: ILogBatch[] = [];
    model.flushed.connect((_, b) => batches.push(b));
    for (let i = 0; i < 100_000; i++) {
      model.append(i % 1000 === 999 ? 'stderr' : 'stdout', `line ${i}\n`);
    }
    expect(batches).toHaveLength(0);
    expect(frames.count()).toBe(1);
    frames.run();
    expect(batches).toHaveLength(1);
    expect(batches[0].lineCount).toBe(100_000);
    // Consecutive pieces of one stream are merged: 100 stderr lines split 200 runs.
    expect(batches[0].entries.length).toBe(200);
    const text = batches[0].entries.map(e => e.text).join('');
    expect(text.startsWith('line 0\nline 1\n')).toBe(true);
    expect(text.endsWith('line 99999\n')).toBe(true);
  });
});

describe('LogView', () => {
  it('should render 100,000 lines in bounded <pre> blocks with stderr told apart', () => {
    const frames = manualFrames();
    const model = new LogModel(frames.schedule);
    const view = new LogView(model, { blockLines: 2000, maxBlocks: 100 });
    Widget.attach(view, document.body);
    const started = performance.now();
    for (let frame = 0; frame < 100; frame++) {
      for (let i = 0; i < 1000; i++) {
        model.append(
          'stdout',
          `step ${frame * 1000 + i} loss=\x1b[32m0.1\x1b[0m\n`
        );
      }
      model.append('stderr', `warning ${frame}\n`);
      frames.run();
    }
    const elapsed = performance.now() - started;
    expect(model.lineCount).toBe(100_100);
    expect(view.blockCount).toBeLessThanOrEqual(52);
    expect(view.node.querySelectorAll('.jp-jaxlab-stderr')).toHaveLength(100);
    expect(view.node.querySelector('.jp-jaxlab-stderr')!.textContent).toBe(
      'warning 0\n'
    );
    expect(view.node.querySelectorAll('.jp-jaxlab-ansi-fg-2').length).toBe(
      100_000
    );
    expect(view.node.textContent).toContain('step 99999 loss=0.1');
    expect(elapsed).toBeLessThan(20_000);
    Widget.detach(view);
    view.dispose();
  });

  it('should drop the oldest blocks past maxBlocks and say so', () => {
    const frames = manualFrames();
    const model = new LogModel(frames.schedule);
    const view = new LogView(model, { blockLines: 10, maxBlocks: 3 });
    Widget.attach(view, document.body);
    for (let i = 0; i < 100; i++) {
      model.append('stdout', `l${i}\n`);
    }
    frames.run();
    expect(view.blockCount).toBeLessThanOrEqual(3);
    expect(view.node.textContent).toContain('l99');
    expect(view.node.textContent).not.toContain('l5\n');
    expect(
      view.node.querySelector('.jp-jaxlab-LogView-note')!.textContent
    ).toMatch(/earlier lines/);
    Widget.detach(view);
    view.dispose();
  });
});

describe('TailFollower.onScroll()', () => {
  it('should stop following when the user scrolls up and resume at the bottom', () => {
    const follower = new TailFollower();
    expect(follower.isFollowing).toBe(true);
    follower.onScroll({
      scrollTop: 100,
      scrollHeight: 1000,
      clientHeight: 200
    });
    expect(follower.isFollowing).toBe(false);
    follower.onScroll({
      scrollTop: 798,
      scrollHeight: 1000,
      clientHeight: 200
    });
    expect(follower.isFollowing).toBe(true);
  });

  it('should ignore the scroll the view makes itself', () => {
    const follower = new TailFollower();
    follower.onScroll({ scrollTop: 0, scrollHeight: 1000, clientHeight: 200 });
    follower.follow();
    follower.willScrollTo(800);
    // Content grew between our scroll and the event: still ours.
    follower.onScroll({
      scrollTop: 800,
      scrollHeight: 1500,
      clientHeight: 200
    });
    expect(follower.isFollowing).toBe(true);
  });
});
