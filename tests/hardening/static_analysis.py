#!/usr/bin/env python3
"""cppcheck and clang-tidy on src/ and backends/ (stage 55).

Both read the compile commands of BUILD (CMAKE_EXPORT_COMPILE_COMMANDS=ON), restricted
to the library's sources. cppcheck: warning, performance and portability checks, the
reviewed false positives in tests/hardening/cppcheck-suppressions.txt. clang-tidy: the
checks of the top-level .clang-tidy; a finding fails unless it is listed in
tests/hardening/clang-tidy-known.txt. Exit 0 when both are clean.

usage: static_analysis.py BUILD
"""
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
JOBS = os.environ.get("AIOTSEC_JOBS", "2")


def lib_sources(build, tmp):
    entries = json.load(open(os.path.join(build, "compile_commands.json")))
    keep = [e for e in entries
            if os.path.relpath(e["file"], ROOT).split(os.sep)[0] in ("src", "backends")]
    path = os.path.join(tmp, "compile_commands.json")
    json.dump(keep, open(path, "w"), indent=1)
    return path, [e["file"] for e in keep]


def run_cppcheck(cc, tmp):
    cmd = ["cppcheck", f"--project={cc}", "--enable=warning,performance,portability", "--std=c11",
           "--error-exitcode=1", f"-j{JOBS}", f"--cppcheck-build-dir={tmp}", "--quiet",
           "--inline-suppr", f"--suppressions-list={HERE}/cppcheck-suppressions.txt",
           # The version check in openssl_backend.c needs the real OPENSSL_VERSION_NUMBER.
           "--include=/usr/include/openssl/opensslv.h",
           "--template={file}:{line}: {severity}: {message} [{id}]"]
    p = subprocess.run(cmd, capture_output=True, text=True)
    out = (p.stdout + p.stderr).strip()
    if out:
        print(out)
    print(f"cppcheck: {'clean' if p.returncode == 0 else 'FINDINGS'}")
    return p.returncode == 0


def run_clang_tidy(build, files):
    known = []
    for line in open(os.path.join(HERE, "clang-tidy-known.txt")):
        line = line.split("#", 1)[0].split()
        if len(line) == 2:
            known.append(tuple(line))
    cmd = ["run-clang-tidy", "-p", build, f"-j{JOBS}", "-quiet"] + files
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    text = re.sub(r"\x1b\[[0-9;]*m", "", p.stdout + p.stderr)
    new, listed = [], 0
    for m in re.finditer(r"^(\S+?):(\d+):\d+: (warning|error): (.*) \[([\w.,-]+)\]$", text, re.M):
        path, line, _, msg, checks = m.groups()
        rel = os.path.relpath(path, ROOT)
        if any(rel.endswith(k[0]) and k[1] in checks.split(",") for k in known):
            listed += 1
            continue
        new.append(f"{rel}:{line}: {msg} [{checks}]")
    if re.search(r"^Error while processing", text, re.M):
        new.append("clang-tidy could not process a file:\n" + text[-2000:])
    for n in new:
        print(n)
    print(f"clang-tidy: {len(files)} files, {len(new)} new findings, {listed} known (clang-tidy-known.txt)")
    return not new


def main():
    build = os.path.realpath(sys.argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        cc, files = lib_sources(build, tmp)
        ok = run_cppcheck(cc, tmp)
        ok = run_clang_tidy(build, files) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
