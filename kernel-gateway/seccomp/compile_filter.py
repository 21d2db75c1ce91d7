"""Compiles the kernel sandbox's seccomp profile (profile.json) into the BPF
program bubblewrap loads with --seccomp, using libseccomp's Python binding
(Debian: python3-seccomp). No BPF is written by hand.

    /usr/bin/python3 compile_filter.py profile.json out.bpf   (or - for stdout)

Names libseccomp does not know on this architecture are skipped (listed on
stderr); a profile action it does not know is an error.
"""

from __future__ import annotations

import errno
import json
import sys

import seccomp

OPS = {
    "SCMP_CMP_EQ": seccomp.EQ,
    "SCMP_CMP_NE": seccomp.NE,
    "SCMP_CMP_LT": seccomp.LT,
    "SCMP_CMP_LE": seccomp.LE,
    "SCMP_CMP_GT": seccomp.GT,
    "SCMP_CMP_GE": seccomp.GE,
    "SCMP_CMP_MASKED_EQ": seccomp.MASKED_EQ,
}


def action(name: str, errno_ret: int) -> object:
    if name == "SCMP_ACT_ALLOW":
        return seccomp.ALLOW
    if name == "SCMP_ACT_ERRNO":
        return seccomp.ERRNO(errno_ret)
    raise ValueError(f"unsupported action {name}")


def build(profile: dict) -> seccomp.SyscallFilter:
    default_errno = int(profile.get("defaultErrnoRet", errno.EPERM))
    ruleset = seccomp.SyscallFilter(action(profile["defaultAction"], default_errno))
    # A binary tree of the syscall numbers instead of one long chain: every
    # syscall of the kernel passes the filter, so its length is paid each time.
    ruleset.set_attr(seccomp.Attr.CTL_OPTIMIZE, 2)
    # Only the native ABI is in the filter: 32-bit (int 0x80) and x32
    # syscalls take the bad-architecture action.
    bad_arch = profile.get("badArchAction")
    if bad_arch:
        ruleset.set_attr(seccomp.Attr.ACT_BADARCH, action(bad_arch, default_errno))
    skipped = []
    for rule in profile["syscalls"]:
        act = action(rule["action"], int(rule.get("errnoRet", default_errno)))
        args = [
            seccomp.Arg(a["index"], OPS[a["op"]], a["value"], a.get("valueTwo", 0))
            for a in rule.get("args", [])
        ]
        for name in rule["names"]:
            try:
                seccomp.resolve_syscall(seccomp.Arch.NATIVE, name)
            except ValueError:
                skipped.append(name)
                continue
            ruleset.add_rule(act, name, *args)
    if skipped:
        print(f"not on this architecture, skipped: {' '.join(sorted(set(skipped)))}", file=sys.stderr)
    return ruleset


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as handle:
        ruleset = build(json.load(handle))
    if argv[1] == "-":
        ruleset.export_bpf(sys.stdout)
    else:
        with open(argv[1], "wb") as out:
            ruleset.export_bpf(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
