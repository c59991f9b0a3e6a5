//! The server's one writer to the client.
//!
//! tower-lsp-server turns a notification's parameters into a
//! `serde_json::Value` tree and then into text. For `publishDiagnostics`
//! of a large file (300 diagnostics with their flow steps are about 330 KB
//! of JSON) that tree is most of the cost of a keystroke. Diagnostics are
//! therefore serialised straight to bytes and queued here, next to the
//! frames tower-lsp-server writes: a forwarding task cuts tower's output
//! into whole frames, and a single writer task sends every frame whole, in
//! the order queued, so messages never interleave.

use serde::Serialize;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::{mpsc, oneshot};

/// Frames larger than this from tower-lsp-server are not expected; the
/// forwarder stops (and the session ends) rather than buffer them.
const MAX_FRAME: usize = 1 << 30;

enum Item {
    Frame(Vec<u8>),
    /// Everything queued before this has been written.
    Barrier(oneshot::Sender<()>),
}

/// Queues pre-serialised messages for the client.
#[derive(Clone)]
pub struct Outbox(mpsc::UnboundedSender<Item>);

impl Outbox {
    /// Queues a notification; `false` when the writer is gone or the
    /// parameters cannot be serialised.
    pub fn notify<P: Serialize>(&self, method: &str, params: &P) -> bool {
        #[derive(Serialize)]
        struct Notification<'a, P> {
            jsonrpc: &'static str,
            method: &'a str,
            params: &'a P,
        }
        let body = match serde_json::to_vec(&Notification {
            jsonrpc: "2.0",
            method,
            params,
        }) {
            Ok(body) => body,
            Err(err) => {
                tracing::error!("cannot serialise {method}: {err}");
                return false;
            }
        };
        let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        frame.extend_from_slice(&body);
        self.0.send(Item::Frame(frame)).is_ok()
    }
}

/// The writer: returns the stream tower-lsp-server should write to, the
/// outbox for pre-serialised messages, and a future that resolves once
/// everything tower wrote (until it closed its stream) has been sent.
pub fn start<O>(
    output: O,
) -> (
    tokio::io::DuplexStream,
    Outbox,
    impl Future<Output = ()> + Send,
)
where
    O: AsyncWrite + Unpin + Send + 'static,
{
    let (tower_side, forward_side) = tokio::io::duplex(1 << 20);
    let (sender, mut queue) = mpsc::unbounded_channel::<Item>();
    tokio::spawn(async move {
        let mut output = output;
        while let Some(item) = queue.recv().await {
            match item {
                Item::Frame(bytes) => {
                    if let Err(err) = write_frame(&mut output, &bytes).await {
                        tracing::debug!("client output closed: {err}");
                        break;
                    }
                }
                Item::Barrier(done) => {
                    let _ = done.send(());
                }
            }
        }
    });
    let forward = sender.clone();
    let forwarding = tokio::spawn(async move {
        let mut input = BufReader::with_capacity(1 << 16, forward_side);
        loop {
            match read_frame(&mut input).await {
                Ok(Some(frame)) => {
                    if forward.send(Item::Frame(frame)).is_err() {
                        return;
                    }
                }
                Ok(None) => break,
                Err(err) => {
                    tracing::error!("cannot read the server's own output: {err}");
                    break;
                }
            }
        }
        let (done, written) = oneshot::channel();
        if forward.send(Item::Barrier(done)).is_ok() {
            let _ = written.await;
        }
    });
    let written = async move {
        let _ = forwarding.await;
    };
    (tower_side, Outbox(sender), written)
}

async fn write_frame<O: AsyncWrite + Unpin>(output: &mut O, bytes: &[u8]) -> std::io::Result<()> {
    output.write_all(bytes).await?;
    output.flush().await
}

/// One whole frame (headers and body) of tower-lsp-server's output.
async fn read_frame<R: AsyncRead + Unpin>(
    input: &mut BufReader<R>,
) -> std::io::Result<Option<Vec<u8>>> {
    let mut frame = Vec::new();
    let mut length: Option<usize> = None;
    loop {
        let mut line = Vec::new();
        if input.read_until(b'\n', &mut line).await? == 0 {
            return Ok(None);
        }
        frame.extend_from_slice(&line);
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end();
        if text.is_empty() {
            if length.is_some() {
                break;
            }
            continue;
        }
        if let Some((name, value)) = text.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().ok();
        }
    }
    let length = length.unwrap_or(0);
    if length > MAX_FRAME {
        return Err(std::io::Error::other(format!("frame of {length} bytes")));
    }
    let start = frame.len();
    frame.resize(start + length, 0);
    input.read_exact(&mut frame[start..]).await?;
    Ok(Some(frame))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Frames tower writes in small pieces and messages queued meanwhile
    /// come out whole, each once, tower's in their order.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn frames_never_interleave() {
        let (output, mut client) = tokio::io::duplex(1 << 16);
        let (mut tower, outbox, written) = start(output);
        let writer = tokio::spawn(async move {
            for i in 0..200 {
                let body = format!(
                    "{{\"jsonrpc\":\"2.0\",\"id\":{i},\"result\":\"{}\"}}",
                    "x".repeat(i * 37)
                );
                let frame = format!("Content-Length: {}\r\n\r\n{body}", body.len());
                for piece in frame.as_bytes().chunks(7) {
                    tower.write_all(piece).await.expect("tower writes");
                }
            }
        });
        for i in 0..200 {
            assert!(outbox.notify(
                "test/note",
                &serde_json::json!({ "n": i, "pad": "y".repeat(i) })
            ));
            tokio::task::yield_now().await;
        }
        let reader = tokio::spawn(async move {
            let mut input = BufReader::new(&mut client);
            let mut messages = Vec::new();
            while messages.len() < 400 {
                let frame = read_frame(&mut input)
                    .await
                    .expect("reads")
                    .expect("a frame");
                let body = frame
                    .split(|b| *b == b'\n')
                    .next_back()
                    .expect("a body")
                    .to_vec();
                let value: serde_json::Value = serde_json::from_slice(&body).expect("whole JSON");
                messages.push(value);
            }
            messages
        });
        writer.await.expect("tower side done");
        let messages = reader.await.expect("read everything");
        drop(outbox);
        written.await;
        let ids: Vec<u64> = messages.iter().filter_map(|m| m["id"].as_u64()).collect();
        assert_eq!(ids, (0..200).collect::<Vec<u64>>());
        let notes = messages
            .iter()
            .filter(|m| m["method"] == "test/note")
            .count();
        assert_eq!(notes, 200);
    }
}
