//! Replays, natively, every input the fuzzer ever crashed or hung on (tests/fixtures/fuzz/
//! <target>/, written by scripts/fuzz) and the seed corpora (fuzz/seeds/<target>/, the JSON
//! fixtures and samples) through the very target bodies AFL runs (fuzz/src/lib.rs), so a
//! fixed crash stays fixed under plain `cargo test`, and the targets' properties are checked
//! on every seed without AFL installed.

#[path = "../fuzz/src/lib.rs"]
mod targets;

use std::fs;
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The files directly in `dir` (none if it does not exist), sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = match fs::read_dir(dir) {
        Ok(entries) => entries
            .map(|e| e.expect("directory entry").path())
            .filter(|p| p.is_file())
            .collect(),
        Err(_) => Vec::new(),
    };
    out.sort();
    out
}

fn json_documents() -> Vec<PathBuf> {
    let root = Path::new(ROOT);
    [
        root.join("tests/fixtures"),
        root.join("tests/fixtures/model"),
        root.join("samples"),
        root.join("fuzz/seeds/json"),
    ]
    .iter()
    .flat_map(|dir| files(dir))
    .filter(|p| {
        p.file_name()
            .is_some_and(|n| n != "DIGESTS" && n != "SHA256SUMS")
    })
    .collect()
}

fn replay(target: &str, body: targets::Target, inputs: &[PathBuf], prefix: &[u8]) -> usize {
    for path in inputs {
        let mut bytes = prefix.to_vec();
        bytes.extend(fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())));
        // A panic names the file, so a failure here says which saved input regressed.
        eprintln!("{target}: {}", path.display());
        body(&bytes);
    }
    inputs.len()
}

/// Per target: its saved crashes and hangs (none yet: see docs/fuzzing.md), then its seeds.
#[test]
fn saved_inputs_and_seeds_satisfy_the_properties() {
    for (name, body) in targets::TARGETS {
        let root = Path::new(ROOT);
        let mut replayed = replay(
            name,
            *body,
            &files(&root.join("tests/fixtures/fuzz").join(name)),
            b"",
        );
        replayed += replay(
            name,
            *body,
            &files(&root.join("fuzz/seeds").join(name)),
            b"",
        );
        // inspect's first byte picks the declared media type; 0 declares none (as scripts/fuzz
        // seeds it).
        match *name {
            "json" => replayed += replay(name, *body, &json_documents(), b""),
            "inspect" => replayed += replay(name, *body, &json_documents(), b"\0"),
            _ => {}
        }
        assert!(replayed >= 3, "{name}: only {replayed} inputs");
    }
}
