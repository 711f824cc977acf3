#!/usr/bin/env bash
# Install the Debian packages os1 needs outside Python: handwriting fonts for letters,
# fallback fonts for characters they lack (accents, Greek, Cyrillic, CJK, symbols),
# poppler-utils to turn letters into PNG pages, PortAudio for microphone and speaker,
# espeak-ng (a robustness set for the voice benchmark), and PulseAudio with its ALSA plugin
# (the tests run `os1 talk` on a virtual microphone and speaker; on a desktop it is the
# usual sound server). With --dev also Chromium, which the
# browser tests drive through Playwright (never `playwright install`: it downloads a browser),
# strace, with which a test proves nothing leaves the machine, Dovecot, the IMAP server the
# mail tests sync from, tesseract, the plain OCR the benchmarks compare against, and dbus-daemon,
# a session bus for the desktop-notification test.
# Installs only what is missing; safe to run again, and quick when everything is present.
set -euo pipefail

PACKAGES=(
  fonts-dancingscript
  fonts-dkg-handwriting
  fonts-kaushanscript
  fonts-rufscript
  fonts-dejavu-core
  fonts-wqy-microhei
  fonts-symbola
  poppler-utils
  libportaudio2
  espeak-ng
  pulseaudio
  pulseaudio-utils
  libasound2-plugins
)
[ "${1:-}" = "--dev" ] && PACKAGES+=(chromium strace dovecot-imapd tesseract-ocr tesseract-ocr-eng dbus-daemon)

if ! command -v dpkg >/dev/null || ! command -v apt-get >/dev/null; then
  echo "system-deps: not a Debian-based system; install these yourself: ${PACKAGES[*]}" >&2
  exit 0
fi

missing=()
for package in "${PACKAGES[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system-deps: all ${#PACKAGES[@]} Debian packages present"
  exit 0
fi

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
echo "system-deps: installing ${missing[*]}"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
  "${missing[@]}"
echo "system-deps: installed ${missing[*]}"
