//! The archive worker binary: image archives from disk (OCI layout, `docker save`), their
//! documents, and the slice of the file each blob lies in (`worker::receive_archive`),
//! started by the compare and archive modules beside the layer worker. Built by Trunk as a
//! lazily loaded wasm module of its own (`data-type="worker"` in index.html); it links
//! neither Leptos nor the layer pipeline.

#[cfg(target_arch = "wasm32")]
fn main() {
    use manifest_explorer::worker;
    worker::start(worker::receive_archive);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the worker runs in the browser only; it is built by `trunk build` (see README.md)");
    std::process::exit(2);
}
