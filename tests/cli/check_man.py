#!/usr/bin/python3
"""Checks docs/aiotsec.1 (run by ctest as cli_man_page when groff is installed).

1. groff -man -ww renders it without a single warning (any output on stderr fails).
2. It documents every command of `aiotsec --help` and every option of every
   command's --help text, so that a new option cannot be left out of the manual.
3. It names the environment variable AIOTSEC_NATIVE_PATH and the exit statuses.

usage: check_man.py GROFF MANPAGE CLI
"""
import re
import subprocess
import sys


def main():
    groff, page, cli = sys.argv[1:4]
    # Warnings: everything on stderr is a failure. Text: ASCII, no hyphenation, wide
    # lines, so that every option is one unbroken word.
    p = subprocess.run([groff, "-man", "-Tascii", "-ww", "-rHY=0", "-rLL=250n", "-P-cbou", page],
                       capture_output=True, text=True)
    if p.returncode != 0 or p.stderr:
        sys.exit("groff: exit %d, warnings:\n%s" % (p.returncode, p.stderr))
    text = p.stdout
    missing = []

    def helptext(*argv):
        r = subprocess.run([cli] + list(argv), capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit("%s %s --help: exit %d %s" % (cli, " ".join(argv), r.returncode, r.stderr))
        return r.stdout

    commands = re.findall(r"^  ([a-z]+) ", helptext("--help"), re.M)
    if "derive" not in commands or "keys" not in commands:
        sys.exit("unexpected `aiotsec --help`: %r" % commands)
    helps = [(c,) for c in commands] + [("derive", "res"), ("derive", "kaiotf"), ("derive", "algkey"),
                                       ("adm", "serve")]
    for c in commands:
        if not re.search(r"\baiotsec %s\b" % c, text):
            missing.append("command " + c)
    for h in helps:
        for opt in sorted(set(re.findall(r"(?<![\w-])--[a-z0-9][a-z0-9-]*", helptext(*h, "--help")))):
            if not re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(opt), text):
                missing.append("%s: option %s" % (" ".join(h), opt))
    for word in ("AIOTSEC_NATIVE_PATH", "EXIT STATUS", "ENVIRONMENT", "EXAMPLES", "--key-file", "--key-env"):
        if word not in text:
            missing.append(word)
    if missing:
        sys.exit("docs/aiotsec.1 does not document:\n  " + "\n  ".join(missing))
    print("aiotsec.1: no groff warning; %d commands and their options documented" % len(commands))


if __name__ == "__main__":
    main()
