#!/usr/bin/env bash
# Installs Debian's LibreOffice Calc (headless) and poppler-utils for the
# Phụ lục I print test (integration TestPhuLucIPrintsOnA4: xlsx → PDF with
# soffice, pages rendered with pdftoppm, text boxes read with pdftotext
# -bbox-layout). Idempotent; needs root (or sudo) on Debian/Ubuntu. Set
# SOFFICE_PATH to use another binary.
set -euo pipefail
have() { command -v "$1" >/dev/null 2>&1; }
if { [ -n "${SOFFICE_PATH:-}" ] && [ -x "${SOFFICE_PATH}" ] || have soffice; } && have pdftoppm && have pdftotext; then exit 0; fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# Times New Roman's metric-compatible stand-in is Liberation Serif.
$SUDO apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui poppler-utils fonts-liberation >/dev/null
command -v soffice pdftoppm pdftotext
