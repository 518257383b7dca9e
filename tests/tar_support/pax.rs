//! PAX extended-header records for the tests that build tar streams by hand (POSIX.1-2008
//! `pax`, "pax Extended Header": `"%d %s=%s\n"`).

/// One record; its decimal length counts itself, so it is found as a fixed point.
pub fn pax_record(key: &str, value: &[u8]) -> Vec<u8> {
    let body = key.len() + value.len() + 3;
    let mut len = body + 1;
    while len != body + len.to_string().len() {
        len = body + len.to_string().len();
    }
    let mut r = format!("{len} {key}=").into_bytes();
    r.extend_from_slice(value);
    r.push(b'\n');
    r
}
