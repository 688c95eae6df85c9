#!/usr/bin/env python3
"""Lists the tests a build directory registers with ctest, grouped for the hardening stages.

  ctest_tests.py groups BUILD   -> two lines: "native <regex>" and "hosted <regex>"
      native: the test's process tree runs our own executables only (Criterion tests,
              examples, the CLI driven by a Python script), so every process that
              holds the library is instrumented.
      hosted: the library is loaded into an uninstrumented host (Python ctypes, or
              programs compiled by the test without sanitizer flags). A test whose
              command carries -fsanitize= flags compiles its programs instrumented
              (tests/CMakeLists.txt, AIOTSEC_TEST_PROGRAM_CFLAGS): native.
  ctest_tests.py run BUILD NAME [EXTRA...] -> runs one registered test as ctest would
              (same command, environment and directory) with EXTRA arguments appended:
              how a stage runs a slow test at a reduced size; exits with its status.
  ctest_tests.py elf BUILD      -> one line per test whose command is an executable of
              the build tree: name <TAB> working directory <TAB> env (k=v;...) <TAB> argv...
"""
import json
import os
import re
import subprocess
import sys


def tests(build):
    out = subprocess.run(["ctest", "--test-dir", build, "--show-only=json-v1"],
                         check=True, capture_output=True, text=True).stdout
    for t in json.loads(out)["tests"]:
        props = {p["name"]: p["value"] for p in t.get("properties", [])}
        env = props.get("ENVIRONMENT", [])
        if isinstance(env, str):
            env = [env]
        yield t["name"], t.get("command", []), env, props.get("WORKING_DIRECTORY", build)


def is_hosted(cmd, env, name):
    if any(e.startswith("AIOTSEC_LIBRARY=") for e in env):
        return True
    # A test that compiles programs (the consumers, the README's examples) passes them
    # the build's sanitizer flags in a sanitizer build: they are instrumented, so native.
    if any("-fsanitize=" in c for c in cmd):
        return False
    if "--lib" in cmd or "--include" in cmd or name.startswith("consumer"):
        return True
    return False


def main():
    mode, build = sys.argv[1], os.path.realpath(sys.argv[2])
    if mode == "groups":
        native, hosted = [], []
        for name, cmd, env, _ in tests(build):
            (hosted if is_hosted(cmd, env, name) else native).append(name)
        def rx(names):
            return "^(" + "|".join(re.escape(n) for n in names) + ")$" if names else "^$"
        print("native", rx(native))
        print("hosted", rx(hosted))
    elif mode == "elf":
        for name, cmd, env, cwd in tests(build):
            if cmd and os.path.realpath(cmd[0]).startswith(build + os.sep):
                print("\t".join([name, cwd, ";".join(env)] + cmd))
    elif mode == "run":
        for name, cmd, env, cwd in tests(build):
            if name == sys.argv[3]:
                full_env = dict(os.environ)
                full_env.update(e.split("=", 1) for e in env)
                print("+", " ".join(cmd + sys.argv[4:]), flush=True)
                sys.exit(subprocess.run(cmd + sys.argv[4:], env=full_env, cwd=cwd).returncode)
        sys.exit(f"no test named {sys.argv[3]}")
    else:
        sys.exit("usage: ctest_tests.py groups|elf|run BUILD ...")


if __name__ == "__main__":
    main()
