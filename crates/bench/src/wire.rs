//! One raw HTTP/1.1 exchange, to count the bytes of an answer as they cross the wire.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use anyhow::Context;

/// The length of the whole answer (status line, headers and body) to a JSON POST. The request
/// asks the server to close the connection, so the answer ends where the stream does.
pub fn response_bytes(
    addr: SocketAddr,
    path: &str,
    body: &serde_json::Value,
) -> anyhow::Result<usize> {
    let body = body.to_string();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut stream = TcpStream::connect(addr).with_context(|| format!("connect {addr}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.write_all(request.as_bytes())?;
    let mut answer = Vec::new();
    stream
        .read_to_end(&mut answer)
        .with_context(|| format!("read the answer from {addr}"))?;
    anyhow::ensure!(
        answer.starts_with(b"HTTP/1.1 400"),
        "expected a 400 from {addr}, got {:?}",
        String::from_utf8_lossy(&answer[..answer.len().min(64)])
    );
    Ok(answer.len())
}
