//! Splits a snapshot file into its top-level members and the elements of its `items` array while
//! it streams by, without parsing the items: each item's text is then parsed once, in parallel.
//!
//! serde_json reading from a file walks every byte through its reader one at a time; finding where
//! an item ends only needs to skip strings (found with `memchr`) and count brackets. The splitter
//! understands only the structure; every value it delimits is still parsed by serde_json, which
//! rejects anything malformed inside it. When the structure itself surprises the splitter (a
//! missing comma, trailing garbage, a truncated file) it gives up and the loader reads the file
//! again with serde_json alone, which names the line and column.

use super::items::Collect;
use serde::de::IgnoredAny;
use serde_json::Value;
use std::io::Read;

/// Bytes read per `read` call, and the size of a batch of items typed in parallel.
const CHUNK: usize = 8 << 20;

/// The splitter found something it does not expect; the caller falls back to serde_json.
#[derive(Debug)]
pub(super) struct Surprise;

type Step<T> = std::result::Result<T, Surprise>;

struct Stream<R> {
    reader: R,
    buf: Vec<u8>,
    pos: usize,
    eof: bool,
    /// Bytes per read ([`CHUNK`]; tiny in tests, so values straddle reads).
    chunk: usize,
}

impl<R: Read> Stream<R> {
    /// Reads more, keeping the bytes from `keep` on (moved to the front). Returns false at EOF.
    fn more(&mut self, keep: usize) -> Step<bool> {
        if self.eof {
            return Ok(false);
        }
        self.buf.drain(..keep);
        self.pos -= keep;
        let n = (&mut self.reader)
            .take(self.chunk as u64)
            .read_to_end(&mut self.buf)
            .map_err(|_| Surprise)?;
        if n < self.chunk {
            self.eof = true;
        }
        Ok(n > 0)
    }

    /// The next byte that is not whitespace, without consuming it.
    fn peek(&mut self) -> Step<Option<u8>> {
        loop {
            while let Some(&b) = self.buf.get(self.pos) {
                if matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                    self.pos += 1;
                } else {
                    return Ok(Some(b));
                }
            }
            let pos = self.pos;
            if !self.more(pos)? {
                return Ok(None);
            }
        }
    }

    fn expect(&mut self, byte: u8) -> Step<()> {
        if self.peek()? == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(Surprise)
        }
    }

    /// The bytes of the next value (whitespace skipped), consumed. Valid until the next call.
    fn value(&mut self) -> Step<&[u8]> {
        self.peek()?.ok_or(Surprise)?;
        let mut start = self.pos;
        loop {
            if let Some(end) = value_end(&self.buf, start)? {
                self.pos = end;
                return Ok(&self.buf[start..end]);
            }
            // Incomplete: read more, keeping the value's beginning (moved to the front).
            if !self.more(start)? {
                return Err(Surprise);
            }
            start = 0;
        }
    }
}

/// Where the JSON value starting at `start` ends (one past its last byte), `None` when `buf`
/// ends first.
fn value_end(buf: &[u8], start: usize) -> Step<Option<usize>> {
    match buf[start] {
        b'"' => Ok(string_end(buf, start + 1)),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = start;
            while i < buf.len() {
                match buf[i] {
                    b'"' => match string_end(buf, i + 1) {
                        Some(end) => {
                            i = end;
                            continue;
                        }
                        None => return Ok(None),
                    },
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Ok(Some(i + 1));
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            Ok(None)
        }
        b'}' | b']' | b',' | b':' => Err(Surprise),
        _ => {
            // A number or literal: up to the next delimiter.
            let end = buf[start..]
                .iter()
                .position(|b| matches!(b, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t'));
            Ok(end.map(|n| start + n))
        }
    }
}

/// One past the closing quote of a string whose contents start at `i`.
fn string_end(buf: &[u8], mut i: usize) -> Option<usize> {
    loop {
        let j = i + memchr::memchr2(b'"', b'\\', buf.get(i..)?)?;
        if buf[j] == b'"' {
            return Some(j + 1);
        }
        i = j + 2;
    }
}

/// Reads a snapshot through `c`; `Err(Surprise)` when the structure is not what the splitter
/// expects (the caller then reads the file with serde_json for a precise error).
pub(super) fn read<R: Read>(reader: R, c: &mut Collect<'_>) -> Step<()> {
    read_in(reader, c, CHUNK)
}

fn read_in<R: Read>(reader: R, c: &mut Collect<'_>, chunk: usize) -> Step<()> {
    let mut s = Stream {
        reader,
        buf: Vec::with_capacity(chunk * 2),
        pos: 0,
        eof: false,
        chunk,
    };
    s.expect(b'{')?;
    if s.peek()? == Some(b'}') {
        s.pos += 1;
    } else {
        loop {
            let key: String = serde_json::from_slice(s.value()?).map_err(|_| Surprise)?;
            s.expect(b':')?;
            match key.as_str() {
                "items" if s.peek()? == Some(b'[') => {
                    s.pos += 1;
                    c.items_seen = true;
                    items(&mut s, c)?;
                }
                _ => {
                    let raw = s.value()?;
                    match key.as_str() {
                        "format" => c.format = serde_json::from_slice(raw).map_err(|_| Surprise)?,
                        "catalog" => {
                            c.catalog = serde_json::from_slice(raw).map_err(|_| Surprise)?
                        }
                        "items" => {
                            let v: Value = serde_json::from_slice(raw).map_err(|_| Surprise)?;
                            c.items_seen = !v.is_null();
                            c.items_other = (!v.is_null()).then_some(v);
                        }
                        _ => {
                            serde_json::from_slice::<IgnoredAny>(raw).map_err(|_| Surprise)?;
                        }
                    }
                }
            }
            match s.peek()? {
                Some(b',') => s.pos += 1,
                Some(b'}') => {
                    s.pos += 1;
                    break;
                }
                _ => return Err(Surprise),
            }
        }
    }
    match s.peek()? {
        None => Ok(()),
        Some(_) => Err(Surprise),
    }
}

/// The elements of the `items` array (its `[` consumed), typed a batch at a time.
fn items<R: Read>(s: &mut Stream<R>, c: &mut Collect<'_>) -> Step<()> {
    let mut text = String::with_capacity(CHUNK + CHUNK / 4);
    let mut ends: Vec<usize> = Vec::new();
    let flush = |text: &mut String, ends: &mut Vec<usize>, c: &mut Collect<'_>| {
        let mut raws = Vec::with_capacity(ends.len());
        let mut from = 0;
        for &end in ends.iter() {
            raws.push(&text[from..end]);
            from = end;
        }
        let typed = c.type_items(c.read - ends.len(), &raws);
        text.clear();
        ends.clear();
        if typed { Ok(()) } else { Err(Surprise) }
    };
    if s.peek()? == Some(b']') {
        s.pos += 1;
        return Ok(());
    }
    loop {
        let raw = s.value()?;
        // Items are UTF-8 checked here; invalid bytes go to serde_json for the error.
        text.push_str(std::str::from_utf8(raw).map_err(|_| Surprise)?);
        ends.push(text.len());
        c.read += 1;
        if text.len() >= s.chunk {
            flush(&mut text, &mut ends, c)?;
        }
        match s.peek()? {
            Some(b',') => s.pos += 1,
            Some(b']') => {
                s.pos += 1;
                break;
            }
            _ => return Err(Surprise),
        }
    }
    flush(&mut text, &mut ends, c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::Loader;

    fn demo() -> String {
        std::fs::read_to_string(format!(
            "{}/examples/qinghe/2017-12-31.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    #[test]
    fn values_straddling_reads_and_batches_are_found() {
        let text = demo();
        let whole = crate::load::snapshot_from_str("a.json", &text).unwrap();
        for chunk in [1, 2, 7, 64, 1000, 1 << 20] {
            let loader = Loader::new();
            let mut c = Collect::new(&loader, "a.json");
            read_in(text.as_bytes(), &mut c, chunk).unwrap();
            let cat = c.finish().unwrap();
            assert_eq!(cat.items, whole.items, "chunk {chunk}");
            assert_eq!(cat.info, whole.info);
        }
    }

    #[test]
    fn malformed_structure_is_a_surprise() {
        let loader = Loader::new();
        for bad in [
            "{\"items\": [{\"code\": \"a\"} {\"code\": \"b\"}]}",
            "{\"items\": [1,]} x",
            "{\"items\": [{\"code\": \"a\"}",
            "[1, 2]",
            "{\"format\" \"x\"}",
        ] {
            let mut c = Collect::new(&loader, "a.json");
            assert!(read_in(bad.as_bytes(), &mut c, 4).is_err(), "{bad}");
        }
    }

    #[test]
    fn string_ends_skip_escapes() {
        let b = br#""a\"b\\" rest"#;
        assert_eq!(string_end(b, 1), Some(8));
        assert_eq!(string_end(br#""abc\"#, 1), None);
        assert_eq!(
            value_end(br#"{"a": "}", "b": [1, {"c": "]"}]} tail"#, 0).unwrap(),
            Some(32)
        );
    }
}
