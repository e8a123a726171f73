#!/usr/bin/env python3
"""Writes a needtrail project as LOBSTER trace files and a lobster.conf that
holds them to the same tracing policy as needtrail's iso9001 profile, so that
`lobster-report` and `needtrail check` can be timed on the same model.

    scripts/lobster-export.py PROJECT OUT
    scripts/lobster-export.py --compare REPORT EXPECTED

PROJECT is a project as `needtrail generate` writes it (fresh or lived-in);
OUT is created and receives one `.lobster` file per level and `lobster.conf`
(whose sources are named relative to OUT: run `lobster-report` there). It
prints the number of items written per level. Only the Python standard
library is used (3.11 or later, for tomllib).

With --compare, it reads the report `lobster-report` wrote and the
expected-findings.json `needtrail generate` wrote beside the project, and
exits 0 when the items LOBSTER finds not fully traced are exactly the items
of the expected findings (else 1), printing what differs.

The levels and what each must trace to, as the profile's rules require:

- customer requirements: decided in the contract review, refined into a
  design input, and validated (or, in a lived-in project, delivered);
- contract review decisions (activities) trace to their requirement;
- design inputs (requirements) trace to a customer requirement and must be
  verified;
- verifications and validations (activities) trace to what they verify or
  validate;
- deliveries (activities) trace to what they deliver.

Complaints are left out: a level that another traces to must, in LOBSTER,
be traced to by every one of its items, and most deliveries have no
complaint.
"""

import json
import os
import re
import sys
import tomllib

GENERATOR = "needtrail scripts/lobster-export.py"

# needtrail kind -> (level name, LOBSTER schema, tag namespace)
LEVELS = {
    "requirement": ("Customer requirements", "req", "req"),
    "decision": ("Contract review", "act", "review"),
    "design_input": ("Design inputs", "req", "req"),
    "verification": ("Verification", "act", "act"),
    "validation": ("Validation", "act", "act"),
    "delivery": ("Delivery", "act", "act"),
}
# The link fields that make a LOBSTER reference (upwards), per kind.
LINKS = {
    "design_input": ["traces"],
    "verification": ["verifies"],
    "validation": ["validates"],
    "delivery": ["delivers"],
}
FILE_NAMES = {kind: f"{kind}.lobster" for kind in LEVELS}

HEADER = re.compile(r"^\[\[\s*([A-Za-z_]+)(?:\.([A-Za-z_]+))?\s*\]\]")
ID_LINE = re.compile(r'^(id|requirement)\s*=\s*"([^"]*)"')


def header_lines(text):
    """Maps (kind, key) to the line of the item's [[header]]: the id for an
    item, the requirement for a review decision."""
    lines = {}
    header = None
    for number, line in enumerate(text.splitlines(), start=1):
        m = HEADER.match(line)
        if m:
            header = (m.group(2) or m.group(1), number)
            continue
        m = ID_LINE.match(line)
        if m and header is not None:
            lines[(header[0], m.group(2))] = header[1]
    return lines


def tag(kind, ident):
    return f"{LEVELS[kind][2]} {ident}"


def compare(report_path, expected_path):
    with open(report_path, encoding="utf-8") as f:
        report = json.load(f)
    with open(expected_path, encoding="utf-8") as f:
        expected = {finding["id"] for finding in json.load(f)}
    found = set()
    total = 0
    for level in report["levels"]:
        total += len(level["items"])
        for item in level["items"]:
            if item.get("tracing_status") != "OK":
                found.add(item["tag"].split(" ", 1)[1])
    print(f"lobster-report: {total} items, {len(found)} not fully traced; "
          f"needtrail planted {len(expected)}")
    if found != expected:
        print("only LOBSTER:", sorted(found - expected)[:10])
        print("only planted:", sorted(expected - found)[:10])
        return 1
    return 0


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--compare":
        sys.exit(compare(sys.argv[2], sys.argv[3]))
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    project, out = sys.argv[1], sys.argv[2]
    kinds_of = {}  # id -> kind, to name the level a link goes to
    items = {kind: [] for kind in LEVELS}
    for root, dirs, files in os.walk(project):
        dirs.sort()
        for name in sorted(files):
            if not name.endswith(".toml") or name == "needtrail.toml":
                continue
            path = os.path.join(root, name)
            with open(path, "rb") as f:
                raw = f.read()
            doc = tomllib.loads(raw.decode("utf-8"))
            lines = header_lines(raw.decode("utf-8"))
            rel = os.path.relpath(path, project)
            for kind, entries in doc.items():
                if not isinstance(entries, list):
                    continue
                for entry in entries:
                    if kind == "review":
                        for decision in entry.get("decision", []):
                            key = f"{entry['id']}/{decision['requirement']}"
                            items["decision"].append(
                                (key, decision, rel,
                                 lines.get(("decision", decision["requirement"])))
                            )
                        continue
                    if kind not in LEVELS:
                        continue
                    kinds_of[entry["id"]] = kind
                    items[kind].append(
                        (entry["id"], entry, rel, lines.get((kind, entry["id"])))
                    )
    os.makedirs(out, exist_ok=False)
    lived_in = bool(items["delivery"])
    for kind, entries in items.items():
        if kind == "delivery" and not lived_in:
            continue
        data = []
        for ident, entry, rel, line in entries:
            if kind == "decision":
                refs = [tag("requirement", entry["requirement"])]
            else:
                refs = [
                    tag(kinds_of[target], target)
                    for field in LINKS.get(kind, [])
                    for target in entry.get(field, [])
                    if target in kinds_of
                ]
            item = {
                "tag": tag(kind, ident),
                "location": {"kind": "file", "file": rel, "line": line, "column": None},
                "name": ident,
                "messages": [],
                "just_up": [],
                "just_down": [],
                "just_global": [],
                "framework": "needtrail",
                "kind": kind,
            }
            if refs:
                item["refs"] = refs
            if LEVELS[kind][1] == "req":
                item["text"] = entry.get("text", entry.get("title"))
                item["status"] = None
            else:
                item["status"] = entry.get("result", entry.get("verdict"))
            data.append(item)
        schema = "lobster-req-trace" if LEVELS[kind][1] == "req" else "lobster-act-trace"
        version = 4 if schema == "lobster-req-trace" else 3
        with open(os.path.join(out, FILE_NAMES[kind]), "w", encoding="utf-8") as f:
            json.dump(
                {"data": data, "generator": GENERATOR, "schema": schema, "version": version},
                f,
                ensure_ascii=False,
            )
        print(f"{LEVELS[kind][0]}: {len(data)}")
    conf = [
        'requirements "Customer requirements" {',
        f'  source: "{FILE_NAMES["requirement"]}";',
        "}",
        "",
        'activity "Contract review" {',
        f'  source: "{FILE_NAMES["decision"]}";',
        '  trace to: "Customer requirements";',
        "}",
        "",
        'requirements "Design inputs" {',
        f'  source: "{FILE_NAMES["design_input"]}";',
        '  trace to: "Customer requirements";',
        "}",
        "",
        'activity "Verification" {',
        f'  source: "{FILE_NAMES["verification"]}";',
        '  trace to: "Design inputs";',
        "}",
        "",
        'activity "Validation" {',
        f'  source: "{FILE_NAMES["validation"]}";',
        '  trace to: "Customer requirements";',
        "}",
    ]
    if lived_in:
        conf += [
            "",
            'activity "Delivery" {',
            f'  source: "{FILE_NAMES["delivery"]}";',
            '  trace to: "Customer requirements";',
            "}",
        ]
    # A customer requirement must be reviewed, designed, and validated or
    # delivered (the profile's last rule, a warning, accepts either).
    breakdown = [
        '  requires: "Contract review";',
        '  requires: "Design inputs";',
        '  requires: "Validation" or "Delivery";' if lived_in else '  requires: "Validation";',
    ]
    conf[2:2] = breakdown
    with open(os.path.join(out, "lobster.conf"), "w", encoding="utf-8") as f:
        f.write("\n".join(conf) + "\n")


if __name__ == "__main__":
    main()
