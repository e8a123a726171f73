#!/usr/bin/env bash
# Writes the seed corpus of the load_and_check fuzz target from the bundled
# samples and the test fixtures, into fuzz/corpus/load_and_check/ (not kept in
# git). Each project gives one input holding the whole project (needtrail.toml,
# then each item file after a `#@file` line), and each item file gives one
# input of its own (checked with the doors-zh configuration).
set -euo pipefail
cd "$(dirname "$0")/.."

out=fuzz/corpus/load_and_check
mkdir -p "$out"

name() { printf '%s' "$1" | tr '/' '_'; }

while IFS= read -r config; do
  project=$(dirname "$config")
  seed="$out/project_$(name "$project")"
  cat "$config" > "$seed"
  while IFS= read -r file; do
    printf '\n#@file\n' >> "$seed"
    cat "$file" >> "$seed"
    cp "$file" "$out/file_$(name "$file")"
  done < <(find "$project" -name '*.toml' ! -path "$config" | LC_ALL=C sort)
done < <(find samples tests/fixtures -name needtrail.toml | LC_ALL=C sort)

echo "$(find "$out" -type f | wc -l) inputs in $out"
