#!/usr/bin/env python3
"""Checks a run of the tag image under qemu against the script it was given.

usage: tag_check.py EXPECTED_JSON QEMU_OUTPUT

EXPECTED_JSON is fw/tools/gen_tag_frames.py's tag_expected.json: per frame, the
answer the tag must send (hex) or "" (it must send nothing). QEMU_OUTPUT holds the
board's lines: "tx HEX" for each frame sent, "disabled", "stack_peak 0xN", "end".
Prints one JSON object: ok, answers, stack_peak, and marks (for each answered
frame, the index of the fw_mark() interval that is its handling: the board marks
every frame when it is received and again when the tag sends).
"""
import json
import sys


def main():
    expected = json.load(open(sys.argv[1], encoding="utf-8"))
    lines = [l.strip() for l in open(sys.argv[2], encoding="utf-8", errors="replace")]
    tx = [l[3:] for l in lines if l.startswith("tx ")]
    want = [e["answer"] for e in expected if e["answer"]]
    problems = []
    if tx != want:
        for i in range(max(len(tx), len(want))):
            got = tx[i] if i < len(tx) else "(nothing)"
            exp = want[i] if i < len(want) else "(nothing)"
            if got != exp:
                problems.append(f"answer {i + 1}: sent {got}, expected {exp}")
    if "disabled" not in lines:
        problems.append("the tag did not end permanently disabled")
    if "end" not in lines:
        problems.append("the run did not reach its end")
    peak = [int(l.split()[1], 16) for l in lines if l.startswith("stack_peak ")]
    marks, m = {}, 0
    for e in expected:
        if e["answer"]:
            marks[e["label"]] = m  # from the reception mark to the sending mark
            m += 2
        else:
            m += 1
    result = {"ok": not problems, "answers": len(tx), "expected_answers": len(want),
              "frames": len(expected), "stack_peak": peak[0] if peak else None,
              "marks": marks, "problems": problems}
    print(json.dumps(result))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
