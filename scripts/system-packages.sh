#!/usr/bin/env bash
# Debian/Ubuntu packages the suite needs. Installs only what is missing (fast when nothing is).
set -euo pipefail
# clamav-daemon: the malware scanner of files people send; the tests start their own clamd with
# a signature database they write (nothing is downloaded), so Debian's service need not run.
# pandoc, libreoffice-writer-nogui (headless soffice), poppler-utils (pdftotext, pdfimages,
# pdftoppm in the tests) and fonts-liberation: the Docs app's import and export converters.
needed=(python3 python3-venv python3-dev gcc gettext chromium fonts-dejavu-core fonts-noto-color-emoji janus janus-tools coturn ffmpeg espeak-ng iproute2 clamav-daemon clamav pandoc libreoffice-writer-nogui poppler-utils fonts-liberation)
command -v node >/dev/null 2>&1 || needed+=(nodejs)
command -v npm >/dev/null 2>&1 || needed+=(npm)
missing=()
for package in "${needed[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
# python3 may come from elsewhere (pyenv): then it needs no Debian package of its own.
if command -v python3 >/dev/null 2>&1 && python3 -c 'import venv, ensurepip' 2>/dev/null; then
  missing=("${missing[@]/python3}"); missing=("${missing[@]/python3-venv}"); missing=("${missing[@]/python3-dev}")
fi
read -r -a missing <<< "${missing[*]}"
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" > /tmp/ensemble-apt.log || { cat /tmp/ensemble-apt.log; exit 1; }
fi
