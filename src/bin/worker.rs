//! The layer worker binary: Trunk builds it as a lazily loaded wasm module of its own
//! (`data-type="worker"` in index.html), started by the layer views, the compare and the
//! archive modules. It never links Leptos; it serves layers, listings, files and the file
//! diff (`worker::receive`): archives from disk are the archive worker's
//! (`src/bin/archiveworker.rs`).

#[cfg(target_arch = "wasm32")]
fn main() {
    use manifest_explorer::worker;
    worker::start(worker::receive);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the worker runs in the browser only; it is built by `trunk build` (see README.md)");
    std::process::exit(2);
}
