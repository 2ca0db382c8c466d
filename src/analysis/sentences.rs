//! Sentence segmentation (first version: split after . ! ? followed by a space
//! and an upper-case letter, and at paragraph breaks).

pub fn split_sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for paragraph in text.split("\n\n") {
        let paragraph = paragraph.trim();
        if paragraph.is_empty() {
            continue;
        }
        let bytes: Vec<(usize, char)> = paragraph.char_indices().collect();
        let mut start = 0;
        for i in 0..bytes.len() {
            let (pos, c) = bytes[i];
            if matches!(c, '.' | '!' | '?')
                && i + 2 < bytes.len()
                && bytes[i + 1].1 == ' '
                && bytes[i + 2].1.is_uppercase()
            {
                let end = pos + c.len_utf8();
                out.push(paragraph[start..end].trim());
                start = bytes[i + 1].0;
            }
        }
        let rest = paragraph[start..].trim();
        if !rest.is_empty() {
            out.push(rest);
        }
    }
    out
}
