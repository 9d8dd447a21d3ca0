#!/usr/bin/env bash
# Runs every fuzz target of the module (`func FuzzX(f *testing.F)`) for
# FUZZTIME each (3s by default, any `go test -fuzztime` value): its seeds
# (f.Add and testdata/fuzz/FuzzX/) and then new inputs. Every target runs;
# the script fails if any did. A failing input is written to the package's
# testdata/fuzz/FuzzX/: keep it with the fix, as a regression seed.
set -euo pipefail
cd "$(dirname "$0")/.."

fuzztime=${FUZZTIME:-3s}

# Only packages with a Fuzz function in a test file are listed (listing
# compiles each package's tests).
pkgs=$(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sort -u)
if [ -z "$pkgs" ]; then
  echo "no fuzz targets found"; exit 1
fi

targets=()
names=()
while read -r line; do
  case "$line" in
    Fuzz*) names+=("$line") ;;
    ok*)
      pkg=$(awk '{print $2}' <<<"$line")
      for n in "${names[@]}"; do targets+=("$pkg $n"); done
      names=() ;;
  esac
done < <(go test -list '^Fuzz' $pkgs)

failed=()
for t in "${targets[@]}"; do
  read -r pkg name <<<"$t"
  echo "== $name ($pkg, $fuzztime)"
  if ! go test -run '^$' -fuzz "^$name\$" -fuzztime "$fuzztime" "$pkg"; then
    failed+=("$name ($pkg)")
  fi
done

echo "${#targets[@]} fuzz targets run for $fuzztime each"
if [ "${#failed[@]}" -gt 0 ]; then
  printf 'failed: %s\n' "${failed[@]}"
  exit 1
fi
