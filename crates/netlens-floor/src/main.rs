//! `netlens-floor DIR`: every `.wasm` under DIR (the release build, `dist/`) within the browser
//! floor, or exit status 1 naming each module and the feature above it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn modules(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            modules(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "wasm") {
            out.push(path);
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: netlens-floor DIR (the release build, e.g. dist)");
        return ExitCode::from(2);
    };
    let mut found = Vec::new();
    if let Err(e) = modules(&dir, &mut found) {
        eprintln!("netlens-floor: cannot read {}: {e}", dir.display());
        return ExitCode::from(2);
    }
    found.sort();
    if found.is_empty() {
        eprintln!(
            "netlens-floor: no .wasm under {} (build first: make build)",
            dir.display()
        );
        return ExitCode::from(2);
    }
    let mut above = 0;
    for path in &found {
        let verdict = std::fs::read(path)
            .map_err(|e| e.to_string())
            .and_then(|bytes| netlens_floor::check_wasm(&bytes).map_err(|e| e.to_string()));
        match verdict {
            Ok(()) => println!("  ok     {}", path.display()),
            Err(why) => {
                above += 1;
                println!("  ABOVE  {}: {why}", path.display());
            }
        }
    }
    let floor: Vec<String> = netlens_floor::FLOOR
        .iter()
        .map(|b| format!("{} {}", b.name, b.version))
        .collect();
    if above > 0 {
        println!(
            "floor: {above} of {} wasm modules need more than WebAssembly 2.0 ({})",
            found.len(),
            floor.join(", ")
        );
        return ExitCode::FAILURE;
    }
    println!(
        "floor: {} wasm modules within WebAssembly 2.0 ({})",
        found.len(),
        floor.join(", ")
    );
    ExitCode::SUCCESS
}
