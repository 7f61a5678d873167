//! A real local SMTP server for tests: every e-mail it receives is kept in a directory and read
//! back parsed.
//!
//! It is Python's `aiosmtpd` (installed by `make setup` into the jvap-tools venv) running a small
//! handler that writes each message's raw bytes (`NNNN.eml`) and envelope (`NNNN.json`).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;
use mail_parser::{MessageParser, MimeHeaders};

/// The SMTP server: accepts every message, writes the envelope first and the message last (by
/// rename), so that a reader never sees half a message.
const SERVER: &str = r#"
import asyncio, json, os, sys
from aiosmtpd.smtp import SMTP

port, directory = int(sys.argv[1]), sys.argv[2]

class Sink:
    count = 0

    async def handle_DATA(self, server, session, envelope):
        Sink.count += 1
        stem = os.path.join(directory, "%04d" % Sink.count)
        with open(stem + ".json", "w") as f:
            json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos}, f)
        with open(stem + ".part", "wb") as f:
            f.write(envelope.original_content)
        os.rename(stem + ".part", stem + ".eml")
        return "250 Message accepted for delivery"

async def main():
    handler = Sink()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(handler, data_size_limit=None), "127.0.0.1", port)
    await server.serve_forever()

asyncio.run(main())
"#;

/// A running SMTP sink on a free port; killed (and its mail deleted) on drop.
pub struct SmtpSink {
    child: Option<Child>,
    port: u16,
    dir: tempfile::TempDir,
}

/// One received e-mail, parsed.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    /// The message as it came over SMTP.
    pub raw: Vec<u8>,
    /// The SMTP envelope: `MAIL FROM` and every `RCPT TO`.
    pub envelope_from: String,
    pub envelope_to: Vec<String>,
    pub subject: String,
    pub message_id: Option<String>,
    /// The addresses of the `To` header.
    pub to: Vec<String>,
    /// The first HTML and plain-text bodies.
    pub html: Option<String>,
    pub text: Option<String>,
    pub attachments: Vec<MailAttachment>,
}

/// One attachment of a [`ReceivedMail`].
#[derive(Debug, Clone)]
pub struct MailAttachment {
    pub name: String,
    /// `type/subtype`, e.g. `text/html`.
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl SmtpSink {
    /// Start the sink on a free port.
    pub fn start() -> anyhow::Result<SmtpSink> {
        let dir = tempfile::tempdir()?;
        let port = crate::free_port();
        let python = python()?;
        let child = Command::new(&python)
            .arg("-c")
            .arg(SERVER)
            .arg(port.to_string())
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("cannot start the SMTP sink with {}", python.display()))?;
        let mut sink = SmtpSink {
            child: Some(child),
            port,
            dir,
        };
        if let Err(e) = crate::nats::wait_for_port(port, Duration::from_secs(20)) {
            let exited = sink
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten());
            anyhow::bail!(
                "the SMTP sink did not start ({e}; exit status {exited:?}): is aiosmtpd installed \
                 in {}? run `make setup`",
                python.display()
            );
        }
        Ok(sink)
    }

    /// The URL the services send to: plain SMTP on the loopback interface.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Every message received so far, in order of arrival.
    pub fn messages(&self) -> anyhow::Result<Vec<ReceivedMail>> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(self.dir.path())?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| path.extension().is_some_and(|ext| ext == "eml"))
            .collect();
        names.sort();
        names.iter().map(|path| read_mail(path)).collect()
    }

    /// Wait until at least `count` messages have arrived, and return them all.
    pub async fn wait_for(
        &self,
        count: usize,
        limit: Duration,
    ) -> anyhow::Result<Vec<ReceivedMail>> {
        let started = Instant::now();
        loop {
            let messages = self.messages()?;
            if messages.len() >= count {
                return Ok(messages);
            }
            anyhow::ensure!(
                started.elapsed() < limit,
                "{} e-mail(s) after {limit:?}, expected {count}",
                messages.len()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn read_mail(path: &Path) -> anyhow::Result<ReceivedMail> {
    let raw = std::fs::read(path)?;
    let envelope: serde_json::Value =
        serde_json::from_slice(&std::fs::read(path.with_extension("json"))?)?;
    let message = MessageParser::default()
        .parse(&raw)
        .with_context(|| format!("{} is not an e-mail", path.display()))?;
    let attachments = message
        .attachments()
        .map(|part| MailAttachment {
            name: part.attachment_name().unwrap_or_default().to_string(),
            content_type: part
                .content_type()
                .map(|ct| match ct.subtype() {
                    Some(sub) => format!("{}/{sub}", ct.ctype()),
                    None => ct.ctype().to_string(),
                })
                .unwrap_or_default(),
            bytes: part.contents().to_vec(),
        })
        .collect();
    Ok(ReceivedMail {
        envelope_from: envelope["mail_from"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        envelope_to: envelope["rcpt_tos"]
            .as_array()
            .map(|to| {
                to.iter()
                    .filter_map(|a| a.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default(),
        subject: message.subject().unwrap_or_default().to_string(),
        message_id: message.message_id().map(String::from),
        to: message
            .to()
            .map(|to| {
                to.iter()
                    .filter_map(|a| a.address().map(String::from))
                    .collect()
            })
            .unwrap_or_default(),
        html: message.body_html(0).map(|b| b.into_owned()),
        text: message.body_text(0).map(|b| b.into_owned()),
        attachments,
        raw,
    })
}

/// `$JVAP_PYTHON`, else the jvap-tools venv `make setup` fills (root: `/opt/jvap-tools`, others:
/// `$XDG_DATA_HOME/jvap-tools`), else `python3` on `PATH`.
fn python() -> anyhow::Result<PathBuf> {
    if let Ok(path) = std::env::var("JVAP_PYTHON") {
        return Ok(PathBuf::from(path));
    }
    let data_home = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".local/share")));
    let venvs = std::iter::once(PathBuf::from("/opt/jvap-tools"))
        .chain(data_home.map(|dir| dir.join("jvap-tools")));
    for venv in venvs {
        let python = venv.join("bin/python");
        if python.exists() {
            return Ok(python);
        }
    }
    Ok(PathBuf::from("python3"))
}
