#!/usr/bin/env bash
# Debian packages the product and its tests need: chromium (e2e), PyTorch with OpenBLAS, pytest and matplotlib (trainer;
# matplotlib draws the micro-reproduction's curves),
# libkrb5-dev (code-server's native modules build against it). Skips apt when everything is already there.
set -euo pipefail
pkgs=(chromium python3-torch python3-pytest python3-numpy python3-matplotlib libopenblas0-pthread libkrb5-dev fonts-dejavu-core curl ca-certificates)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -eq 0 ]; then echo "system deps: all present"; exit 0; fi
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "system deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
