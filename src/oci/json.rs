//! A strict JSON parser (RFC 8259) that keeps what a linter of OCI documents needs and
//! `serde_json::Value` throws away: the byte span of every value and key, every member of an
//! object in order *including duplicate keys*, and the raw text of numbers.
//!
//! Why not serde_json: with duplicate keys it silently keeps the last one, so two parsers can
//! read one manifest differently (the class of bug behind CVE-2021-41190); and a finding's
//! JSON pointer must map back to a place in the raw bytes for the raw view.
//!
//! Hostile input is bounded: nesting depth is capped (no stack overflow), invalid UTF-8, a
//! byte-order mark, control characters in strings and lone surrogates are errors carrying the
//! byte offset. Nothing here panics.

use std::fmt;

use thiserror::Error;

/// Half-open byte range `[start, end)` into the parsed input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// A JSON value with the span it was parsed from.
#[derive(Clone, Debug, PartialEq)]
pub struct Json {
    pub value: Value,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// The number exactly as written, already checked against the JSON number grammar.
    Number(String),
    String(String),
    Array(Vec<Json>),
    /// Members in document order; duplicates are kept.
    Object(Vec<Member>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub key: String,
    pub key_span: Span,
    pub value: Json,
}

impl Value {
    /// The JSON type name, for messages ("expected a string, found an array").
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }
}

impl Json {
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Json]> {
        match &self.value {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[Member]> {
        match &self.value {
            Value::Object(members) => Some(members),
            _ => None,
        }
    }

    /// The number as an `i64` when it is written as an integer (no fraction, no exponent) and
    /// fits; `None` otherwise. OCI sizes are int64 and Go rejects `1e3` for them, so do we.
    pub fn as_i64(&self) -> Option<i64> {
        match &self.value {
            Value::Number(raw) if !raw.contains(['.', 'e', 'E']) => raw.parse().ok(),
            _ => None,
        }
    }

    /// The value of `key` in an object. With duplicate keys the *last* one wins, as in Go's
    /// `encoding/json`, which is what registries and container runtimes use.
    pub fn get(&self, key: &str) -> Option<&Json> {
        self.as_object()?
            .iter()
            .rev()
            .find(|m| m.key == key)
            .map(|m| &m.value)
    }

    /// The value a JSON pointer (RFC 6901) names, e.g. `/layers/0/digest`.
    pub fn pointer(&self, pointer: &str) -> Option<&Json> {
        if pointer.is_empty() {
            return Some(self);
        }
        let rest = pointer.strip_prefix('/')?;
        rest.split('/').try_fold(self, |node, token| {
            let token = token.replace("~1", "/").replace("~0", "~");
            match &node.value {
                Value::Object(_) => node.get(&token),
                Value::Array(items) => items.get(token.parse::<usize>().ok()?),
                _ => None,
            }
        })
    }
}

/// Appends one reference token to a JSON pointer, escaping `~` and `/` (RFC 6901).
pub fn pointer_push(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", token.replace('~', "~0").replace('/', "~1"))
}

/// Why bytes are not one JSON value. `at` is a byte offset into the input.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("{kind} at byte {at}")]
pub struct JsonError {
    pub at: usize,
    pub kind: JsonErrorKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JsonErrorKind {
    InvalidUtf8,
    ByteOrderMark,
    Empty,
    UnexpectedEnd,
    Unexpected(char),
    TooDeep(usize),
    ControlCharacter,
    BadEscape,
    LoneSurrogate,
    BadNumber,
    TrailingData,
}

impl fmt::Display for JsonErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JsonErrorKind::InvalidUtf8 => f.write_str("invalid UTF-8"),
            JsonErrorKind::ByteOrderMark => {
                f.write_str("byte-order mark (JSON must not start with one)")
            }
            JsonErrorKind::Empty => f.write_str("no JSON value (input is empty or blank)"),
            JsonErrorKind::UnexpectedEnd => f.write_str("unexpected end of input"),
            JsonErrorKind::Unexpected(c) => write!(f, "unexpected character {c:?}"),
            JsonErrorKind::TooDeep(max) => write!(f, "nesting deeper than {max} levels"),
            JsonErrorKind::ControlCharacter => {
                f.write_str("unescaped control character in a string")
            }
            JsonErrorKind::BadEscape => f.write_str("invalid escape sequence in a string"),
            JsonErrorKind::LoneSurrogate => f.write_str("unpaired UTF-16 surrogate escape"),
            JsonErrorKind::BadNumber => f.write_str("malformed number"),
            JsonErrorKind::TrailingData => f.write_str("data after the JSON value"),
        }
    }
}

/// Default maximum nesting; OCI documents need about 6, the limit only stops stack abuse.
pub const DEFAULT_MAX_DEPTH: usize = 64;

/// Parses exactly one JSON value (surrounded by optional whitespace).
pub fn parse(bytes: &[u8], max_depth: usize) -> Result<Json, JsonError> {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Err(JsonError {
            at: 0,
            kind: JsonErrorKind::ByteOrderMark,
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| JsonError {
        at: e.valid_up_to(),
        kind: JsonErrorKind::InvalidUtf8,
    })?;
    let mut parser = Parser {
        text,
        bytes,
        pos: 0,
        max_depth,
    };
    parser.skip_whitespace();
    if parser.pos == bytes.len() {
        return Err(parser.error(JsonErrorKind::Empty));
    }
    let value = parser.value(0)?;
    parser.skip_whitespace();
    if parser.pos != bytes.len() {
        return Err(parser.error(JsonErrorKind::TrailingData));
    }
    Ok(value)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    max_depth: usize,
}

impl Parser<'_> {
    fn error(&self, kind: JsonErrorKind) -> JsonError {
        JsonError { at: self.pos, kind }
    }

    /// The error for whatever is at the cursor when it is not what the grammar needs.
    fn unexpected(&self) -> JsonError {
        match self.text[self.pos..].chars().next() {
            Some(c) => self.error(JsonErrorKind::Unexpected(c)),
            None => self.error(JsonErrorKind::UnexpectedEnd),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), JsonError> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, JsonError> {
        let start = self.pos;
        let value = match self.peek() {
            Some(b'{') => self.object(depth + 1)?,
            Some(b'[') => self.array(depth + 1)?,
            Some(b'"') => Value::String(self.string()?),
            Some(b't') => self.literal("true", Value::Bool(true))?,
            Some(b'f') => self.literal("false", Value::Bool(false))?,
            Some(b'n') => self.literal("null", Value::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            _ => return Err(self.unexpected()),
        };
        Ok(Json {
            value,
            span: Span {
                start,
                end: self.pos,
            },
        })
    }

    fn enter(&self, depth: usize) -> Result<(), JsonError> {
        if depth > self.max_depth {
            Err(self.error(JsonErrorKind::TooDeep(self.max_depth)))
        } else {
            Ok(())
        }
    }

    fn literal(&mut self, word: &str, value: Value) -> Result<Value, JsonError> {
        for expected in word.bytes() {
            if self.peek() != Some(expected) {
                return Err(self.unexpected());
            }
            self.pos += 1;
        }
        Ok(value)
    }

    fn object(&mut self, depth: usize) -> Result<Value, JsonError> {
        self.enter(depth)?;
        self.pos += 1; // '{'
        let mut members = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::Object(members));
        }
        loop {
            self.skip_whitespace();
            if self.peek() != Some(b'"') {
                return Err(self.unexpected());
            }
            let key_start = self.pos;
            let key = self.string()?;
            let key_span = Span {
                start: key_start,
                end: self.pos,
            };
            self.skip_whitespace();
            self.expect(b':')?;
            self.skip_whitespace();
            let value = self.value(depth)?;
            members.push(Member {
                key,
                key_span,
                value,
            });
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Object(members));
                }
                _ => return Err(self.unexpected()),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, JsonError> {
        self.enter(depth)?;
        self.pos += 1; // '['
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::Array(items));
        }
        loop {
            self.skip_whitespace();
            items.push(self.value(depth)?);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.unexpected()),
            }
        }
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.pos += 1; // opening quote
        let mut out = String::new();
        loop {
            // Copy the run of plain characters in one go; the input is valid UTF-8 and the
            // run stops at ASCII bytes only, so the slice boundaries are char boundaries.
            let run_start = self.pos;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(&self.text[run_start..self.pos]);
            match self.peek() {
                None => return Err(self.error(JsonErrorKind::UnexpectedEnd)),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    out.push(self.escape()?);
                }
                Some(_) => return Err(self.error(JsonErrorKind::ControlCharacter)),
            }
        }
    }

    fn escape(&mut self) -> Result<char, JsonError> {
        let Some(b) = self.peek() else {
            return Err(self.error(JsonErrorKind::UnexpectedEnd));
        };
        self.pos += 1;
        Ok(match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let escape_start = self.pos - 2;
                let first = self.hex4()?;
                match first {
                    0xD800..=0xDBFF => {
                        if self.bytes.get(self.pos..self.pos + 2) != Some(b"\\u") {
                            return Err(JsonError {
                                at: escape_start,
                                kind: JsonErrorKind::LoneSurrogate,
                            });
                        }
                        self.pos += 2;
                        let second = self.hex4()?;
                        if !(0xDC00..=0xDFFF).contains(&second) {
                            return Err(JsonError {
                                at: escape_start,
                                kind: JsonErrorKind::LoneSurrogate,
                            });
                        }
                        let code = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                        char::from_u32(code).ok_or(JsonError {
                            at: escape_start,
                            kind: JsonErrorKind::LoneSurrogate,
                        })?
                    }
                    0xDC00..=0xDFFF => {
                        return Err(JsonError {
                            at: escape_start,
                            kind: JsonErrorKind::LoneSurrogate,
                        })
                    }
                    code => char::from_u32(code).ok_or(JsonError {
                        at: escape_start,
                        kind: JsonErrorKind::BadEscape,
                    })?,
                }
            }
            _ => {
                self.pos -= 1;
                return Err(self.error(JsonErrorKind::BadEscape));
            }
        })
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut code = 0u32;
        for _ in 0..4 {
            let digit = match self.peek() {
                Some(b) => (b as char).to_digit(16),
                None => return Err(self.error(JsonErrorKind::UnexpectedEnd)),
            };
            let Some(digit) = digit else {
                return Err(self.error(JsonErrorKind::BadEscape));
            };
            code = code * 16 + digit;
            self.pos += 1;
        }
        Ok(code)
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    fn number(&mut self) -> Result<Value, JsonError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.error(JsonErrorKind::BadNumber)),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error(JsonErrorKind::BadNumber));
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error(JsonErrorKind::BadNumber));
            }
            self.digits();
        }
        Ok(Value::Number(self.text[start..self.pos].to_owned()))
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
    }
}

/// What a highlighted piece of a document is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    Key,
    String,
    Number,
    Literal,
    /// The opening bracket of an object or array: where a pointer to the container lands.
    Open,
}

/// A span of the document worth marking up, with the JSON pointer of the value it starts
/// (keys carry their member's pointer, so a finding about `/layers/0/size` lands on `"size"`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Span,
    pub pointer: String,
}

/// The tokens of a parsed document in byte order; the bytes between them are whitespace and
/// punctuation, to be shown as they are.
pub fn tokens(json: &Json) -> Vec<Token> {
    fn walk(node: &Json, pointer: &str, out: &mut Vec<Token>) {
        let kind = match &node.value {
            Value::Object(_) | Value::Array(_) => TokenKind::Open,
            Value::String(_) => TokenKind::String,
            Value::Number(_) => TokenKind::Number,
            Value::Null | Value::Bool(_) => TokenKind::Literal,
        };
        let span = match kind {
            TokenKind::Open => Span {
                start: node.span.start,
                end: node.span.start + 1,
            },
            _ => node.span,
        };
        out.push(Token {
            kind,
            span,
            pointer: pointer.to_owned(),
        });
        match &node.value {
            Value::Object(members) => {
                for m in members {
                    let child = pointer_push(pointer, &m.key);
                    out.push(Token {
                        kind: TokenKind::Key,
                        span: m.key_span,
                        pointer: child.clone(),
                    });
                    walk(&m.value, &child, out);
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(item, &pointer_push(pointer, &i.to_string()), out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(json, "", &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_cover_keys_and_values_in_order_with_pointers() {
        let text = br#"{"a/b": [1, "x", null], "c": {}}"#;
        let json = parse(text, DEFAULT_MAX_DEPTH).unwrap();
        let all = tokens(&json);
        let got: Vec<(TokenKind, &str, &str)> = all
            .iter()
            .map(|t| {
                let s = std::str::from_utf8(&text[t.span.start..t.span.end]).unwrap();
                (t.kind, s, t.pointer.as_str())
            })
            .collect();
        let expected = vec![
            (TokenKind::Open, "{", ""),
            (TokenKind::Key, "\"a/b\"", "/a~1b"),
            (TokenKind::Open, "[", "/a~1b"),
            (TokenKind::Number, "1", "/a~1b/0"),
            (TokenKind::String, "\"x\"", "/a~1b/1"),
            (TokenKind::Literal, "null", "/a~1b/2"),
            (TokenKind::Key, "\"c\"", "/c"),
            (TokenKind::Open, "{", "/c"),
        ];
        assert_eq!(got, expected);
        let starts: Vec<usize> = all.iter().map(|t| t.span.start).collect();
        assert!(starts.windows(2).all(|w| w[0] < w[1]), "byte order");
    }
}
