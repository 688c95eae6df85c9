#!/usr/bin/env python3
"""Runs the C tests of a build tree under valgrind memcheck (stage 35).

Every test whose command is an executable of the build tree (Criterion tests, the
examples, the hardening programs) runs under
  valgrind --trace-children=yes --leak-check=full --errors-for-leak-kinds=definite,indirect
with one log file per process (Criterion runs each test in a worker process, and a
worker's exit status does not reach the runner), then every log is read: a test
fails if any process reports an error ("ERROR SUMMARY: n" with n > 0: invalid
access, use of uninitialised memory, definite or indirect leak) or the test itself
fails. The CLI tests (tests/cli/test_cli.py, and tests/sbi/test_sbi_cli.py for
`aiotsec adm`) run with every CLI process under valgrind too, through a wrapper
given as AIOTSEC_CLI. The C tests of libaiotsec-sbi (tests/sbi) are Criterion
executables of the build tree: they run like every other C test.

Slow tests run at a reduced size under valgrind (AIOTSEC_TEST_REDUCED=1 is set for
every test; see REDUCED below for tests that take a size argument instead).
Two tests run at a time (2 cores). Exit status: 0 clean, 1 otherwise.

usage: valgrind_suite.py BUILD LOGDIR [--only REGEX] [--exclude REGEX]
"""
import argparse
import concurrent.futures
import os
import re
import shutil
import stat
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SUPP = os.path.join(HERE, "valgrind.supp")
VG = ["valgrind", "--tool=memcheck", "--trace-children=yes", "--leak-check=full",
      "--errors-for-leak-kinds=definite,indirect", "--show-leak-kinds=definite,indirect",
      "--track-origins=no", "--num-callers=30", f"--suppressions={SUPP}"]
# Executables that are not ours (the Python interpreter started by a test's own
# subprocess, the shell) are not traced.
VG += ["--trace-children-skip=*/python3*,*/sh,*/bash,*/env"]


# The CLI tests run under valgrind (every CLI process costs ~0.7 s there): the
# official vectors on every backend, the input forms, the lengths, the error
# reasons (several failure paths) and the write-error path. The full CLI test file
# runs under ASan with leak detection (stage 30).
CLI_SUBSET = ("profile0_vectors or kdf_params or default_backend or derive_lengths or "
              "test_version or write_error or reasons_are_specific or kdf_empty")
# `aiotsec adm` (libaiotsec-sbi through the CLI, ~1.8 s per process here): the vectors
# on the default backend, long lists, a 1 MB string and an over-long body (at the
# reduced sizes AIOTSEC_TEST_REDUCED selects), 413, and the exit-2 paths of the
# command's own code (stdin, key files). The C tests run every body through the
# library under valgrind; the full CLI file runs under ASan (stage 30).
SBI_CLI_SUBSET = ("(vectors and sodium) or ten_thousand or one_megabyte or body_over or too_many or "
                  "not_json or key_file")
# ctest name -> the pytest -k expression of its subset
CLI_TESTS = {"cli_commands": CLI_SUBSET, "sbi_cli": SBI_CLI_SUBSET}


def registered(build):
    sys.path.insert(0, HERE)
    import ctest_tests  # noqa: E402  (same directory)
    return list(ctest_tests.tests(build))


def errors_in(logdir, prefix):
    """(number of processes, [log excerpts with errors]) of one test's logs."""
    bad, n = [], 0
    for f in sorted(os.listdir(logdir)):
        if not f.startswith(prefix + "."):
            continue
        n += 1
        text = open(os.path.join(logdir, f), errors="replace").read()
        m = re.findall(r"ERROR SUMMARY: (\d+) errors", text)
        if any(int(x) for x in m):
            bad.append(f"{f}:\n" + "\n".join(text.splitlines()[:60]))
    return n, bad


def run_one(name, cmd, env, cwd, logdir, extra_env):
    prefix = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
    full_env = dict(os.environ)
    full_env.update(e.split("=", 1) for e in env)
    full_env.update(extra_env)
    t0 = time.time()
    p = subprocess.run(VG + [f"--log-file={logdir}/{prefix}.%p.log"] + cmd, cwd=cwd, env=full_env,
                       capture_output=True, text=True)
    n, bad = errors_in(logdir, prefix)
    ok = p.returncode == 0 and not bad and n > 0
    detail = "" if ok else (p.stdout[-3000:] + p.stderr[-3000:] + "\n".join(bad))
    return name, ok, time.time() - t0, n, detail


def cli_wrapper(logdir, prefix):
    """A script that runs the real CLI under valgrind (logs prefix.PID.log); exit status 97 on any error."""
    path = os.path.join(logdir, f"aiotsec-under-valgrind-{prefix}")
    args = " ".join(VG + ["--error-exitcode=97", f"--log-file={logdir}/{prefix}.%p.log"])
    with open(path, "w") as f:
        f.write(f'#!/bin/sh\nexec {args} "$REAL_AIOTSEC_CLI" "$@"\n')
    os.chmod(path, os.stat(path).st_mode | stat.S_IEXEC)
    return path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("logdir")
    ap.add_argument("--only", default=None)
    ap.add_argument("--exclude", default=None)
    ap.add_argument("--no-cli", action="store_true")
    args = ap.parse_args()
    build = os.path.realpath(args.build)
    shutil.rmtree(args.logdir, ignore_errors=True)
    os.makedirs(args.logdir)
    logdir = os.path.realpath(args.logdir)
    extra = {"AIOTSEC_TEST_REDUCED": "1"}

    jobs = []
    for name, cmd, env, cwd in registered(build):
        if not cmd or not os.path.realpath(cmd[0]).startswith(build + os.sep):
            continue
        if args.only and not re.search(args.only, name):
            continue
        if args.exclude and re.search(args.exclude, name):
            continue
        jobs.append((name, cmd, env, cwd))
    cli_jobs = []
    if not args.no_cli:
        for name, cmd, env, cwd in registered(build):
            if name in CLI_TESTS:
                prefix = "cli" if name == "cli_commands" else name.replace("_", "")
                real = next(e.split("=", 1)[1] for e in env if e.startswith("AIOTSEC_CLI="))
                env = [e for e in env if not e.startswith("AIOTSEC_CLI=")]
                env += [f"AIOTSEC_CLI={cli_wrapper(logdir, prefix)}", f"REAL_AIOTSEC_CLI={real}"]
                cli_jobs.append(((name + "_cli_under_valgrind", cmd + ["-k", CLI_TESTS[name]], env, cwd), prefix))

    failed = []
    t_start = time.time()
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as ex:
        futs = [ex.submit(run_one, *j, logdir, extra) for j in jobs]
        for cli_job, prefix in cli_jobs:
            futs.append(ex.submit(run_cli, cli_job, logdir, extra, prefix))
        for fut in concurrent.futures.as_completed(futs):
            name, ok, secs, nproc, detail = fut.result()
            print(f"{'ok  ' if ok else 'FAIL'} {name:40s} {secs:6.1f} s  {nproc} processes", flush=True)
            if not ok:
                failed.append(name)
                print(detail)
    print(f"valgrind memcheck: {len(futs) - len(failed)} passed, {len(failed)} failed "
          f"({time.time() - t_start:.0f} s)")
    return 1 if failed else 0


def run_cli(job, logdir, extra, prefix):
    """A CLI pytest: pytest itself is not traced; every CLI process is (wrapper, logs prefix.*)."""
    name, cmd, env, cwd = job
    full_env = dict(os.environ)
    full_env.update(e.split("=", 1) for e in env)
    full_env.update(extra)
    t0 = time.time()
    p = subprocess.run(cmd, cwd=cwd, env=full_env, capture_output=True, text=True)
    n, bad = errors_in(logdir, prefix)
    ok = p.returncode == 0 and not bad and n > 0
    detail = "" if ok else (p.stdout[-3000:] + p.stderr[-3000:] + "\n".join(bad))
    return name, ok, time.time() - t0, n, detail


if __name__ == "__main__":
    sys.exit(main())
