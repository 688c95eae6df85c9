#!/usr/bin/env python3
"""The exported symbols of a library are exactly its public API (stage 50).

The public API is every function declared with the export macro (AIOTSEC_API for
libaiotsec, AIOTSEC_SBI_API for libaiotsec-sbi) in the headers of INCLUDE_DIR
(parsed here: comments removed, then the identifier right before the opening
parenthesis of each such declaration). The exported symbols are
`nm -D --defined-only` of the library, without the version node (type A).
Fails, listing the names, if a symbol is exported that no header declares (an
internal function leaking out), if a declared function is not exported, or if an
exported name lacks the prefix.

usage: check_exports.py LIBRARY INCLUDE_DIR [--macro AIOTSEC_API] [--prefix aiotsec_]
"""
import argparse
import glob
import os
import re
import subprocess
import sys


def declared(include_dir, macro="AIOTSEC_API"):
    names = {}
    for path in sorted(glob.glob(os.path.join(include_dir, "*.h"))):
        text = open(path, encoding="utf-8").read()
        text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
        text = re.sub(r"//[^\n]*", " ", text)
        text = re.sub(r"^\s*#.*$", " ", text, flags=re.M)  # the macro definitions themselves
        for m in re.finditer(r"\b" + re.escape(macro) + r"\b([^;{]*?)\b([A-Za-z_]\w*)\s*\(", text):
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
    ap = argparse.ArgumentParser()
    ap.add_argument("library")
    ap.add_argument("include_dir")
    ap.add_argument("--macro", default="AIOTSEC_API")
    ap.add_argument("--prefix", default="aiotsec_")
    args = ap.parse_args()
    lib, inc = args.library, args.include_dir
    api = declared(inc, args.macro)
    syms = exported(lib)
    extra = sorted(syms - set(api))
    missing = sorted(set(api) - syms)
    badprefix = sorted(s for s in syms if not s.startswith(args.prefix))
    for s in extra:
        print(f"exported but not declared {args.macro} in {inc}: {s}")
    for s in missing:
        print(f"declared {args.macro} in {api[s]} but not exported: {s}")
    for s in badprefix:
        print(f"exported without the {args.prefix} prefix: {s}")
    print(f"{os.path.basename(lib)} exports: {len(syms)} symbols, public API: {len(api)} functions, "
          f"{len(extra)} extra, {len(missing)} missing")
    return 1 if extra or missing or badprefix or not api else 0


if __name__ == "__main__":
    sys.exit(main())
