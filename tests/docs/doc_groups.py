#!/usr/bin/env python3
"""Checks that the API reference is organised, from Doxygen's XML output.

- every public header named on the command line is a file of the reference and
  sits in a group (`@ingroup` in its `@file` block);
- every documented item of those headers (function, macro, typedef, enum,
  variable, struct) is in a group (an `@addtogroup` around the declarations):
  Doxygen gives a grouped member an id under its group (`group__...`), an
  ungrouped one an id under its file;
- every group defined in docs/groups.dox has a brief and something in it;
- every example program (examples/*.c) is a Doxygen `@example` and the main
  page links to it.

With --xml it reads an existing XML tree (test stage 20, after the docs
target). With --doxygen and --doxyfile it runs Doxygen itself into --workdir,
with the project's Doxyfile (warnings stay errors): the ctest
`docs_groups`."""
import argparse
import os
import subprocess
import sys
import xml.etree.ElementTree as ET


def run_doxygen(doxygen: str, doxyfile: str, workdir: str) -> str:
    os.makedirs(workdir, exist_ok=True)
    with open(doxyfile, encoding="utf-8") as f:
        config = f.read()
    # Later assignments win: the same inputs and warnings, written elsewhere. HTML
    # stays on: Doxygen 1.9.4 without it warns about parameters that are documented.
    config += f"\nOUTPUT_DIRECTORY = {workdir}\nGENERATE_XML = YES\n"
    r = subprocess.run([doxygen, "-"], input=config, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"doxygen failed ({r.returncode}):\n{r.stdout}{r.stderr}")
    return os.path.join(workdir, "xml")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--xml", help="Doxygen XML directory to check")
    ap.add_argument("--doxygen", help="run this Doxygen first")
    ap.add_argument("--doxyfile", help="the configured Doxyfile (with --doxygen)")
    ap.add_argument("--workdir", help="where Doxygen writes (with --doxygen)")
    ap.add_argument("--examples", required=True, help="directory of the example programs")
    ap.add_argument("--headers", nargs="+", required=True, help="the public headers")
    a = ap.parse_args()
    if a.doxygen:
        if not (a.doxyfile and a.workdir):
            ap.error("--doxygen needs --doxyfile and --workdir")
        xml_dir = run_doxygen(a.doxygen, a.doxyfile, a.workdir)
    elif a.xml:
        xml_dir = a.xml
    else:
        ap.error("give --xml or --doxygen")

    index = ET.parse(os.path.join(xml_dir, "index.xml")).getroot()
    problems = []

    def compound(refid: str) -> ET.Element:
        return ET.parse(os.path.join(xml_dir, refid + ".xml")).getroot().find("compounddef")

    groups = {c.get("refid"): c for c in index.findall("compound") if c.get("kind") == "group"}
    files_in_groups, classes_in_groups, subgroups = set(), set(), set()
    for refid, c in groups.items():
        d = compound(refid)
        name = c.findtext("name")
        files_in_groups.update(x.text for x in d.findall("innerfile"))
        classes_in_groups.update(x.get("refid") for x in d.findall("innerclass"))
        subgroups.update(x.get("refid") for x in d.findall("innergroup"))
        if not "".join(d.find("briefdescription").itertext()).strip():
            problems.append(f"group {name}: no @brief")
        if not (d.findall("innerfile") or d.findall("innergroup") or d.findall("innerclass")
                or d.findall("sectiondef")):
            problems.append(f"group {name}: empty (no header names it)")

    files = {c.findtext("name"): c for c in index.findall("compound") if c.get("kind") == "file"}
    for path in a.headers:
        name = os.path.basename(path)
        if name not in files:
            problems.append(f"{path}: not in the reference (add it to INPUT in docs/Doxyfile.in)")
            continue
        if name not in files_in_groups:
            problems.append(f"{path}: in no group (add @ingroup to its @file block)")
        for m in files[name].findall("member"):
            if not m.get("refid").startswith("group__"):
                problems.append(f"{path}: {m.get('kind')} {m.findtext('name')} is in no group "
                                "(wrap the declarations in @addtogroup ... @{ ... @})")
    for c in index.findall("compound"):
        if c.get("kind") in ("struct", "union") and c.get("refid") not in classes_in_groups:
            problems.append(f"{c.get('kind')} {c.findtext('name')} is in no group")

    examples = {c.findtext("name") for c in index.findall("compound") if c.get("kind") == "example"}
    main = ET.parse(os.path.join(xml_dir, "indexpage.xml")).getroot()
    linked = {r.text for r in main.iter("ref") if r.get("refid", "").endswith("-example")}
    programs = sorted(f for f in os.listdir(a.examples) if f.endswith(".c"))
    if not programs:
        problems.append(f"{a.examples}: no example programs")
    for f in programs:
        if f not in examples:
            problems.append(f"examples/{f}: not an @example (add it to docs/examples.dox)")
        elif f not in linked:
            problems.append(f"examples/{f}: the main page does not link to it (docs/mainpage.md)")

    for p in problems:
        print(p)
    print(f"{len(groups)} groups, {len(a.headers)} headers, {len(programs)} examples: "
          f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
