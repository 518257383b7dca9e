//! Human-readable byte counts for layer and blob sizes.
//!
//! Binary units (KiB = 1024 B), as registries and `docker image ls` sizes are powers of two in
//! practice and the unit name must not lie about it. One decimal, exact below 1 KiB.

const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

/// `512 B`, `1.0 KiB`, `1.5 MiB`. The unit is chosen so the rounded value stays below 1024
/// (1 048 575 B is `1.0 MiB`, not `1024.0 KiB`). Integer arithmetic: no float rounding
/// surprises at the boundaries.
pub fn human_size(bytes: u64) -> String {
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let bytes = u128::from(bytes);
    let mut unit = 1024u128;
    let mut index = 0;
    loop {
        // Tenths of the unit, rounded half up.
        let tenths = (bytes * 10 + unit / 2) / unit;
        if tenths < 10_240 || index + 1 == UNITS.len() {
            return format!("{}.{} {}", tenths / 10, tenths % 10, UNITS[index]);
        }
        unit *= 1024;
        index += 1;
    }
}
