#!/usr/bin/env python3
"""Compiles and runs every ```c block of the README against the built library.

A block is a whole program; it runs with the vectors directory as its only
argument and must exit 0. At least one block must exist, so a README that
lost its examples fails too. Each file named with --verbatim (the per-role
examples in examples/) must stand in the README as one of its blocks, unchanged,
so the README and the example files cannot drift apart."""
import argparse
import os
import re
import shlex
import subprocess
import sys


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--readme", required=True)
    ap.add_argument("--cc", default="cc", help="the C compiler (the build's)")
    ap.add_argument("--cflags", default="", help="extra flags, one string (the build's CFLAGS and sanitizers)")
    ap.add_argument("--include", required=True)
    ap.add_argument("--lib", required=True)
    ap.add_argument("--vectors", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--verbatim", nargs="*", default=[])
    a = ap.parse_args()
    text = open(a.readme, encoding="utf-8").read()
    blocks = re.findall(r"^```c\n(.*?)^```", text, flags=re.S | re.M)
    if not blocks:
        print("no ```c blocks in the README")
        return 1
    failed = 0
    for path in a.verbatim:
        if open(path, encoding="utf-8").read() not in blocks:
            print(f"{path}: not in the README verbatim (update the README's copy)")
            failed += 1
    os.makedirs(a.workdir, exist_ok=True)
    libdir = os.path.dirname(os.path.abspath(a.lib))
    for i, code in enumerate(blocks, 1):
        src = os.path.join(a.workdir, f"example{i}.c")
        exe = os.path.join(a.workdir, f"example{i}")
        with open(src, "w", encoding="utf-8") as f:
            f.write(code)
        cc = [a.cc, "-std=c11", "-Wall", "-Wextra", "-Wpedantic", "-Werror", *shlex.split(a.cflags),
              "-I", a.include, src, "-o", exe, "-L", libdir, "-laiotsec", "-Wl,-rpath," + libdir]
        r = subprocess.run(cc, capture_output=True, text=True)
        if r.returncode != 0:
            print(f"example {i}: does not compile\n{r.stderr}")
            failed += 1
            continue
        r = subprocess.run([exe, a.vectors], capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            print(f"example {i}: exit {r.returncode}\n{r.stdout}{r.stderr}")
            failed += 1
            continue
        print(f"example {i}: ok")
    print(f"{len(blocks) + len(a.verbatim) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
