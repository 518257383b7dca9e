//! The lazily loaded views binary: Trunk builds it as a separate wasm module
//! (`data-type="worker"` only means "not the page's main module" to Trunk), which the page
//! loads with a `<script>` the first time it shows what is inside a layer. See `lazy`.

#[cfg(target_arch = "wasm32")]
fn main() {
    use manifest_explorer::lazy::{guest, Module};
    guest::start(Module::Views, guest::layer_views);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "the views module runs in the browser only; it is built by `trunk build` (see README.md)"
    );
    std::process::exit(2);
}
