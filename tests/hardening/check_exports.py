#!/usr/bin/env python3
"""The exported symbols of libaiotsec.so are exactly the public API (stage 50).

The public API is every function declared with AIOTSEC_API in include/aiotsec/*.h
(parsed here: comments removed, then the identifier right before the opening
parenthesis of each AIOTSEC_API declaration). The exported symbols are
`nm -D --defined-only` of the library, without the version node (type A).
Fails, listing the names, if a symbol is exported that no header declares (an
internal function leaking out), if a declared function is not exported, or if an
exported name lacks the aiotsec_ prefix.

usage: check_exports.py LIBRARY INCLUDE_DIR
"""
import glob
import os
import re
import subprocess
import sys


def declared(include_dir):
    names = {}
    for path in sorted(glob.glob(os.path.join(include_dir, "*.h"))):
        text = open(path, encoding="utf-8").read()
        text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
        text = re.sub(r"//[^\n]*", " ", text)
        text = re.sub(r"^\s*#.*$", " ", text, flags=re.M)  # the macro definitions themselves
        for m in re.finditer(r"\bAIOTSEC_API\b([^;{]*?)\b([A-Za-z_]\w*)\s*\(", text):
            names[m.group(2)] = os.path.basename(path)
    return names


def exported(lib):
    out = subprocess.run(["nm", "-D", "--defined-only", lib], check=True, capture_output=True,
                         text=True).stdout
    syms = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[1] != "A":
            syms.add(parts[2].split("@")[0])
    return syms


def main():
    lib, inc = sys.argv[1], sys.argv[2]
    api = declared(inc)
    syms = exported(lib)
    extra = sorted(syms - set(api))
    missing = sorted(set(api) - syms)
    badprefix = sorted(s for s in syms if not s.startswith("aiotsec_"))
    for s in extra:
        print(f"exported but not declared AIOTSEC_API in include/aiotsec: {s}")
    for s in missing:
        print(f"declared AIOTSEC_API in {api[s]} but not exported: {s}")
    for s in badprefix:
        print(f"exported without the aiotsec_ prefix: {s}")
    print(f"exports: {len(syms)} symbols, public API: {len(api)} functions, "
          f"{len(extra)} extra, {len(missing)} missing")
    return 1 if extra or missing or badprefix else 0


if __name__ == "__main__":
    sys.exit(main())
