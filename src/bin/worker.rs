//! The layer worker binary: Trunk builds it as a second, lazily loaded wasm module
//! (`data-type="worker"` in index.html), started by the layer views. It never links Leptos;
//! it only starts `worker` with layer requests alone (`worker::LayerWorker`): archives from
//! disk and the file diff are the full worker's (`src/bin/fullworker.rs`).

#[cfg(target_arch = "wasm32")]
fn main() {
    use manifest_explorer::worker;
    worker::start::<worker::LayerWorker>();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the worker runs in the browser only; it is built by `trunk build` (see README.md)");
    std::process::exit(2);
}
