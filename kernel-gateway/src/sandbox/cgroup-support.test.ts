import { describe, expect, it } from 'vitest';

import {
  parseCgroupMounts,
  parseProcCgroup,
  selectCgroupMode
} from './cgroup-support.js';

const HYBRID_MOUNTINFO = [
  '40 30 0:35 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
  '41 30 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids',
  '42 30 0:37 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer',
  '43 30 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
  '44 30 0:39 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu'
].join('\n');
const HYBRID_SELF =
  '8:pids:/\n6:freezer:/\n4:memory:/process_api/abc\n1:cpu:/\n0::/\n';

describe('parseCgroupMounts()', () => {
  it('should find v2 and the memory, pids, freezer and cpu v1 hierarchies', () => {
    expect(parseCgroupMounts(HYBRID_MOUNTINFO)).toEqual([
      { mountPoint: '/sys/fs/cgroup/memory', kind: ['memory'] },
      { mountPoint: '/sys/fs/cgroup/pids', kind: ['pids'] },
      { mountPoint: '/sys/fs/cgroup/freezer', kind: ['freezer'] },
      { mountPoint: '/sys/fs/cgroup/unified', kind: 'cgroup2' },
      { mountPoint: '/sys/fs/cgroup/cpu', kind: ['cpu'] }
    ]);
  });
});

describe('selectCgroupMode()', () => {
  const mounts = parseCgroupMounts(HYBRID_MOUNTINFO);
  const ownCgroups = parseProcCgroup(HYBRID_SELF);

  it('should pick v1 limits with v2 cgroup.kill on a hybrid host, nested in the own cgroup', () => {
    const support = selectCgroupMode({
      mounts,
      ownCgroups,
      v2Controllers: [],
      isWritable: () => true
    });
    expect(support.mode).toBe('v1');
    expect(support.parents).toEqual({
      memory: '/sys/fs/cgroup/memory/process_api/abc/jaxlab',
      pids: '/sys/fs/cgroup/pids/jaxlab',
      freezer: '/sys/fs/cgroup/freezer/jaxlab',
      cpu: '/sys/fs/cgroup/cpu/jaxlab',
      unified: '/sys/fs/cgroup/unified/jaxlab'
    });
  });

  it('should pick v2 when memory and pids are delegated', () => {
    const support = selectCgroupMode({
      mounts,
      ownCgroups,
      v2Controllers: ['memory', 'pids'],
      isWritable: () => true
    });
    expect(support.mode).toBe('v2');
    expect(support.parents).toEqual({
      unified: '/sys/fs/cgroup/unified/jaxlab'
    });
  });

  it('should fall back to rlimits when no cgroup is writable', () => {
    const support = selectCgroupMode({
      mounts,
      ownCgroups,
      v2Controllers: [],
      isWritable: () => false
    });
    expect(support.mode).toBe('rlimit');
  });
});
