#!/usr/bin/env python3
"""cppcheck and clang-tidy on the library sources: src/, backends/ and the companion
libraries sbi/, keydb/, h2/ (stage 55).

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


def is_library_source(rel):
    """The core (src/, backends/) and the companion libraries' sources (not their benches)."""
    parts = rel.split(os.sep)
    return (parts[0] in ("src", "backends")
            or (len(parts) > 2 and parts[0] in ("sbi", "keydb") and parts[1] == "src")
            or (len(parts) > 2 and parts[0] == "h2" and parts[1] in ("client", "server")))


def lib_sources(build, tmp):
    entries = json.load(open(os.path.join(build, "compile_commands.json")))
    keep = [e for e in entries if is_library_source(os.path.relpath(e["file"], ROOT))]
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
    new, listed, used = [], 0, set()
    # A diagnostic starts with "path:line:col: warning|error: message"; its check name
    # is the first "[check]" at the end of a line of its block (some messages, e.g.
    # the padding checker's, span several lines).
    heads = list(re.finditer(r"^(/\S+?):(\d+):\d+: (warning|error): ", text, re.M))
    for i, m in enumerate(heads):
        block = text[m.start():heads[i + 1].start() if i + 1 < len(heads) else len(text)]
        c = re.search(r"\[((?:clang-analyzer|clang-diagnostic|bugprone|cert|misc|performance|"
                      r"portability|readability)-[\w.,-]+)\]\s*$", block, re.M)
        checks = c.group(1) if c else "unknown-check"
        path, line = m.group(1), m.group(2)
        rel = os.path.relpath(path, ROOT)
        hit = [k for k in known if rel.endswith(k[0]) and k[1] in checks.split(",")]
        if hit:
            listed += 1
            used.update(hit)
            continue
        first = re.sub(r"\s*\[[\w.,-]+\]\s*$", "", block.splitlines()[0][m.end() - m.start():])
        new.append(f"{rel}:{line}: {first} [{checks}]")
    if re.search(r"^Error while processing", text, re.M):
        new.append("clang-tidy could not process a file:\n" + text[-2000:])
    for n in new:
        print(n)
    for k in known:
        if k not in used:
            print(f"note: clang-tidy-known.txt entry no longer needed (fixed?): {k[0]} {k[1]}")
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
