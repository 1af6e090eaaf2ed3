//! `exp` and `expf` for the Windows build (MinGW-w64), from the `libm`
//! crate (FreeBSD's msun, under 1 ulp of error, SSE2 code).
//!
//! MinGW-w64's own `exp` (libmingwex, which the GNU Windows target links
//! before msvcrt) is x87 code that switches the FPU's control word twice a
//! call (`fldcw`, `frndint`, `f2xm1`, `fscale`). whisper.cpp calls it for
//! every logit of every decoded token (`expf` on the 51,864 logits of
//! tiny.en) and in its softmax tails: under Wine it was 17 % of a
//! transcription's time, and the Windows build took 1.4 to 1.7 times the
//! Linux build's time for the same take (`make bench`). Linux's glibc has
//! fast ones.
//!
//! The linker meets these definitions before libmingwex, and a symbol is
//! defined once, so whisper.cpp's, ggml's and Rust's own calls (`f64::exp`,
//! `f32::exp`) all come here. MinGW-w64's `math.h` makes C's `expf` a call
//! of `exp` on a double.

#![allow(
    unsafe_code,
    reason = "`no_mangle`: the C library's own names, so that the linker takes these instead of MinGW-w64's"
)]

/// The C library's `exp`: e raised to `x`.
#[unsafe(no_mangle)]
pub extern "C" fn exp(x: f64) -> f64 {
    libm::exp(x)
}

/// The C library's `expf`: e raised to `x`, in single precision.
#[unsafe(no_mangle)]
pub extern "C" fn expf(x: f32) -> f32 {
    libm::expf(x)
}
