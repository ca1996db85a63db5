//! Share links for scenarios. A script travels in the URL as `script=` (plain, URL-encoded:
//! easy to write by hand) or, when long, as `scriptz=` (raw DEFLATE, then base64url without
//! padding). Both are read; the app writes the shorter form.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

/// Scripts longer than this many bytes are compressed in links.
pub const PLAIN_LIMIT: usize = 600;
/// The most a compressed script may expand to (a guard against decompression bombs).
const MAX_SCRIPT: usize = 1 << 20;

/// The URL parameter and value that carry `script`.
pub fn encode(script: &str) -> (&'static str, String) {
    if script.len() <= PLAIN_LIMIT {
        return ("script", script.to_owned());
    }
    let packed = miniz_oxide::deflate::compress_to_vec(script.as_bytes(), 9);
    ("scriptz", URL_SAFE_NO_PAD.encode(packed))
}

/// Why a `scriptz=` parameter could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShareError {
    Base64,
    Inflate,
    Utf8,
}

impl ShareError {
    /// The message in `lang`.
    pub fn message(&self, lang: memlab_text::Lang) -> String {
        use memlab_text::tr;
        match self {
            ShareError::Base64 => tr!(
                lang,
                "the link's compressed script is not valid base64url — was the link cut off when it was copied?",
                "链接中压缩的脚本不是有效的 base64url——复制链接时是否被截断了？"
            ),
            ShareError::Inflate => tr!(
                lang,
                "the link's compressed script is damaged (it does not inflate) — ask for the link again",
                "链接中压缩的脚本已损坏（无法解压）——请重新获取链接"
            ),
            ShareError::Utf8 => tr!(lang, "the link's script is not UTF-8 text", "链接中的脚本不是 UTF-8 文本"),
        }
    }
}

/// Reads a `scriptz=` value.
pub fn decode_compressed(value: &str) -> Result<String, ShareError> {
    let packed = URL_SAFE_NO_PAD.decode(value.trim_end_matches('=')).map_err(|_| ShareError::Base64)?;
    let raw = miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_SCRIPT)
        .map_err(|_| ShareError::Inflate)?;
    String::from_utf8(raw).map_err(|_| ShareError::Utf8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_scripts_stay_readable() {
        assert_eq!(encode("pool 1mb\nalloc a 1kb"), ("script", "pool 1mb\nalloc a 1kb".to_string()));
    }

    #[test]
    fn long_scripts_compress_and_round_trip() {
        let long: String = (0..200).map(|i| format!("alloc a{i} 1kb\n")).collect();
        let (k, v) = encode(&long);
        assert_eq!(k, "scriptz");
        assert!(v.len() < long.len() / 3, "{} vs {}", v.len(), long.len());
        assert_eq!(decode_compressed(&v).unwrap(), long);
    }

    #[test]
    fn damaged_links_say_so() {
        assert_eq!(decode_compressed("!!!"), Err(ShareError::Base64));
        assert_eq!(decode_compressed("AAAA"), Err(ShareError::Inflate));
        assert!(ShareError::Base64.message(memlab_text::Lang::En).contains("cut off"));
        assert!(ShareError::Inflate.message(memlab_text::Lang::Zh).contains("已损坏"));
    }
}
