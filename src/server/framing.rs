//! Input hygiene: a malformed message must not end the session.
//!
//! tower-lsp-server's reader stops for good at the first message it cannot
//! decode (a bad header, invalid JSON, invalid UTF-8, valid JSON that is
//! not a JSON-RPC message): the server would then exit. [`sanitize`] reads
//! the client's byte stream itself and forwards only well-formed frames, in
//! canonical `Content-Length` form. A malformed message is replaced by a
//! request to [`MALFORMED_METHOD`], whose handler answers with the JSON-RPC
//! error the message deserves (`-32700` parse error or `-32600` invalid
//! request, with the message's `id` when it has a usable one, else `null`),
//! and the session goes on with the next message.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader};
use tower_lsp_server::jsonrpc::{self, ErrorCode};

/// The internal method that stands in for a malformed message.
pub const MALFORMED_METHOD: &str = "privacy-lens/malformedMessage";

/// Messages larger than this are discarded unread (and answered with an error).
pub const MAX_MESSAGE_SIZE: usize = 256 * 1024 * 1024;

/// A header line longer than this is garbage.
const MAX_HEADER_LINE: usize = 64 * 1024;

/// Parameters of the stand-in request.
#[derive(Debug, Serialize, Deserialize)]
pub struct Malformed {
    pub code: i64,
    pub message: String,
}

/// The error response for a malformed message (the stand-in's handler).
pub fn error_for(malformed: Malformed) -> jsonrpc::Error {
    tracing::warn!("malformed message from the client: {}", malformed.message);
    jsonrpc::Error {
        code: ErrorCode::from(malformed.code),
        message: malformed.message.into(),
        data: None,
    }
}

/// Forwards the well-formed frames of `input`, replacing malformed ones by
/// stand-in requests. Runs a task until `input` ends.
pub fn sanitize<I>(input: I) -> tokio::io::DuplexStream
where
    I: AsyncRead + Unpin + Send + 'static,
{
    let (mut writer, reader) = tokio::io::duplex(1 << 20);
    tokio::spawn(async move {
        let mut input = BufReader::with_capacity(1 << 16, input);
        loop {
            let frame = match next_frame(&mut input).await {
                Ok(Some(frame)) => frame,
                Ok(None) => break,
                Err(err) => {
                    tracing::debug!("client input ended: {err}");
                    break;
                }
            };
            let body = match frame {
                Frame::Message(body) => body,
                Frame::Malformed { id, code, message } => stand_in(id, code, message),
            };
            let header = format!("Content-Length: {}\r\n\r\n", body.len());
            let written = async {
                writer.write_all(header.as_bytes()).await?;
                writer.write_all(&body).await?;
                writer.flush().await
            };
            if written.await.is_err() {
                // The server stopped reading (after `exit`).
                break;
            }
        }
        // Let the server read what is buffered before it sees the end.
        tokio::time::sleep(Duration::from_millis(10)).await;
        let _ = writer.shutdown().await;
    });
    reader
}

enum Frame {
    Message(Vec<u8>),
    Malformed {
        id: Value,
        code: ErrorCode,
        message: String,
    },
}

fn stand_in(id: Value, code: ErrorCode, message: String) -> Vec<u8> {
    let request = json!({
        "jsonrpc": "2.0",
        "id": id,
        "method": MALFORMED_METHOD,
        "params": Malformed { code: code.code(), message },
    });
    serde_json::to_vec(&request).unwrap_or_default()
}

fn parse_error(message: impl Into<String>) -> Frame {
    Frame::Malformed {
        id: Value::Null,
        code: ErrorCode::ParseError,
        message: message.into(),
    }
}

/// Reads one header line (without its line ending), at most
/// [`MAX_HEADER_LINE`] bytes; `None` at the end of the input.
async fn header_line<R: AsyncRead + Unpin>(
    input: &mut BufReader<R>,
) -> std::io::Result<Option<(Vec<u8>, bool)>> {
    let mut line = Vec::new();
    let mut too_long = false;
    loop {
        let available = input.fill_buf().await?;
        if available.is_empty() {
            return Ok((!line.is_empty()).then_some((line, too_long)));
        }
        let (chunk, done) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (&available[..=i], true),
            None => (available, false),
        };
        let n = chunk.len();
        if line.len() + n <= MAX_HEADER_LINE {
            line.extend_from_slice(chunk);
        } else {
            too_long = true;
        }
        input.consume(n);
        if done {
            while matches!(line.last(), Some(b'\n' | b'\r')) {
                line.pop();
            }
            return Ok(Some((line, too_long)));
        }
    }
}

/// The next frame; `None` at the end of the input.
async fn next_frame<R: AsyncRead + Unpin>(
    input: &mut BufReader<R>,
) -> std::io::Result<Option<Frame>> {
    let mut length: Option<Result<usize, String>> = None;
    let mut seen_header = false;
    let mut problem: Option<String> = None;
    loop {
        let Some((line, too_long)) = header_line(input).await? else {
            return Ok(None);
        };
        if too_long {
            problem.get_or_insert_with(|| "header line too long".to_string());
            seen_header = true;
            continue;
        }
        if line.is_empty() {
            if seen_header {
                break;
            }
            // Blank lines between messages.
            continue;
        }
        seen_header = true;
        // Resynchronise on a header glued to garbage (as tower-lsp does).
        let text = String::from_utf8_lossy(&line);
        let lower = text.to_ascii_lowercase();
        let text = match lower.find("content-length") {
            Some(at) if at > 0 => {
                problem.get_or_insert_with(|| "garbage before a header".to_string());
                length = None;
                &text[at..]
            }
            _ => &text[..],
        };
        let Some((name, value)) = text.split_once(':') else {
            problem.get_or_insert_with(|| format!("invalid header line {:?}", truncate(text)));
            continue;
        };
        if name.trim().eq_ignore_ascii_case("content-length") {
            length = Some(
                value
                    .trim()
                    .parse::<usize>()
                    .map_err(|_| format!("invalid Content-Length {:?}", truncate(value.trim()))),
            );
        }
        // Other headers (Content-Type) are accepted and ignored: the body
        // is decoded as UTF-8 JSON whatever they say.
    }
    let length = match length {
        Some(Ok(length)) => length,
        Some(Err(message)) => return Ok(Some(parse_error(message))),
        None => {
            let message = problem.unwrap_or_else(|| "missing Content-Length header".to_string());
            return Ok(Some(parse_error(message)));
        }
    };
    if length > MAX_MESSAGE_SIZE {
        let mut rest = (&mut *input).take(length as u64);
        tokio::io::copy(&mut rest, &mut tokio::io::sink()).await?;
        return Ok(Some(Frame::Malformed {
            id: Value::Null,
            code: ErrorCode::InvalidRequest,
            message: format!("message of {length} bytes exceeds the {MAX_MESSAGE_SIZE}-byte limit"),
        }));
    }
    let mut body = vec![0; length];
    input.read_exact(&mut body).await?;
    if body.is_empty() {
        return Ok(Some(parse_error("empty message")));
    }
    Ok(Some(check(body)))
}

/// A body tower-lsp-server can decode passes; anything else becomes an error.
fn check(body: Vec<u8>) -> Frame {
    let decodes = serde_json::from_slice::<jsonrpc::Response>(&body).is_ok()
        || serde_json::from_slice::<jsonrpc::Request>(&body).is_ok();
    if decodes {
        return Frame::Message(body);
    }
    match serde_json::from_slice::<Value>(&body) {
        Err(err) => parse_error(format!("invalid JSON: {err}")),
        Ok(value) => {
            let id = match value.get("id") {
                Some(id @ Value::String(_)) => id.clone(),
                Some(id @ Value::Number(n)) if n.is_i64() => id.clone(),
                _ => Value::Null,
            };
            Frame::Malformed {
                id,
                code: ErrorCode::InvalidRequest,
                message: "not a JSON-RPC 2.0 request, notification or response".to_string(),
            }
        }
    }
}

fn truncate(text: &str) -> String {
    text.chars().take(80).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn frames(input: &[u8]) -> Vec<Frame> {
        let mut reader = BufReader::new(input);
        let mut out = Vec::new();
        while let Some(frame) = next_frame(&mut reader).await.unwrap_or(None) {
            out.push(frame);
        }
        out
    }

    fn framed(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[tokio::test]
    async fn good_frames_pass_and_bad_ones_become_errors() {
        let good = r#"{"jsonrpc":"2.0","id":1,"method":"x"}"#;
        let input = format!(
            "{}{}\r\n{}garbage{}{}{}",
            framed(good),
            framed("{not json"),
            framed(r#"{"id":7,"hello":1}"#),
            framed(good),
            "Content-Length: abc\r\n\r\n",
            framed(good),
        );
        let frames = frames(input.as_bytes()).await;
        let kinds: Vec<String> = frames
            .iter()
            .map(|f| match f {
                Frame::Message(_) => "ok".to_string(),
                Frame::Malformed { id, code, .. } => format!("{}:{id}", code.code()),
            })
            .collect();
        assert_eq!(
            kinds,
            ["ok", "-32700:null", "-32600:7", "ok", "-32700:null", "ok"]
        );
    }

    #[tokio::test]
    async fn invalid_utf8_is_a_parse_error() {
        let mut input = b"Content-Length: 4\r\n\r\n".to_vec();
        input.extend_from_slice(&[b'"', 0xff, 0xfe, b'"']);
        let frames = frames(&input).await;
        assert!(matches!(
            frames.as_slice(),
            [Frame::Malformed {
                code: ErrorCode::ParseError,
                ..
            }]
        ));
    }
}
