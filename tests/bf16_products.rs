//! The bf16 matrix product that Rehearse's whisper.cpp patch adds to ggml
//! (`rehearse_bf16` in `third_party/whisper-rs-sys`, described in
//! `third_party/README.md`): run through ggml's own graph, as whisper.cpp's
//! encoder runs it, on shapes whose edges the product's blocking must handle
//! (rows not a multiple of 64, columns not a multiple of 6, an odd inner
//! dimension, attention's short and long inner dimensions), on one thread
//! and on several, against a reference computed in f64 from the same
//! bf16 values. On a processor without AVX512-BF16 ggml takes its portable
//! path instead, which is checked the same way.

// This test calls ggml's C API (whisper-rs-sys's bindings) to reach the
// product directly; nothing else in Rehearse uses unsafe code.
#![allow(unsafe_code)]

use whisper_rs_sys as ggml;

/// The bf16 bits nearest to `x` (ties to even), as ggml rounds.
fn bf16_bits(x: f32) -> u16 {
    let bits = x.to_bits();
    ((bits + 0x7fff + ((bits >> 16) & 1)) >> 16) as u16
}

fn bf16_value(bits: u16) -> f32 {
    f32::from_bits(u32::from(bits) << 16)
}

/// Small, varied values with both signs, from a fixed sequence.
fn values(count: usize, seed: u64) -> Vec<f32> {
    let mut state = seed;
    (0..count)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((state >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
        })
        .collect()
}

/// Multiplies an m×k bf16 matrix by n rows of k f32 values in ggml and
/// returns the largest error against the f64 reference, relative to the
/// sum of the magnitudes of each output's products.
fn worst_relative_error(m: usize, n: usize, k: usize, threads: i32) -> f64 {
    let a_bits: Vec<u16> = values(m * k, 1).into_iter().map(bf16_bits).collect();
    let b = values(n * k, 2);
    let bytes = m * k * 2 + n * k * 4 + m * n * 4 + n * k * 2;
    // SAFETY: a context owning its memory; the tensors are created in it
    // with the sizes written into them, and it is freed after the last read.
    unsafe {
        let ctx = ggml::ggml_init(ggml::ggml_init_params {
            mem_size: 2 * bytes + (4 << 20),
            mem_buffer: std::ptr::null_mut(),
            no_alloc: false,
        });
        assert!(!ctx.is_null(), "ggml_init failed");
        let a = ggml::ggml_new_tensor_2d(ctx, ggml::ggml_type_GGML_TYPE_BF16, k as i64, m as i64);
        let b_tensor =
            ggml::ggml_new_tensor_2d(ctx, ggml::ggml_type_GGML_TYPE_F32, k as i64, n as i64);
        std::ptr::copy_nonoverlapping(a_bits.as_ptr(), (*a).data.cast::<u16>(), m * k);
        std::ptr::copy_nonoverlapping(b.as_ptr(), (*b_tensor).data.cast::<f32>(), n * k);
        let c = ggml::ggml_mul_mat(ctx, a, b_tensor);
        let graph = ggml::ggml_new_graph(ctx);
        ggml::ggml_build_forward_expand(graph, c);
        let status = ggml::ggml_graph_compute_with_ctx(ctx, graph, threads);
        assert_eq!(
            status,
            ggml::ggml_status_GGML_STATUS_SUCCESS,
            "graph failed"
        );
        assert_eq!([(*c).ne[0], (*c).ne[1]], [m as i64, n as i64]);
        let out = std::slice::from_raw_parts((*c).data.cast::<f32>().cast_const(), m * n);

        let mut worst = 0.0f64;
        for j in 0..n {
            let b_row: Vec<f64> = b[j * k..(j + 1) * k]
                .iter()
                .map(|&x| f64::from(bf16_value(bf16_bits(x))))
                .collect();
            for i in 0..m {
                let a_row = &a_bits[i * k..(i + 1) * k];
                let (mut exact, mut magnitude) = (0.0f64, 0.0f64);
                for (&a_value, &b_value) in a_row.iter().zip(&b_row) {
                    let product = f64::from(bf16_value(a_value)) * b_value;
                    exact += product;
                    magnitude += product.abs();
                }
                let error = (f64::from(out[j * m + i]) - exact).abs() / magnitude.max(1e-30);
                worst = worst.max(error);
            }
        }
        ggml::ggml_free(ctx);
        worst
    }
}

#[test]
fn bf16_products_match_the_reference_on_every_edge() {
    // SAFETY: a query without arguments.
    let native = unsafe { ggml::ggml_cpu_has_bf16_products() } != 0;
    println!(
        "bf16 products: {}",
        if native {
            "AVX512-BF16 (Rehearse's product)"
        } else {
            "ggml's portable path (no AVX512-BF16 here)"
        }
    );
    // (rows, columns, inner dimension): edges of the 64-row blocks, the
    // 6-column tiles and the column pairs; attention's k = 64 and k = 1500;
    // one full Whisper-sized linear layer.
    let shapes = [
        (130, 77, 101),
        (64, 13, 1),
        (1, 2, 2),
        (200, 300, 64),
        (64, 300, 1500),
        (384, 96, 1536),
    ];
    for (m, n, k) in shapes {
        for threads in [1, 3] {
            let worst = worst_relative_error(m, n, k, threads);
            println!("m {m}, n {n}, k {k}, {threads} thread(s): worst relative error {worst:.1e}");
            assert!(
                worst < 1e-5,
                "m {m}, n {n}, k {k}, {threads} thread(s): relative error {worst:e}"
            );
        }
    }
}
