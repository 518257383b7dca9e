//! The lazily loaded archive binary: what was opened from disk (`disk=1`), a layer file or an
//! image archive (OCI layout, `docker save`) with the document, layer and merged views it
//! needs, loaded with a `<script>` the first time a person opens a file or folder. See `lazy`.

#[cfg(target_arch = "wasm32")]
fn main() {
    use manifest_explorer::lazy::{guest, Module};
    guest::start(Module::Archive, guest::archive_views);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "the archive module runs in the browser only; it is built by `trunk build` (see README.md)"
    );
    std::process::exit(2);
}
