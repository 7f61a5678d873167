//! The Committee summary as an e-mail, and the SMTP connection that sends it.
//!
//! The message is `multipart/mixed`: first the summary itself (`multipart/alternative`: the English
//! Markdown as plain text, the English HTML), then the attachments: both summaries in HTML and
//! Markdown and the consolidated workbook, named `jvap-<round>-v<N>-<file>`.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use jvap_outputs::DatasetFile;

use crate::config::MailConfig;

/// The files of a dataset version attached to the e-mail.
pub const ATTACHED: [DatasetFile; 5] = [
    DatasetFile::SummaryEnHtml,
    DatasetFile::SummaryFrHtml,
    DatasetFile::SummaryEnMd,
    DatasetFile::SummaryFrMd,
    DatasetFile::Xlsx,
];
/// The file that is the e-mail's HTML body.
pub const BODY_HTML: DatasetFile = DatasetFile::SummaryEnHtml;
/// The file that is the e-mail's plain-text body.
pub const BODY_TEXT: DatasetFile = DatasetFile::SummaryEnMd;

/// How long one SMTP conversation may take before it counts as failed.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// What can go wrong building or sending the e-mail.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error(
        "JVAP_SMTP_URL is not a usable SMTP URL (smtp://host:port, smtps://user:pass@host): {0}"
    )]
    SmtpUrl(String),
    #[error("{what} {value:?} is not an e-mail address: {detail}")]
    Address {
        what: &'static str,
        value: String,
        detail: String,
    },
    #[error("{0} is missing from the dataset version's files")]
    MissingFile(&'static str),
    #[error("{file} is not UTF-8 text")]
    NotText { file: &'static str },
    #[error("cannot build the e-mail: {0}")]
    Build(String),
    #[error("the SMTP server did not take the e-mail: {0}")]
    Send(String),
}

/// One file of the dataset version, as read from the `datasets` store.
#[derive(Debug, Clone)]
pub struct File {
    /// The name of its [`DatasetFile`], e.g. `summary.en.html`.
    pub name: &'static str,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// What one e-mail carries.
#[derive(Debug, Clone)]
pub struct Summary<'a> {
    pub round: &'a str,
    pub version: u32,
    /// The Message-ID header, see [`message_id`].
    pub message_id: String,
    pub recipients: &'a [String],
    /// At least the files of [`ATTACHED`].
    pub files: &'a [File],
}

/// The Message-ID of the e-mail of a request: derived from the request id, so that should an
/// e-mail ever go out twice (a crash between the SMTP server's answer and our record of it), mail
/// clients see the same message.
pub fn message_id(request_id: &str) -> String {
    format!("<{request_id}@jvap>")
}

/// The SMTP transport and the sender. Cheap to clone.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// Check the settings and set up the transport (it connects when sending).
    pub fn new(config: &MailConfig) -> Result<Mailer, MailError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&config.smtp_url)
            .map_err(|e| MailError::SmtpUrl(e.to_string()))?
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        let from = mailbox("JVAP_MAIL_FROM", &config.from)?;
        Ok(Mailer { transport, from })
    }

    /// Build the e-mail of `summary` and hand it to the SMTP server.
    pub async fn send(&self, summary: &Summary<'_>) -> Result<(), MailError> {
        let message = build(&self.from, summary)?;
        self.transport
            .send(message)
            .await
            .map_err(|e| MailError::Send(e.to_string()))?;
        Ok(())
    }
}

/// A plain-text e-mail (a reminder to a partner's focal points).
#[derive(Debug, Clone)]
pub struct Plain<'a> {
    pub recipients: &'a [String],
    pub subject: &'a str,
    pub text: &'a str,
    /// The Message-ID header, see [`message_id`].
    pub message_id: String,
}

impl Mailer {
    /// Build the plain-text e-mail and hand it to the SMTP server.
    pub async fn send_plain(&self, plain: &Plain<'_>) -> Result<(), MailError> {
        let mut builder = Message::builder()
            .from(self.from.clone())
            .subject(plain.subject)
            .message_id(Some(plain.message_id.clone()))
            .date_now();
        for recipient in plain.recipients {
            builder = builder.to(mailbox("recipient", recipient)?);
        }
        let message = builder
            .header(ContentType::TEXT_PLAIN)
            .body(plain.text.to_string())
            .map_err(|e| MailError::Build(e.to_string()))?;
        self.transport
            .send(message)
            .await
            .map_err(|e| MailError::Send(e.to_string()))?;
        Ok(())
    }
}

/// The e-mail of `summary` from `from`.
pub fn build(from: &Mailbox, summary: &Summary<'_>) -> Result<Message, MailError> {
    let file = |name: &'static str| {
        summary
            .files
            .iter()
            .find(|f| f.name == name)
            .ok_or(MailError::MissingFile(name))
    };
    let text = |name: &'static str| {
        String::from_utf8(file(name)?.bytes.clone()).map_err(|_| MailError::NotText { file: name })
    };
    let (round, version) = (summary.round, summary.version);
    let mut builder = Message::builder()
        .from(from.clone())
        .subject(format!(
            "JVAP data round {round}: summary of dataset v{version} / Cycle de collecte {round} : \
             résumé de la version {version}"
        ))
        .message_id(Some(summary.message_id.clone()))
        .date_now();
    for recipient in summary.recipients {
        builder = builder.to(mailbox("recipient", recipient)?);
    }
    let mut body = MultiPart::mixed().multipart(MultiPart::alternative_plain_html(
        text(BODY_TEXT.name())?,
        text(BODY_HTML.name())?,
    ));
    for name in ATTACHED.map(DatasetFile::name) {
        let file = file(name)?;
        let content_type = ContentType::parse(file.content_type)
            .map_err(|e| MailError::Build(format!("content type of {name}: {e}")))?;
        body = body.singlepart(
            Attachment::new(format!("jvap-{round}-v{version}-{name}"))
                .body(file.bytes.clone(), content_type),
        );
    }
    builder
        .multipart(body)
        .map_err(|e| MailError::Build(e.to_string()))
}

fn mailbox(what: &'static str, value: &str) -> Result<Mailbox, MailError> {
    value
        .trim()
        .parse()
        .map_err(|e: lettre::address::AddressError| MailError::Address {
            what,
            value: value.to_string(),
            detail: e.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> Vec<File> {
        DatasetFile::ALL
            .iter()
            .map(|file| File {
                name: file.name(),
                content_type: file.content_type(),
                bytes: format!("content of {}", file.name()).into_bytes(),
            })
            .collect()
    }

    #[test]
    fn the_email_has_the_summary_as_body_and_five_attachments() {
        let files = files();
        let recipients = vec![
            "chair@example.org".to_string(),
            "sec@example.org".to_string(),
        ];
        let summary = Summary {
            round: "2022",
            version: 3,
            message_id: message_id("summary-2022-x"),
            recipients: &recipients,
            files: &files,
        };
        let from = mailbox("from", "JVAP <jvap@example.org>").expect("address");
        let text = String::from_utf8(build(&from, &summary).expect("builds").formatted())
            .expect("an e-mail is ASCII");
        assert!(text.contains("Message-ID: <summary-2022-x@jvap>"), "{text}");
        assert!(
            text.contains("To: chair@example.org, sec@example.org"),
            "{text}"
        );
        assert!(text.contains("multipart/alternative"), "{text}");
        for name in ATTACHED.map(DatasetFile::name) {
            assert!(
                text.contains(&format!("filename=\"jvap-2022-v3-{name}\"")),
                "{name} attached: {text}"
            );
        }
        assert!(!text.contains("dataset.csv"), "only the five files: {text}");
    }

    #[test]
    fn a_missing_summary_file_or_a_bad_address_is_a_clear_error() {
        let mut files = files();
        files.retain(|f| f.name != "summary.fr.md");
        let recipients = vec!["chair@example.org".to_string()];
        let from = mailbox("from", "jvap@example.org").expect("address");
        let summary = Summary {
            round: "2022",
            version: 1,
            message_id: message_id("r"),
            recipients: &recipients,
            files: &files,
        };
        let error = build(&from, &summary).expect_err("a file is missing");
        assert!(error.to_string().contains("summary.fr.md"), "{error}");

        let bad = MailConfig {
            smtp_url: "smtp://127.0.0.1:2525".into(),
            from: "not an address".into(),
        };
        let error = Mailer::new(&bad).err().expect("a bad sender");
        assert!(error.to_string().contains("JVAP_MAIL_FROM"), "{error}");
        let bad = MailConfig {
            smtp_url: "ftp://host".into(),
            from: "jvap@example.org".into(),
        };
        assert!(matches!(Mailer::new(&bad), Err(MailError::SmtpUrl(_))));
    }
}
