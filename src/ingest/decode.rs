//! Bytes to text: size limit, empty and binary files, UTF-8 or Windows-1252.

/// Why a file's bytes are not an article's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    Empty,
    TooLarge { size: u64, max: u64 },
    Binary,
    NotText { offset: usize },
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::Empty => write!(f, "the file is empty"),
            DecodeError::TooLarge { size, max } => write!(
                f,
                "the file is {size} bytes, over the limit of {max} bytes (raise it with --max-bytes)"
            ),
            DecodeError::Binary => write!(f, "the file is binary, not text"),
            DecodeError::NotText { offset } => write!(
                f,
                "the file is not valid UTF-8 (invalid byte at offset {offset}) and does not look like Windows-1252 text; save it as UTF-8"
            ),
        }
    }
}

/// Which encoding the text was decoded from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Windows1252,
}

/// Decodes an article file. UTF-8 (with or without BOM) is taken as is;
/// other bytes are decoded as Windows-1252 when every byte maps to a
/// printable character or ordinary whitespace.
pub fn decode(bytes: &[u8], max_bytes: u64) -> Result<(String, Encoding), DecodeError> {
    if bytes.len() as u64 > max_bytes {
        return Err(DecodeError::TooLarge {
            size: bytes.len() as u64,
            max: max_bytes,
        });
    }
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(DecodeError::Empty);
    }
    if looks_binary(bytes) {
        return Err(DecodeError::Binary);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok((normalise_newlines(text), Encoding::Utf8)),
        Err(e) => {
            let offset = e.valid_up_to();
            windows_1252(bytes)
                .map(|t| (normalise_newlines(&t), Encoding::Windows1252))
                .ok_or(DecodeError::NotText { offset })
        }
    }
}

/// NUL bytes, or many control characters, mean the file is not text.
fn looks_binary(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(8192)];
    if sample.contains(&0) {
        return true;
    }
    let controls = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c))
        .count();
    controls * 20 > sample.len()
}

fn windows_1252(bytes: &[u8]) -> Option<String> {
    let (text, had_errors) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
    // The five bytes Windows-1252 leaves undefined decode to C1 controls.
    let plausible = !had_errors
        && !text
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{0c}'));
    plausible.then(|| text.into_owned())
}

fn normalise_newlines(text: &str) -> String {
    if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_bom_and_crlf() {
        let (t, e) = decode(b"\xEF\xBB\xBFHello\r\nworld", 100).unwrap();
        assert_eq!((t.as_str(), e), ("Hello\nworld", Encoding::Utf8));
    }

    #[test]
    fn windows_1252_is_decoded() {
        let (t, e) = decode(b"Caf\xe9 \x93quoted\x94", 100).unwrap();
        assert_eq!((t.as_str(), e), ("Café “quoted”", Encoding::Windows1252));
    }

    #[test]
    fn bad_inputs() {
        assert_eq!(decode(b"", 10), Err(DecodeError::Empty));
        assert_eq!(decode(b" \n\t", 10), Err(DecodeError::Empty));
        assert_eq!(
            decode(b"12345", 4),
            Err(DecodeError::TooLarge { size: 5, max: 4 })
        );
        assert_eq!(decode(b"PK\x03\x04\x00\x00", 10), Err(DecodeError::Binary));
        assert_eq!(
            decode(b"ok \x81\x8d here", 100),
            Err(DecodeError::NotText { offset: 3 })
        );
    }
}
