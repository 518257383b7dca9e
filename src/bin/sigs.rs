//! The lazily loaded signatures binary: the signatures panel and the verifier (through
//! WebCrypto), loaded with a `<script>` the first time a person opens `view=sigs`. See `lazy`.

#[cfg(target_arch = "wasm32")]
fn main() {
    use manifest_explorer::lazy::{guest, Module};
    guest::start(Module::Signatures, guest::signature_views);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the signatures module runs in the browser only; it is built by `trunk build` (see README.md)");
    std::process::exit(2);
}
