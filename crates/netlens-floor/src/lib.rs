//! netlens' browser floor: the oldest browsers it supports, and the WebAssembly they can run.
//!
//! The floor is what the shipped code needs, not a wish:
//! - **WebAssembly 2.0** (bulk memory, non-trapping float-to-int, sign extension, multi-value,
//!   reference types, fixed-width SIMD). Rust ≥ 1.82 turns on reference types and multi-value
//!   for `wasm32-unknown-unknown`, and wasm-bindgen then relies on them: Safari 14 cannot parse
//!   the modules and Safari 15 has bugs with them (wasm-bindgen#4227, ruffle#18397).
//! - **Constructable stylesheets** (`new CSSStyleSheet()`, `adoptedStyleSheets`): every element
//!   shares one sheet in its shadow root (`netlens-web/src/embed.rs`): Safari 16.4, Chrome 73,
//!   Firefox 101.
//! - **ECMAScript 2022 syntax** in the JavaScript that ships (esbuild writes the glue, the loader
//!   and the app shell for `es2022`; `scripts/floor-js.mjs` parses every shipped file as such).
//!
//! [`check_wasm`] validates a module with exactly the floor's features, so a module that uses
//! anything newer (exception handling, tail calls, relaxed SIMD, GC, threads, memory64…) fails
//! `make test` with the feature named.

use wasmparser::{Validator, WasmFeatures};

/// One browser's oldest supported version, and what sets it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Browser {
    /// The browser (`Safari`, `Safari on iOS and iPadOS`, `Chrome and Edge`, `Firefox`).
    pub name: &'static str,
    /// Its oldest supported version.
    pub version: &'static str,
    /// What needs that version.
    pub why: &'static str,
}

/// The floor, Safari first (netlens' users debug in Safari).
pub const FLOOR: &[Browser] = &[
    Browser {
        name: "Safari (macOS)",
        version: "16.4",
        why: "constructable stylesheets (16.4); WebAssembly reference types and multi-value, which Safari 15 runs unreliably",
    },
    Browser {
        name: "Safari on iOS and iPadOS",
        version: "16.4",
        why: "the same engine as Safari 16.4",
    },
    Browser {
        name: "Chrome and Edge",
        version: "96",
        why: "WebAssembly reference types (96)",
    },
    Browser {
        name: "Firefox",
        version: "115 ESR",
        why: "constructable stylesheets (101); 115 is the oldest extended-support release with them",
    },
];

/// The WebAssembly features every floor browser runs: WebAssembly 2.0.
pub fn wasm_features() -> WasmFeatures {
    WasmFeatures::WASM2
}

/// Why a module is above the floor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AboveFloor {
    /// The validator's words, naming the feature (e.g. "exceptions proposal not enabled").
    pub detail: String,
    /// Byte offset in the module.
    pub offset: usize,
}

impl std::fmt::Display for AboveFloor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "at byte {}: {} (the floor is WebAssembly 2.0: Safari 16.4, Chrome 96, Firefox 115)",
            self.offset, self.detail
        )
    }
}

impl std::error::Error for AboveFloor {}

/// Validates `module` with the floor's features only.
pub fn check_wasm(module: &[u8]) -> Result<(), AboveFloor> {
    Validator::new_with_features(wasm_features())
        .validate_all(module)
        .map(|_| ())
        .map_err(|e| AboveFloor {
            detail: e.message().to_owned(),
            offset: e.offset(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &[u8] = b"\0asm\x01\0\0\0";

    fn module(sections: &[&[u8]]) -> Vec<u8> {
        let mut m = HEADER.to_vec();
        for s in sections {
            m.extend_from_slice(s);
        }
        m
    }

    /// A function `() -> v128` whose body applies `op` (SIMD opcode bytes after 0xFD) to two
    /// 16-byte constants.
    fn simd_function(op: &[u8]) -> Vec<u8> {
        let types: &[u8] = &[0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b];
        let functions: &[u8] = &[0x03, 0x02, 0x01, 0x00];
        let mut body = vec![0x00]; // no locals
        for _ in 0..2 {
            body.extend_from_slice(&[0xfd, 0x0c]);
            body.extend_from_slice(&[0; 16]);
        }
        body.push(0xfd);
        body.extend_from_slice(op);
        body.push(0x0b);
        let mut code = vec![0x01, u8::try_from(body.len()).unwrap()];
        code.extend(body);
        let mut section = vec![0x0a, u8::try_from(code.len()).unwrap()];
        section.extend(code);
        module(&[types, functions, &section])
    }

    #[test]
    fn the_empty_module_and_wasm_2_simd_are_within_the_floor() {
        assert_eq!(check_wasm(HEADER), Ok(()));
        // i8x16.swizzle (0xFD 0x0E): fixed-width SIMD, in Safari since 16.4.
        assert_eq!(check_wasm(&simd_function(&[0x0e])), Ok(()));
    }

    #[test]
    fn exception_handling_is_above_the_floor() {
        // A type () -> () and a tag of that type: the exception-handling proposal.
        let types: &[u8] = &[0x01, 0x04, 0x01, 0x60, 0x00, 0x00];
        let tags: &[u8] = &[0x0d, 0x03, 0x01, 0x00, 0x00];
        let e = check_wasm(&module(&[types, tags])).unwrap_err();
        assert!(e.detail.contains("exceptions"), "{e}");
        assert!(e.to_string().contains("WebAssembly 2.0"), "{e}");
    }

    #[test]
    fn relaxed_simd_is_above_the_floor() {
        // i8x16.relaxed_swizzle: 0xFD then opcode 0x100 as LEB128 (0x80 0x02).
        let e = check_wasm(&simd_function(&[0x80, 0x02])).unwrap_err();
        assert!(e.detail.contains("relaxed SIMD"), "{e}");
    }

    #[test]
    fn the_floor_names_safari_first_with_a_reason_each() {
        assert!(FLOOR[0].name.starts_with("Safari"));
        assert!(
            FLOOR
                .iter()
                .all(|b| !b.version.is_empty() && !b.why.is_empty())
        );
    }
}

#[cfg(test)]
mod readme {
    /// The README's browser table says what [`super::FLOOR`] says.
    #[test]
    fn the_readme_states_the_floor() {
        let readme = include_str!("../../../README.md");
        for b in super::FLOOR {
            let row = format!("| {} | {} | {} |", b.name, b.version, b.why);
            assert!(readme.contains(&row), "README lacks the row {row}");
        }
    }
}
