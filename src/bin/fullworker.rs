//! The full worker binary: the layer worker's shell with archives from disk and the file diff
//! besides (`worker::FullWorker`), started by the compare and archive modules. Built by Trunk
//! as a lazily loaded wasm module of its own (`data-type="worker"` in index.html), so the
//! layer views' worker (`src/bin/worker.rs`) stays small. It never links Leptos.

#[cfg(target_arch = "wasm32")]
fn main() {
    use manifest_explorer::worker;
    worker::start::<worker::FullWorker>();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the worker runs in the browser only; it is built by `trunk build` (see README.md)");
    std::process::exit(2);
}
