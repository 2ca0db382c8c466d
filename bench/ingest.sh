#!/usr/bin/env bash
# Times `briefing ingest` of 1,000 distinct plain-text articles on a fresh
# `briefing init` site with the release binary; prints the median of 3 runs.
#
#   bash bench/ingest.sh            # builds the release binary first
#   BRIEFING=path/to/briefing bash bench/ingest.sh
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${COUNT:-1000}
if [ -z "${BRIEFING:-}" ]; then
  cargo build --release --quiet
  BRIEFING=target/release/briefing
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Deterministic articles: a headline and 5-8 paragraphs drawn from a fixed
# vocabulary with a seeded generator, so every run ingests the same corpus.
python3 - "$work/articles" "$COUNT" <<'PY'
import os, random, sys
out, count = sys.argv[1], int(sys.argv[2])
os.makedirs(out)
rng = random.Random(42)
subjects = ["The ministry", "Negotiators", "Dock workers", "The central bank", "Farmers",
            "Opposition leaders", "The regional council", "Investors", "Aid agencies", "The court"]
verbs = ["announced", "rejected", "delayed", "welcomed", "questioned", "approved", "criticised"]
objects = ["a new budget", "the ceasefire proposal", "fuel subsidies", "the trade agreement",
           "emergency loans", "the border reopening", "an inquiry into the floods", "export quotas"]
tails = ["on Monday", "after weeks of talks", "despite protests", "in a surprise move",
         "ahead of the elections", "amid rising prices", "late on Friday"]
for i in range(count):
    head = f"{rng.choice(subjects)} {rng.choice(verbs)} {rng.choice(objects)} ({i})"
    paras = []
    for _ in range(rng.randint(5, 8)):
        sents = [f"{rng.choice(subjects)} {rng.choice(verbs)} {rng.choice(objects)} {rng.choice(tails)}."
                 for _ in range(rng.randint(3, 6))]
        paras.append(" ".join(sents))
    paras.append(f"Reference number {i} was filed with the report.")
    with open(os.path.join(out, f"article-{i:04d}.txt"), "w") as f:
        f.write(head + "\n\n" + "\n\n".join(paras) + "\n")
PY

times=()
for run in 1 2 3; do
  rm -rf "$work/site"
  "$BRIEFING" init "$work/site" > /dev/null
  start=$(date +%s.%N)
  "$BRIEFING" ingest --quiet --root "$work/site" --date 2026-11-03 "$work/articles" > /dev/null
  end=$(date +%s.%N)
  t=$(python3 -c "print(f'{$end - $start:.3f}')")
  n=$(ls "$work/site/content/briefings" | wc -l)
  echo "run $run: ${t} s ($((n - 1)) briefings written)"
  times+=("$t")
done
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
echo "median of 3: ${median} s for $COUNT articles"
