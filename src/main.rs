//! The app binary: in the browser it mounts the Leptos app; natively it says how to build it.

#[cfg(target_arch = "wasm32")]
fn main() {
    manifest_explorer::app::mount();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("manifest-explorer is a browser app: build and serve it with `scripts/serve` (see README.md)");
    std::process::exit(2);
}
