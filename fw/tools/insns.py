#!/usr/bin/env python3
"""Instruction counts between the fw_mark() calls of a firmware run, from a qemu
execution trace (qemu-system-arm -singlestep -d exec,nochain -D TRACE: one
"Trace" line per executed instruction, each naming its function).

usage: insns.py TRACE          prints the count of every interval, one a line

Interval i is the number of instructions executed from the i-th fw_mark() call
up to the (i+1)-th, fw_mark's own two instructions and the call included.
"""
import sys


def intervals(path):
    marks = []
    n = 0
    prev_mark = False
    with open(path, "rb") as f:
        for line in f:
            if not line.startswith(b"Trace "):
                continue
            is_mark = line.rstrip().endswith(b" fw_mark")
            # fw_mark's body is two instructions, each its own line: count its entry once.
            if is_mark and not prev_mark:
                marks.append(n)
            prev_mark = is_mark
            n += 1
    return [b - a for a, b in zip(marks, marks[1:])]


def main():
    for v in intervals(sys.argv[1]):
        print(v)


if __name__ == "__main__":
    main()
