//! Lenient field accessors shared by every view: a field that is absent *or has the wrong
//! JSON type* reads as `None` / empty. Reporting the wrong type is the linter's job.

use crate::oci::json::Json;

/// A string member of an object.
pub(super) fn string(json: &Json, key: &str) -> Option<String> {
    json.get(key)?.as_str().map(str::to_owned)
}

/// An integer member of an object (see [`Json::as_i64`] for what counts as an integer).
pub(super) fn int(json: &Json, key: &str) -> Option<i64> {
    json.get(key)?.as_i64()
}

/// A boolean member that is exactly `true`; anything else (absent, `"true"`, 1) is false.
pub(super) fn flag(json: &Json, key: &str) -> bool {
    json.get(key)
        .is_some_and(|v| v.value == crate::oci::json::Value::Bool(true))
}

/// The string items of an array member, in order; non-string items are skipped.
pub(super) fn strings(json: &Json, key: &str) -> Vec<String> {
    json.get(key)
        .and_then(Json::as_array)
        .unwrap_or_default()
        .iter()
        .filter_map(|item| item.as_str().map(str::to_owned))
        .collect()
}

/// The keys of an object member, in document order (Docker's `ExposedPorts` and `Volumes`
/// are "sets" written as objects with `{}` values).
pub(super) fn keys(json: &Json, key: &str) -> Vec<String> {
    json.get(key)
        .and_then(Json::as_object)
        .unwrap_or_default()
        .iter()
        .map(|m| m.key.clone())
        .collect()
}

/// The number of items of an array member, `None` when it is absent or not an array (so the
/// UI can tell "0 packages" from "no package list").
pub(super) fn count(json: &Json, key: &str) -> Option<usize> {
    json.get(key)?.as_array().map(<[Json]>::len)
}

/// The items of an array member with their JSON pointers (`{pointer}/{key}/{i}`).
pub(super) fn items<'a>(json: &'a Json, pointer: &str, key: &str) -> Vec<(String, &'a Json)> {
    let base = crate::oci::json::pointer_push(pointer, key);
    json.get(key)
        .and_then(Json::as_array)
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(i, item)| (crate::oci::json::pointer_push(&base, &i.to_string()), item))
        .collect()
}
