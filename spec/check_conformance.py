#!/usr/bin/env python3
"""Check spec/conformance.md and regenerate its summary.

Usage: spec/check_conformance.py [--write]

Checks that every row has six cells, that IDs are unique, that Level and
Status use the table's vocabulary, that every § label has a link
definition, and that the code a row names exists: each test named after a
`tests/...` file is a test of that file (a Catch2 TEST_CASE or a bats
@test), and each `function()` named after a `src/...` file appears in it. Prints the summary; with --write, replaces the text between the
summary markers in conformance.md with it. Exit status 1 on any problem.
"""

import re
import sys
from collections import Counter, OrderedDict
from pathlib import Path

TABLE = Path(__file__).with_name("conformance.md")
TOP = Path(__file__).resolve().parent.parent
BEGIN, END = "<!-- summary:begin -->", "<!-- summary:end -->"

LEVELS = {"MUST", "MUST NOT", "SHOULD", "SHOULD NOT", "REQUIRED",
          "MUST†", "MUST‡", "must (lc)", "should (lc)", "—"}
# Order in which status categories are shown.
CATEGORIES = ["validated", "validated + planned", "implemented",
              "implemented + planned", "partial", "planned", "n/a"]
FILES = ["config.md", "config-linux.md", "runtime.md", "runtime-linux.md",
         "features.md", "features-linux.md", "adjacent"]


def category(status):
    for head in ("validated", "implemented", "partial", "planned", "n/a"):
        if status.startswith(head):
            if head in ("validated", "implemented") and "planned" in status:
                return head + " + planned"
            return head
    return None


def planned_issues(status):
    """Issues named in the status's planned (...) parts: '#3', 'unassigned'."""
    out = set()
    for inner in re.findall(r"planned \(([^)]*)\)", status):
        if "unassigned" in inner:
            out.add("unassigned")
        for a, b in re.findall(r"#(\d+)(?:[–-]#(\d+))?", inner):
            for n in range(int(a), int(b or a) + 1):
                out.add(f"#{n}")
    return out


_sources = {}


def source(path):
    if path not in _sources:
        f = TOP / path
        _sources[path] = f.read_text(encoding="utf-8") if f.is_file() else None
    return _sources[path]


def check_where(where):
    """Problems with the files, tests and functions a Where cell names."""
    out = []
    # `tests/x.bats`: "name"; "name" ... or `src/x.cpp`: `f()`, `g()`
    for m in re.finditer(r"`((?:tests|src)/[^`]+)`: ((?:(?:\"[^\"]*\"|`[^`]+\(\)`)(?:[,;] )?)+)", where):
        path, names = m.group(1), m.group(2)
        text = source(path)
        if text is None:
            out.append(f"`{path}` does not exist")
            continue
        for name in re.findall(r'"([^"]*)"', names):
            if ('TEST_CASE("' + name + '"') not in text and ('@test "' + name + '"') not in text:
                out.append(f"`{path}` has no test \"{name}\"")
        for fn in re.findall(r"`([A-Za-z_][\w:~]*)\(\)`", names):
            if not re.search(r"\b" + re.escape(fn.split("::")[-1]) + r"\s*\(", text):
                out.append(f"`{path}` has no function {fn}()")
    return out


def main():
    text = TABLE.read_text(encoding="utf-8")
    problems = []
    defined = set(re.findall(r"^\[([^\]]+)\]: ", text, re.M))
    rows = []
    section = None
    for lineno, line in enumerate(text.splitlines(), 1):
        if line.startswith("## "):
            title = line[3:].strip()
            section = title if title in FILES else (
                "adjacent" if title.startswith("Adjacent") else None)
        if not line.startswith("| `"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 6:
            problems.append(f"line {lineno}: {len(cells)} cells, want 6")
            continue
        rid, level, _req, anchor, status, where = cells
        rid = rid.strip("`")
        if section is None:
            problems.append(f"line {lineno}: row outside a source-file section")
        if level not in LEVELS:
            problems.append(f"line {lineno}: {rid}: unknown level {level!r}")
        cat = category(status)
        if cat is None:
            problems.append(f"line {lineno}: {rid}: unknown status {status!r}")
        if "planned" in status and not planned_issues(status):
            problems.append(f"line {lineno}: {rid}: planned without an issue")
        for label in re.findall(r"\[([^\]]+)\]", anchor):
            if label not in defined:
                problems.append(f"line {lineno}: {rid}: undefined § [{label}]")
        problems += [f"line {lineno}: {rid}: {p}" for p in check_where(where)]
        rows.append((rid, section, level, cat, status))

    ids = Counter(r[0] for r in rows)
    problems += [f"duplicate id {i}" for i, n in ids.items() if n > 1]

    # Per-file status table.
    per = OrderedDict((f, Counter()) for f in FILES)
    for _rid, sec, _lvl, cat, _st in rows:
        if sec in per and cat:
            per[sec][cat] += 1
    main_rows = [r for r in rows if r[1] != "adjacent"]
    out = ["## Summary", "",
           f"{len(main_rows)} rows from the six files, plus "
           f"{len(rows) - len(main_rows)} adjacent ones "
           "(generated by `spec/check_conformance.py --write`).", "",
           "| Status | " + " | ".join(FILES[:-1]) + " | total | adjacent |",
           "|---|" + "---:|" * (len(FILES) + 1)]
    for cat in CATEGORIES:
        counts = [per[f][cat] for f in FILES[:-1]]
        out.append(f"| {cat} | " + " | ".join(map(str, counts)) +
                   f" | **{sum(counts)}** | {per['adjacent'][cat]} |")
    totals = [sum(per[f].values()) for f in FILES[:-1]]
    out.append("| **all** | " + " | ".join(map(str, totals)) +
               f" | **{sum(totals)}** | {sum(per['adjacent'].values())} |")

    # Planned work by issue (a row may name several issues).
    owners = Counter()
    for *_x, status in main_rows:
        for issue in planned_issues(status):
            owners[issue] += 1
    order = sorted((k for k in owners if k != "unassigned"),
                   key=lambda k: int(k[1:])) + (
        ["unassigned"] if "unassigned" in owners else [])
    out += ["", "Rows with planned work, by issue (a row naming several "
            "issues counts once for each):", "",
            "| Issue | " + " | ".join(order) + " |",
            "|---|" + "---:|" * len(order),
            "| rows | " + " | ".join(str(owners[k]) for k in order) + " |"]

    # By level.
    levels = Counter(r[2] for r in main_rows)
    lv = [l for l in ["MUST", "MUST NOT", "REQUIRED", "SHOULD", "SHOULD NOT",
                      "MUST†", "MUST‡", "must (lc)", "should (lc)", "—"]
          if levels[l]]
    out += ["", "Rows by level:", "",
            "| Level | " + " | ".join(lv) + " |",
            "|---|" + "---:|" * len(lv),
            "| rows | " + " | ".join(str(levels[l]) for l in lv) + " |"]
    summary = "\n".join(out)

    for p in problems:
        print("conformance.md: " + p, file=sys.stderr)
    print(summary)
    if "--write" in sys.argv[1:]:
        if BEGIN not in text or END not in text:
            print("conformance.md: summary markers missing", file=sys.stderr)
            return 1
        head, rest = text.split(BEGIN, 1)
        _old, tail = rest.split(END, 1)
        TABLE.write_text(head + BEGIN + "\n" + summary + "\n" + END + tail,
                         encoding="utf-8")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
