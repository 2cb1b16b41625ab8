# build-aux/deps.sh
#
# Copyright 2026 The JourneyMapper authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Sourced by build-aux/run, build-aux/test and build-aux/bench: makes sure the Debian
# packages that building and testing JourneyMapper need are installed. A fresh machine (and
# CI) has none of them, so the scripts install what is missing themselves when they run as
# root; a developer without root gets the exact command to run instead.
#
# Call jm_deps_ensure; it returns non-zero when something required is missing and cannot be
# installed. Packages that the configured apt sources do not know at all (clickhouse-server
# is not in every release) are skipped with a note and listed in JM_DEPS_UNAVAILABLE, so the
# tests that need them can be skipped rather than the whole run failing.

# shellcheck shell=bash

# The list of ENVIRONMENT.md. libclang-rt-14-dev is a placeholder: jm_deps_wanted swaps it for
# the runtime matching the clang that is (or will be) installed.
JM_DEPS_PACKAGES=(
  build-essential meson ninja-build pkg-config
  libgtk-4-dev libadwaita-1-dev libsoup-3.0-dev libjson-glib-dev librsvg2-dev libsqlite3-dev
  libpq-dev gettext appstream desktop-file-utils xvfb xauth xdotool imagemagick curl
  postgresql clickhouse-server clickhouse-client valgrind clang libclang-rt-14-dev wrk
  libsecret-1-dev librsvg2-bin flatpak-builder glib-networking
)

JM_DEPS_UNAVAILABLE=()

_jm_deps_log ()
{
  printf 'deps: %s\n' "$*" >&2
}

# True when apt has a candidate version of the package (it is installable from the sources).
_jm_deps_apt_knows ()
{
  local candidate
  candidate=$(apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: *//p')
  [ -n "$candidate" ] && [ "$candidate" != "(none)" ]
}

# The major version of clang: the installed one, else the one apt would install. Sanitizer
# and libFuzzer runtimes must come from the same version as the compiler.
_jm_deps_clang_major ()
{
  local v=""
  if command -v clang >/dev/null 2>&1; then
    v=$(clang --version 2>/dev/null | sed -n 's/.*clang version \([0-9][0-9]*\).*/\1/p' | head -n 1)
  fi
  if [ -z "$v" ] && command -v apt-cache >/dev/null 2>&1; then
    # "Candidate: 1:14.0-55.7~deb12u1" → 14
    v=$(apt-cache policy clang 2>/dev/null \
          | sed -n 's/^ *Candidate: *\([0-9]*:\)\{0,1\}\([0-9][0-9]*\).*/\2/p' | head -n 1)
  fi
  printf '%s' "$v"
}

# Prints the packages to check, one a line.
jm_deps_wanted ()
{
  local p major
  for p in "${JM_DEPS_PACKAGES[@]}"; do
    if [ "$p" = "libclang-rt-14-dev" ]; then
      major=$(_jm_deps_clang_major)
      # Debian 12 ships clang 14's runtimes (ASan, UBSan, libFuzzer) in libclang-rt-14-dev;
      # other releases name it after their clang. Where no such package exists (Ubuntu
      # 22.04 keeps them in libclang-common-N-dev, pulled in by clang) apt will not know the
      # name and it is skipped below.
      printf 'libclang-rt-%s-dev\n' "${major:-14}"
    else
      printf '%s\n' "$p"
    fi
  done
  # Node.js is only needed for the client-compatibility tests. Install it only when missing:
  # machines with Node.js from elsewhere have npm built in, and `apt-get install npm` then
  # conflicts with their nodejs package.
  command -v node >/dev/null 2>&1 || printf 'nodejs\n'
  command -v npm >/dev/null 2>&1 || printf 'npm\n'
}

# Prints the wanted packages that are not installed, one a line.
jm_deps_missing ()
{
  local wanted=() installed p
  mapfile -t wanted < <(jm_deps_wanted)
  # One dpkg-query for all of them (one per package takes seconds on a busy machine).
  # Packages dpkg has never heard of are simply absent from its answer.
  installed=" $(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${wanted[@]}" 2>/dev/null \
                 | awk '$2 == "ii" { sub(/:.*/, "", $1); printf "%s ", $1 }')"
  for p in "${wanted[@]}"; do
    case "$installed" in
      *" $p "*) ;;
      *) printf '%s\n' "$p" ;;
    esac
  done
}

# Installs (as root) or reports (otherwise) what is missing.
jm_deps_ensure ()
{
  local missing=() installable=() p policy_rc_d=""

  JM_DEPS_UNAVAILABLE=()

  if ! command -v dpkg-query >/dev/null 2>&1; then
    _jm_deps_log "not a Debian-based system: install the equivalents of these packages yourself:"
    _jm_deps_log "  ${JM_DEPS_PACKAGES[*]}"
    return 0
  fi

  mapfile -t missing < <(jm_deps_missing)
  if [ "${#missing[@]}" -eq 0 ]; then
    return 0
  fi

  export DEBIAN_FRONTEND=noninteractive

  # Refresh the package lists only when something is missing: it is the slow part, and a
  # fresh machine may have no lists at all, so apt would not know any of the packages.
  if [ "$(id -u)" -eq 0 ]; then
    _jm_deps_log "missing: ${missing[*]}"
    _jm_deps_log "running apt-get update"
    apt-get update -qq || _jm_deps_log "apt-get update failed; trying with the lists there are"
  fi

  for p in "${missing[@]}"; do
    if _jm_deps_apt_knows "$p"; then
      installable+=("$p")
    else
      JM_DEPS_UNAVAILABLE+=("$p")
    fi
  done
  if [ "${#JM_DEPS_UNAVAILABLE[@]}" -gt 0 ]; then
    _jm_deps_log "not available from the apt sources here, skipped (tests needing them are skipped):"
    _jm_deps_log "  ${JM_DEPS_UNAVAILABLE[*]}"
  fi
  if [ "${#installable[@]}" -eq 0 ]; then
    return 0
  fi

  if [ "$(id -u)" -ne 0 ]; then
    _jm_deps_log "missing packages; install them with:"
    printf '  sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends %s\n' \
      "${installable[*]}" >&2
    return 1
  fi

  # The packages of postgresql and clickhouse-server start their system-wide daemons from
  # their maintainer scripts (through invoke-rc.d, even without systemd). The tests start
  # private instances of their own and nothing should be left running, so forbid service
  # starts for the duration of the install, the way container images do, unless the
  # machine already has such a policy.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    policy_rc_d=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\n# Written by JourneyMapper build-aux/deps.sh during apt-get install.\nexit 101\n' \
      > "$policy_rc_d"
    chmod 755 "$policy_rc_d"
  fi

  _jm_deps_log "installing: ${installable[*]}"
  # A subshell, so that the policy file goes away however the install ends (even on ^C).
  if ! (
         trap '[ -n "$policy_rc_d" ] && rm -f "$policy_rc_d"' EXIT
         trap 'exit 130' INT
         trap 'exit 143' TERM
         apt-get install -y -qq --no-install-recommends \
           -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
           "${installable[@]}"
       ); then
    _jm_deps_log "apt-get install failed"
    return 1
  fi
  return 0
}

# True when a package was wanted but apt could not provide it.
jm_deps_unavailable ()
{
  local p
  for p in "${JM_DEPS_UNAVAILABLE[@]}"; do
    [ "$p" = "$1" ] && return 0
  done
  return 1
}
