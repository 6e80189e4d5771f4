#!/usr/bin/env bash
# QEMU's scripts/replay-dump.py, the reference reader of record/replay logs, into guest/tools/
# (.gitignored; third-party source is never committed). It ships in no binary package, so it comes
# from Debian's qemu *source* package, fetched with apt-get source through a private source list
# (the system's apt configuration is left alone). Idempotent; prints REPLAY_DUMP=<path>.
#
# Why not bookworm's QEMU 7.2 script: it predates the log format QEMU 7.2 itself writes. It knows
# versions 0xe02006/0xe02007 only and reads any other version, 0xe0200c included, with its v5
# table, so it stops at the first CP_INIT (id 37) of every 7.2 log, QEMU's own too. The v12
# (0xe0200c) decoder came later upstream; Debian trixie's qemu 10.0 source has it.
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${ARMRR_TOOLS_DIR:-$PWD/guest/tools}"
script="$out/replay-dump.py"
if [ -f "$script" ] && grep -q '0xe0200c' "$script"; then
  echo "REPLAY_DUMP=$script"
  exit 0
fi
if ! command -v python3 >/dev/null; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get install -y -qq --no-install-recommends python3 >/dev/null
fi
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/src"
echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main" >"$work/sources.list"
apt_opts=(-o "Dir::Etc::sourcelist=$work/sources.list" -o "Dir::Etc::sourceparts=-" -o "Dir::State::Lists=$work/lists" -o "APT::Sandbox::User=root")
apt-get "${apt_opts[@]}" -qq update >&2
(cd "$work/src" && apt-get "${apt_opts[@]}" -qq source --download-only qemu >&2)
orig="$(ls "$work"/src/qemu_*.orig.tar.xz | head -n 1)"
[ -n "$orig" ] || { echo "fetch-replay-dump: no qemu source tarball downloaded" >&2; exit 1; }
tar -xJf "$orig" -C "$work" --wildcards '*/scripts/replay-dump.py'
found="$(find "$work" -path '*/scripts/replay-dump.py' | head -n 1)"
grep -q '0xe0200c' "$found" || { echo "fetch-replay-dump: $orig's replay-dump.py does not decode version 0xe0200c" >&2; exit 1; }
cp "$found" "$script"
echo "fetch-replay-dump: $(basename "$orig") scripts/replay-dump.py -> $script" >&2
echo "REPLAY_DUMP=$script"
