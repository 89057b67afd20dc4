#!/usr/bin/env python3
"""Extract every ```rhai block from the doc comments of the rhai crate's sources.

Usage: extract.py RHAI_SRC_DIR > examples.txt

Output format: one block per example, each introduced by a line
`=== <relative path>:<line>` followed by the code of the block.
"""
import os
import re
import sys

root = sys.argv[1]
out = []
for dirpath, _, files in os.walk(root):
    for name in sorted(files):
        if not name.endswith(".rs"):
            continue
        path = os.path.join(dirpath, name)
        rel = os.path.relpath(path, os.path.dirname(root.rstrip("/")))
        lines = open(path, encoding="utf-8").read().split("\n")
        block = None
        for number, line in enumerate(lines, 1):
            m = re.match(r"^\s*(///|//!)\s?(.*)$", line)
            if not m:
                block = None
                continue
            text = m.group(2)
            if block is None:
                if re.match(r"^```rhai\b", text.strip()):
                    block = (number, [])
            elif text.strip() == "```":
                out.append((rel, block[0], block[1]))
                block = None
            else:
                block[1].append(text)
out.sort(key=lambda item: (item[0], item[1]))
for rel, number, code in out:
    print(f"=== {rel}:{number}")
    print("\n".join(code))
