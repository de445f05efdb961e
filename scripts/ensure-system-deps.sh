#!/usr/bin/env bash
# Installs the Debian packages the tests use when they are missing: chromium (browser tests),
# redis-server (embedded Redis), bgpdump and stayrtr (MRT and RTR oracles of later issues), gobgpd,
# bird2, exabgp and frr (real BGP speakers whose MRT dumps lib/bgp/mrt/router-mrt.int.test.ts
# decodes; the test runs its own instances, the packages' system services are not needed).
# As root it installs them (apt-get update only when something is missing); otherwise it prints
# the exact command and carries on: the tests that need a missing tool skip with a message.
set -u

# binary:package pairs
deps=(chromium:chromium redis-server:redis-server bgpdump:bgpdump stayrtr:stayrtr gobgpd:gobgpd bird:bird2 exabgp:exabgp vtysh:frr)

missing=()
for pair in "${deps[@]}"; do
  bin="${pair%%:*}"
  pkg="${pair#*:}"
  if ! command -v "$bin" >/dev/null 2>&1 && [ ! -x "/usr/bin/$bin" ] && [ ! -x "/usr/sbin/$bin" ]; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "system deps: chromium, redis-server, bgpdump, stayrtr, gobgpd, bird2, exabgp, frr present"
  exit 0
fi

cmd="apt-get update && apt-get install -y ${missing[*]}"
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "system deps: missing ${missing[*]} — tests that need them will skip. Install with: $cmd" >&2
  exit 0
fi

echo "system deps: installing ${missing[*]} (apt-get)"
export DEBIAN_FRONTEND=noninteractive
if apt-get update -qq >/dev/null && apt-get install -y -qq "${missing[@]}" >/dev/null; then
  echo "system deps: installed ${missing[*]}"
else
  # One unavailable package must not block the others.
  for pkg in "${missing[@]}"; do
    apt-get install -y -qq "$pkg" >/dev/null 2>&1 || echo "system deps: could not install $pkg — tests that need it will skip. Try: $cmd" >&2
  done
fi
exit 0
