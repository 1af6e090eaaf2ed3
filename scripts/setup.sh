#!/usr/bin/env bash
# Installs what building, running or testing Rehearse needs and is missing.
#
#   scripts/setup.sh run     what `make run` needs
#   scripts/setup.sh test    what `make test` needs (the test rig and the
#                            Windows build with Wine included)
#   scripts/setup.sh bench   what `make bench` needs
#   scripts/setup.sh windows what `make windows` needs (the cross build)
#
# On Debian and Ubuntu missing packages are installed with apt-get (through
# sudo when not root). Elsewhere the exact Debian package names are printed so
# they can be installed with the system's own package manager.
set -euo pipefail

purpose=${1:-run}
min_rust=1.95

# Debian package names, by purpose.
# whisper.cpp (speech recognition) builds with cmake; bindgen needs libclang.
# Reading questions aloud goes through speech-dispatcher (libspeechd).
build_pkgs=(build-essential pkg-config curl ca-certificates libasound2-dev cmake libclang-dev
  libspeechd-dev)
# The ALSA plugin routes ALSA's default device to PulseAudio or PipeWire.
# The window loads these at run time (X11 or Wayland, OpenGL through Mesa).
# The interviewer's voice is speech-dispatcher with its espeak-ng module.
run_pkgs=(libasound2-plugins libx11-6 libx11-xcb1 libxcursor1 libxrandr2 libxi6 libxkbcommon-x11-0
  libxkbcommon0 libwayland-client0 libwayland-egl1 libfontconfig1 libgl1 libegl1 libgl1-mesa-dri
  libspeechd2 speech-dispatcher speech-dispatcher-espeak-ng)
# The Windows build: MinGW-w64 with posix threads (whisper.cpp's
# std::thread needs them), Wine to run it, wixl to make the MSI.
windows_pkgs=(gcc-mingw-w64-x86-64-posix g++-mingw-w64-x86-64-posix wine64 wixl msitools)
test_pkgs=("${run_pkgs[@]}" pulseaudio pulseaudio-utils espeak-ng sox flac python3 unzip chromium
  xvfb xauth x11-utils xdotool imagemagick libvulkan1 mesa-vulkan-drivers
  lintian desktop-file-utils appstream dpkg-dev qemu-user "${windows_pkgs[@]}")
bench_pkgs=("${run_pkgs[@]}" python3 python3-venv pulseaudio pulseaudio-utils sox espeak-ng zip flac xvfb xauth
  xdotool dpkg-dev)

case "$purpose" in
  run) wanted=("${build_pkgs[@]}" "${run_pkgs[@]}") ;;
  test) wanted=("${build_pkgs[@]}" "${test_pkgs[@]}") ;;
  bench) wanted=("${build_pkgs[@]}" "${bench_pkgs[@]}") ;;
  windows) wanted=("${build_pkgs[@]}" "${windows_pkgs[@]}") ;;
  *) echo "usage: $0 run|test|bench|windows" >&2; exit 2 ;;
esac

say() { printf 'setup: %s\n' "$*" >&2; }

is_debian_like() {
  [ -r /etc/os-release ] || return 1
  # shellcheck disable=SC1091
  . /etc/os-release
  case " ${ID:-} ${ID_LIKE:-} " in
    *" debian "*|*" ubuntu "*) return 0 ;;
    *) return 1 ;;
  esac
}

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for pkg in "${wanted[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    [ "$status" = installed ] || missing+=("$pkg")
  done
else
  missing=("${wanted[@]}")
fi

if [ ${#missing[@]} -gt 0 ]; then
  if is_debian_like && command -v apt-get >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then
      sudo=()
    elif command -v sudo >/dev/null 2>&1; then
      sudo=(sudo)
    else
      say "these packages are missing and there is no sudo: ${missing[*]}"
      say "as root, run: apt-get install ${missing[*]}"
      exit 1
    fi
    say "installing ${missing[*]}"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    say "not a Debian or Ubuntu system: make sure these (Debian names) are installed:"
    say "  ${missing[*]}"
  fi
fi

# Rust: the distribution's cargo is often too old for edition 2024, so use
# rustup's toolchain, installing rustup when there is no cargo at all.
export PATH="$HOME/.cargo/bin:$PATH"
if ! command -v cargo >/dev/null 2>&1; then
  say "no Rust toolchain found; installing rustup (https://rustup.rs)"
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --component rustfmt,clippy
fi
version=$(rustc --version | awk '{print $2}')
if [ "$(printf '%s\n%s\n' "$min_rust" "$version" | sort -V | head -n1)" != "$min_rust" ]; then
  if command -v rustup >/dev/null 2>&1; then
    say "Rust $version is older than $min_rust; updating the stable toolchain"
    rustup update stable
  else
    say "Rust $version is older than $min_rust, which Rehearse needs; install a newer one from https://rustup.rs"
    exit 1
  fi
fi
if [ "$purpose" = test ]; then
  for component in rustfmt clippy; do
    if ! cargo "${component/rustfmt/fmt}" --version >/dev/null 2>&1; then
      if command -v rustup >/dev/null 2>&1; then
        rustup component add "$component"
      else
        say "cargo $component is missing; install it with your Rust toolchain"
        exit 1
      fi
    fi
  done
fi
# The Windows build's standard library.
if { [ "$purpose" = windows ] || [ "$purpose" = test ]; } && ! rustup target list --installed 2>/dev/null | grep -qx x86_64-pc-windows-gnu; then
  if command -v rustup >/dev/null 2>&1; then
    rustup target add x86_64-pc-windows-gnu
  else
    say "the x86_64-pc-windows-gnu target is missing; install it with your Rust toolchain"
    exit 1
  fi
fi
# cargo-deb builds the .deb (`make deb`; `make test` checks it).
if [ "$purpose" != run ] && [ "$purpose" != windows ] && ! cargo deb --version >/dev/null 2>&1; then
  say "installing cargo-deb (crates.io)"
  cargo install cargo-deb --locked --quiet
fi
