//! The layer worker binary: Trunk builds it as a second, lazily loaded wasm module
//! (`data-type="worker"` in index.html). It never links Leptos; it only starts `worker`.

#[cfg(target_arch = "wasm32")]
fn main() {
    manifest_explorer::worker::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the worker runs in the browser only; it is built by `trunk build` (see README.md)");
    std::process::exit(2);
}
