//! The AFL entry point: `fuzz <target>` runs one of [`fuzz_targets::TARGETS`] in AFL++'s
//! persistent mode (scripts/fuzz starts it through `cargo afl fuzz`).

fn main() {
    let name = std::env::args().nth(1).unwrap_or_default();
    let Some(&(_, target)) = fuzz_targets::TARGETS.iter().find(|(n, _)| *n == name) else {
        let names: Vec<&str> = fuzz_targets::TARGETS.iter().map(|(n, _)| *n).collect();
        eprintln!("usage: fuzz <target>, one of: {}", names.join(", "));
        std::process::exit(2);
    };
    afl::fuzz!(|data: &[u8]| target(data));
}
