#!/usr/bin/env bash
# make bench: install wrk and ab (apache2-utils) with apt-get when missing; without them the bench still runs
# (autocannon is an npm dev dependency) and the report lists what was skipped.
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v ab >/dev/null || missing+=(apache2-utils)
command -v taskset >/dev/null || missing+=(util-linux)
[ ${#missing[@]} -eq 0 ] && exit 0
if command -v apt-get >/dev/null; then
  sudo=""
  [ "$(id -u)" = 0 ] || { sudo -n true 2>/dev/null && sudo="sudo -n"; }
  if [ "$(id -u)" = 0 ] || [ -n "$sudo" ]; then
    echo "bench: installing ${missing[*]}"
    $sudo apt-get install -y "${missing[@]}" || { $sudo apt-get update && $sudo apt-get install -y "${missing[@]}"; } || true
  fi
fi
command -v wrk >/dev/null && command -v ab >/dev/null && exit 0
echo "bench: wrk or ab is missing; install them with: sudo apt-get install wrk apache2-utils (running without them)" >&2
exit 0
