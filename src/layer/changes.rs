//! Per-layer changes and efficiency figures.
