#!/usr/bin/env bash
# Builds data/gazetteers/TYPE.txt (one entry per line, lowercased, sorted, unique) from the staged lists in
# ../shared/data/gazetteers (see data/LICENSES.md for each list's source and licence). The outputs are committed;
# this script documents and reproduces them.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="${1:-$root/../shared/data/gazetteers}"
out="$root/data/gazetteers"
mkdir -p "$out"
norm() { tr -d '\r' | sed -e 's/[[:space:]]\+$//' -e 's/^[[:space:]]\+//' | grep -av '^$' | tr '[:upper:]' '[:lower:]' | LC_ALL=C sort -u; }
cat "$src"/countries.iso3166-1.txt "$src"/former_countries.iso3166-3.txt "$src"/subdivisions.iso3166-2.txt \
    "$src"/admin1.geonames.txt "$src"/us_states.stdlib.txt "$src"/wordnet30_instances.location.txt \
    "$src"/grobid/WikiLocations.lst "$src"/grobid/location.country "$src"/grobid/cities15000.txt | norm > "$out/LOC.txt"
cat "$src"/grobid/WikiOrganizations.lst "$src"/grobid/WikiOrganizationsRedirects.lst "$src"/grobid/known_corporations.lst \
    "$src"/grobid/corporations.txt "$src"/grobid/government.government_agency "$src"/wordnet30_instances.group.txt | norm > "$out/ORG.txt"
{ cat "$src"/first_names_female.stdlib.txt "$src"/first_names_male.stdlib.txt "$src"/grobid/firstname.5k \
      "$src"/grobid/names.male "$src"/grobid/names.female;
  awk '{print $1}' "$src"/census1990/dist.female.first "$src"/census1990/dist.male.first; } | norm > "$out/PERFIRST.txt"
{ cat "$src"/grobid/lastname.5k "$src"/grobid/names.family "$src"/grobid/people.family_name;
  awk '$4 <= 20000 {print $1}' "$src"/census1990/dist.all.last; } | norm > "$out/PERLAST.txt"
cat "$src"/wordnet30_instances.person.txt "$src"/propernames.miscfiles.txt | norm > "$out/PER.txt"
cat "$src"/languages.iso639-3.txt "$src"/currencies.iso4217.txt | norm > "$out/MISC.txt"
cat "$src"/grobid/VincentNgPeopleTitles.txt | norm > "$out/TITLE.txt"
wc -l "$out"/*.txt
