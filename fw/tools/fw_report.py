#!/usr/bin/env python3
"""Measurements of the firmware images for scripts/firmware.sh.

  fw_report.py sizes ELF MAP
      prints JSON: flash (.text + .rodata + .ARM.exidx + the .data load image),
      ram (.data + .bss), and the share of each in the image that comes from
      libaiotsec.a, from newlib/libgcc and from the rest (startup, board, example),
      read from the linker map.
  fw_report.py set SIZE_JSON TARGET KEY=VALUE...
      stores values (JSON literals, else strings) under targets.TARGET.
  fw_report.py check SIZE_JSON TARGET FLASH_BUDGET RAM_BUDGET
      prints the table of every target and checks TARGET against the budgets:
      flash <= FLASH_BUDGET and ram + stack_peak <= RAM_BUDGET (exit 1 if not).
"""
import json
import os
import re
import subprocess
import sys


def sizes(elf, mapfile):
    out = subprocess.run(["arm-none-eabi-size", "-A", elf], check=True, capture_output=True, text=True).stdout
    sec = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1].isdigit():
            sec[parts[0]] = int(parts[1])
    flash = sec.get(".text", 0) + sec.get(".rodata", 0) + sec.get(".ARM.exidx", 0) + sec.get(".data", 0)
    ram = sec.get(".data", 0) + sec.get(".bss", 0)
    text = open(mapfile, encoding="utf-8", errors="replace").read()
    text = text[text.index("Linker script and memory map"):]
    share = {"flash": {}, "ram": {}}
    pat = re.compile(r"^ (\.(?:text|rodata|data|bss|ARM\.exidx)[^\s]*)\s*\n?\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+(\S+)",
                     re.M)
    for m in pat.finditer(text):
        name, size, obj = m.group(1), int(m.group(2), 16), m.group(3)
        if not size:
            continue
        base = os.path.basename(obj)
        who = "libaiotsec" if base.startswith("libaiotsec.a") else \
              "libc/libgcc" if base.startswith(("libc", "libgcc", "libnosys")) else "image"
        kinds = ["ram"] if name.startswith(".bss") else ["flash", "ram"] if name.startswith(".data") else ["flash"]
        for k in kinds:
            share[k][who] = share[k].get(who, 0) + size
    return {"flash": flash, "ram": ram, "flash_by_origin": share["flash"], "ram_by_origin": share["ram"]}


def load(path):
    try:
        return json.load(open(path, encoding="utf-8"))
    except (OSError, ValueError):
        return {"targets": {}}


def main():
    cmd = sys.argv[1]
    if cmd == "sizes":
        print(json.dumps(sizes(sys.argv[2], sys.argv[3])))
        return 0
    if cmd == "set":
        path, target = sys.argv[2], sys.argv[3]
        data = load(path)
        t = data.setdefault("targets", {}).setdefault(target, {})
        for kv in sys.argv[4:]:
            k, v = kv.split("=", 1)
            try:
                t[k] = json.loads(v)
            except ValueError:
                t[k] = v
        with open(path, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2, sort_keys=True)
            f.write("\n")
        return 0
    if cmd == "check":
        path, target, fb, rb = sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
        data = load(path)
        data["budget"] = {"target": target, "flash": fb, "ram_with_stack": rb}
        with open(path, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2, sort_keys=True)
            f.write("\n")
        cols = ["flash", "ram", "stack_peak", "insns_per_block", "insns_command", "insns_first_command",
                "insns_paging", "flash_with_aes", "vectors_passed"]
        print("%-15s" % "target" + "".join("%21s" % c for c in cols))
        for name, t in sorted(data["targets"].items()):
            print("%-15s" % name + "".join("%21s" % t.get(c, "-") for c in cols))
        t = data["targets"][target]
        ok = True
        if t["flash"] > fb:
            print(f"budget: FAIL: {target} flash {t['flash']} > {fb}")
            ok = False
        if t["ram"] + t["stack_peak"] > rb:
            print(f"budget: FAIL: {target} ram {t['ram']} + stack peak {t['stack_peak']} > {rb}")
            ok = False
        if ok:
            print(f"budget: ok: {target} flash {t['flash']} <= {fb}, ram {t['ram']} + stack peak "
                  f"{t['stack_peak']} = {t['ram'] + t['stack_peak']} <= {rb}")
        return 0 if ok else 1
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
