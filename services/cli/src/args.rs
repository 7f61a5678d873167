//! The command line.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use jvap_outputs::DatasetFile;
use jvap_record::Lang;
use jvap_record::messages::{Mode, Role};

pub const DEFAULT_SERVER: &str = "http://127.0.0.1:8080";

#[derive(Debug, Parser)]
#[command(
    name = "jvap",
    version,
    about = "Validate JVAP spreadsheets offline, and submit them to the JVAP data round.",
    after_help = "Exit status: 0 accepted or done, 1 rejected or refused by the server, 2 the command could not run."
)]
pub struct Cli {
    /// Language of messages and of the template.
    #[arg(long, global = true, value_enum, env = "JVAP_LANG", default_value_t = LangArg::En)]
    pub lang: LangArg,
    /// The JVAP server to talk to.
    #[arg(long, global = true, env = "JVAP_SERVER", default_value = DEFAULT_SERVER)]
    pub server: String,
    /// Your access token.
    #[arg(long, global = true, env = "JVAP_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a spreadsheet offline, cell by cell, exactly as the service does.
    Validate {
        /// The file: xlsx, xls, xlsb, ods or csv.
        file: PathBuf,
        #[arg(long, value_enum, default_value_t)]
        format: OutputFormat,
        /// Also write your workbook back as xlsx with each problem cell coloured and noted
        /// (in the language of --lang), and a first sheet listing every issue.
        #[arg(long, value_name = "OUT.xlsx")]
        annotate: Option<PathBuf>,
        /// Also write the list of issues (in the language of --lang), to share with whoever fixes
        /// the file: CSV or xlsx, by the name's extension.
        #[arg(long, value_name = "OUT.csv|OUT.xlsx")]
        issues: Option<PathBuf>,
    },
    /// Write the official template (in the language of --lang).
    Template {
        /// Where to write it [default: jvap-template-<lang>.xlsx].
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Pre-filled with the partner's current initiatives of the server's open round, their
        /// JVAP ids in a locked column (from the server: a partner's token, or an analyst's or an
        /// admin's with --partner).
        #[arg(long)]
        prefill: bool,
        /// The partner whose initiatives a pre-filled template holds.
        #[arg(long, value_name = "CODE", requires = "prefill")]
        partner: Option<String>,
    },
    /// List every issue code with its severity and messages.
    Codes {
        #[arg(long, value_enum, default_value_t)]
        format: OutputFormat,
    },
    /// Upload a spreadsheet to the server.
    Submit {
        file: PathBuf,
        /// replace: your initiatives for the round; merge: update by Reference and add the rest.
        #[arg(long, value_enum, default_value_t)]
        mode: ModeArg,
        /// Wait for the verdict and show it.
        #[arg(long)]
        wait: bool,
        /// How long --wait waits, in seconds.
        #[arg(long, default_value_t = 300, requires = "wait")]
        timeout: u64,
        /// Read a column as a field: the header as written in the file, then `=`, then the field's
        /// key (`lead_funder`) or template header. Repeat it for several columns. Applied before the
        /// headers are read by meaning, and remembered for your next files with the same headers.
        #[arg(long = "map", value_name = "HEADER=FIELD")]
        map: Vec<String>,
    },
    /// Show one submission, a table of yours, or with --round the round tracker (analysts).
    Status {
        /// A submission id; without it, every submission you can see.
        #[arg(conflicts_with = "round")]
        id: Option<String>,
        /// Show the round tracker instead: every expected partner and where it stands.
        #[arg(long)]
        round: Option<String>,
        #[arg(long, value_enum, default_value_t)]
        format: OutputFormat,
    },
    /// Download a published dataset (`latest` or a version), or `annotated ID`: a submission's
    /// workbook with its problems highlighted.
    Download {
        /// `latest`, a version number, or `annotated`.
        #[arg(value_parser = parse_dataset_ref)]
        version: DatasetRef,
        /// With `annotated`: the submission id.
        id: Option<String>,
        /// The file: the dataset as xlsx, json or csv, or a Committee summary (not for `annotated`,
        /// which is always xlsx).
        #[arg(long, value_enum)]
        format: Option<DatasetFormat>,
        /// Where to write it [default: jvap-dataset-<round>-<version>.<format>, or
        /// jvap-summary-<round>-<version>.<lang>.<html|md>].
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// The round [default: the server's current round].
        #[arg(long)]
        round: Option<String>,
    },
    /// Manage access tokens (admin).
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
    /// Open or close a round, or set the partners it expects (admin). Closing it also e-mails its
    /// summary to the Steering Committee.
    Round {
        #[command(subcommand)]
        action: RoundAction,
    },
    /// Consolidate a folder of partner spreadsheets offline: validate each, keep the accepted ones
    /// (one partner per file, named by the code that starts the file name: NER_....xlsx), and write
    /// the dataset version and summaries the service would publish (the workbook in the language of
    /// --lang).
    Consolidate {
        /// The folder: every xlsx, xls, xlsb, ods and csv file in it, in name order.
        dir: PathBuf,
        /// Where to write the files (created when missing).
        #[arg(long, value_name = "OUTDIR")]
        out: PathBuf,
        #[arg(long, default_value = "2022")]
        round: String,
    },
    /// The Steering Committee's distribution list (admin).
    Committee {
        #[command(subcommand)]
        action: CommitteeAction,
    },
    /// E-mail a round's summary to the Steering Committee, or list what was sent.
    Summary {
        #[command(subcommand)]
        action: SummaryAction,
    },
    /// Run stored submissions again (admin): a failed one, or a whole round after the rules changed;
    /// back up or restore the whole system (talking to NATS and the database directly).
    Admin {
        #[command(subcommand)]
        action: AdminAction,
    },
}

#[derive(Debug, Subcommand)]
pub enum AdminAction {
    /// Run a failed submission again, as if it had just been received.
    Replay {
        /// The submission id.
        id: String,
        #[arg(long, value_enum, default_value_t)]
        format: OutputFormat,
    },
    /// Validate every submission of a round again (after the rules changed); aggregation then
    /// publishes a new dataset version with what changed.
    Revalidate {
        #[arg(long, default_value = "2022")]
        round: String,
        #[arg(long, value_enum, default_value_t)]
        format: OutputFormat,
    },
    /// Back up the whole system into DIR: the JetStream streams with their consumers, every KV
    /// bucket but sessions and services, every object store and every table of the database, with
    /// a manifest of checksums. Stop the services first for a backup of one moment.
    Backup(BackupArgs),
    /// Restore a backup made by `jvap admin backup` into a new NATS and database, with every
    /// service stopped; the checksums are checked first.
    Restore(RestoreArgs),
    /// Import an earlier round's consolidated data (jvap's own dataset.json) as version 1 of the
    /// round it names: every partner's initiatives validated with the rules of an upload, ids
    /// kept or given. Any error refuses the whole file (nothing is imported) and is printed with
    /// its partner and initiative. Talks to NATS and the database directly.
    ImportBaseline(ImportBaselineArgs),
}

#[derive(Debug, clap::Args)]
pub struct ImportBaselineArgs {
    /// The baseline: a dataset.json written by jvap (the service or `jvap consolidate`).
    pub file: PathBuf,
    /// The round it is the data of, e.g. 2020; it must have no dataset version yet.
    #[arg(long)]
    pub round: String,
    #[command(flatten)]
    pub state: StateArgs,
}

/// Where the system keeps its state: the services' own NATS and database settings.
#[derive(Debug, clap::Args)]
pub struct StateArgs {
    #[command(flatten)]
    pub nats: jvap_bus::NatsConfig,
    #[command(flatten)]
    pub database: jvap_aggregation::DatabaseSettings,
}

#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    /// The directory to write (created; it must be empty).
    pub dir: PathBuf,
    #[command(flatten)]
    pub state: StateArgs,
}

#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// The backup's directory.
    pub dir: PathBuf,
    /// Replace what the target already holds in the streams, buckets, stores and tables of the
    /// backup (without it, a target with data is refused).
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub state: StateArgs,
}

#[derive(Debug, Subcommand)]
pub enum CommitteeAction {
    /// Show the addresses the summary is e-mailed to.
    Show {
        #[arg(long, value_enum, default_value_t)]
        format: OutputFormat,
    },
    /// Replace the list: comma-separated addresses, e.g. `chair@x.org,secretariat@y.org`
    /// (an empty string empties it).
    Set {
        #[arg(value_name = "ADDRESSES")]
        recipients: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum SummaryAction {
    /// E-mail the round's latest summary to the Committee now (admin).
    Send {
        #[arg(long, default_value = "2022")]
        round: String,
    },
    /// Every summary e-mail of the round and what became of it (analyst, admin).
    Deliveries {
        #[arg(long, default_value = "2022")]
        round: String,
        #[arg(long, value_enum, default_value_t)]
        format: OutputFormat,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenAction {
    /// Issue a token; it is printed once and never again.
    Issue {
        #[arg(long, value_enum)]
        role: RoleArg,
        /// The partner code, for partner tokens.
        #[arg(long, required_if_eq("role", "partner"))]
        partner: Option<String>,
        /// A note on who holds the token.
        #[arg(long)]
        label: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    En,
    Fr,
}

impl From<LangArg> for Lang {
    fn from(lang: LangArg) -> Lang {
        match lang {
            LangArg::En => Lang::En,
            LangArg::Fr => Lang::Fr,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum ModeArg {
    #[default]
    Replace,
    Merge,
}

impl From<ModeArg> for Mode {
    fn from(mode: ModeArg) -> Mode {
        match mode {
            ModeArg::Replace => Mode::Replace,
            ModeArg::Merge => Mode::Merge,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    Partner,
    Analyst,
    Admin,
}

impl From<RoleArg> for Role {
    fn from(role: RoleArg) -> Role {
        match role {
            RoleArg::Partner => Role::Partner,
            RoleArg::Analyst => Role::Analyst,
            RoleArg::Admin => Role::Admin,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum RoundAction {
    /// Let the round take submissions. With --from, the round's version 1 first carries the
    /// current initiatives of that round (an imported baseline), ids kept; that part talks to NATS
    /// and the database directly, as `jvap admin backup` does.
    Open {
        #[arg(long, default_value = "2022")]
        round: String,
        /// The round whose current initiatives version 1 carries; the round must have no version.
        #[arg(long)]
        from: Option<String>,
        #[command(flatten)]
        state: StateArgs,
    },
    /// Refuse new submissions to the round.
    Close {
        #[arg(long, default_value = "2022")]
        round: String,
    },
    /// Show or set the partners the round expects (the round tracker lists them).
    Partners {
        round: String,
        /// Expect exactly these partner codes.
        #[arg(
            long,
            value_delimiter = ',',
            value_name = "CODE,CODE",
            conflicts_with = "all"
        )]
        set: Option<Vec<String>>,
        /// Expect every partner of the reference list again.
        #[arg(long)]
        all: bool,
    },
    /// Show or set the round's deadline: partners without accepted data are reminded by e-mail
    /// before it, and files received after it are flagged late.
    Deadline {
        #[arg(long, default_value = "2022")]
        round: String,
        /// The last day, YYYY-MM-DD; absent: show the deadline.
        #[arg(value_name = "YYYY-MM-DD", conflicts_with = "clear")]
        day: Option<chrono::NaiveDate>,
        /// Remove the deadline (and with it the reminders).
        #[arg(long)]
        clear: bool,
    },
}

/// A file of a published dataset version: one [`DatasetFile`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DatasetFormat {
    Xlsx,
    Json,
    Csv,
    SummaryEnHtml,
    SummaryFrHtml,
    SummaryEnMd,
    SummaryFrMd,
}

impl DatasetFormat {
    /// The file of the dataset version.
    pub fn file(self) -> DatasetFile {
        match self {
            DatasetFormat::Xlsx => DatasetFile::Xlsx,
            DatasetFormat::Json => DatasetFile::Json,
            DatasetFormat::Csv => DatasetFile::Csv,
            DatasetFormat::SummaryEnHtml => DatasetFile::SummaryEnHtml,
            DatasetFormat::SummaryFrHtml => DatasetFile::SummaryFrHtml,
            DatasetFormat::SummaryEnMd => DatasetFile::SummaryEnMd,
            DatasetFormat::SummaryFrMd => DatasetFile::SummaryFrMd,
        }
    }

    /// The file's name in the dataset version (`dataset.xlsx`, `summary.fr.html`).
    pub fn file_name(self) -> &'static str {
        self.file().name()
    }
}

/// Which dataset version to download.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatasetRef {
    Latest,
    Version(u32),
    /// A submission's annotated workbook.
    Annotated,
}

impl std::fmt::Display for DatasetRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DatasetRef::Latest => f.write_str("latest"),
            DatasetRef::Version(v) => write!(f, "{v}"),
            DatasetRef::Annotated => f.write_str("annotated"),
        }
    }
}

fn parse_dataset_ref(s: &str) -> Result<DatasetRef, String> {
    if s.eq_ignore_ascii_case("latest") {
        return Ok(DatasetRef::Latest);
    }
    if s.eq_ignore_ascii_case("annotated") {
        return Ok(DatasetRef::Annotated);
    }
    let digits = s.strip_prefix(['v', 'V']).unwrap_or(s);
    match digits.parse::<u32>() {
        Ok(v) if v > 0 => Ok(DatasetRef::Version(v)),
        _ => Err(format!(
            "{s:?} is not `latest`, `annotated` or a version number such as 3"
        )),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;
    use clap::error::ErrorKind;

    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("jvap").chain(args.iter().copied()))
    }

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn validate_takes_a_file_a_format_and_a_language() {
        let cli =
            parse(&["validate", "a.xlsx", "--format", "json", "--lang", "fr"]).expect("parses");
        assert_eq!(cli.lang, LangArg::Fr);
        match cli.command {
            Command::Validate {
                file,
                format,
                annotate,
                issues,
            } => {
                assert_eq!(file, PathBuf::from("a.xlsx"));
                assert_eq!(format, OutputFormat::Json);
                assert_eq!(annotate, None);
                assert_eq!(issues, None);
            }
            other => panic!("parsed as {other:?}"),
        }
        let cli = parse(&["validate", "a.csv"]).expect("parses");
        assert!(matches!(
            cli.command,
            Command::Validate {
                format: OutputFormat::Text,
                ..
            }
        ));
    }

    #[test]
    fn bad_arguments_are_usage_errors_which_exit_2() {
        for args in [
            &["validate"][..],
            &["validate", "a.xlsx", "--format", "yaml"],
            &["download", "newest", "--format", "csv"],
            &["token", "issue", "--role", "partner"],
            &["round", "reopen"],
            &["round", "partners", "2022", "--set", "NER", "--all"],
            &["status", "abc", "--round", "2022"],
            &["consolidate", "samples"],
            &["frobnicate"],
        ] {
            let error = parse(args).expect_err(&format!("{args:?} should not parse"));
            assert_eq!(error.exit_code(), 2, "{args:?}: {:?}", error.kind());
        }
        let help = parse(&["--help"]).expect_err("help is reported as an error value");
        assert_eq!(help.kind(), ErrorKind::DisplayHelp);
        assert_eq!(help.exit_code(), 0);
    }

    #[test]
    fn remote_commands_parse_their_options() {
        let cli = parse(&[
            "--server",
            "http://h:1",
            "submit",
            "f.xlsx",
            "--mode",
            "merge",
            "--wait",
        ])
        .expect("parses");
        assert_eq!(cli.server, "http://h:1");
        assert!(matches!(
            cli.command,
            Command::Submit {
                mode: ModeArg::Merge,
                wait: true,
                timeout: 300,
                ..
            }
        ));

        let cli = parse(&[
            "download", "v3", "--format", "xlsx", "-o", "d.xlsx", "--round", "2022",
        ])
        .expect("parses");
        match cli.command {
            Command::Download {
                version,
                format,
                output,
                round,
                ..
            } => {
                assert_eq!(version, DatasetRef::Version(3));
                assert_eq!(format, Some(DatasetFormat::Xlsx));
                assert_eq!(output, Some(PathBuf::from("d.xlsx")));
                assert_eq!(round.as_deref(), Some("2022"));
            }
            other => panic!("parsed as {other:?}"),
        }

        let cli = parse(&["download", "annotated", "0123abcd"]).expect("parses");
        match cli.command {
            Command::Download { version, id, .. } => {
                assert_eq!(version, DatasetRef::Annotated);
                assert_eq!(id.as_deref(), Some("0123abcd"));
            }
            other => panic!("parsed as {other:?}"),
        }

        let cli = parse(&[
            "token",
            "issue",
            "--role",
            "partner",
            "--partner",
            "SEN",
            "--label",
            "MoI",
        ])
        .expect("parses");
        assert!(matches!(
            cli.command,
            Command::Token {
                action: TokenAction::Issue {
                    role: RoleArg::Partner,
                    ..
                }
            }
        ));
        let cli = parse(&["round", "close"]).expect("parses");
        assert!(
            matches!(cli.command, Command::Round { action: RoundAction::Close { ref round } } if round == "2022")
        );
        let cli = parse(&["round", "partners", "2022", "--set", "NER,EU"]).expect("parses");
        match cli.command {
            Command::Round {
                action: RoundAction::Partners { round, set, all },
            } => {
                assert_eq!(round, "2022");
                assert_eq!(set, Some(vec!["NER".to_string(), "EU".to_string()]));
                assert!(!all);
            }
            other => panic!("parsed as {other:?}"),
        }
        let cli = parse(&["round", "deadline", "--round", "2022", "2022-06-30"]).expect("parses");
        match cli.command {
            Command::Round {
                action: RoundAction::Deadline { round, day, clear },
            } => {
                assert_eq!(round, "2022");
                assert_eq!(day, chrono::NaiveDate::from_ymd_opt(2022, 6, 30));
                assert!(!clear);
            }
            other => panic!("parsed as {other:?}"),
        }
        assert!(parse(&["round", "deadline", "30/06/2022"]).is_err());
        assert!(parse(&["round", "deadline", "2022-06-30", "--clear"]).is_err());
        let cli = parse(&["status", "--round", "2022", "--format", "json"]).expect("parses");
        assert!(matches!(
            cli.command,
            Command::Status {
                id: None,
                round: Some(_),
                format: OutputFormat::Json
            }
        ));
        let cli = parse(&["download", "latest", "--format", "summary-fr-html"]).expect("parses");
        assert!(matches!(
            cli.command,
            Command::Download {
                format: Some(DatasetFormat::SummaryFrHtml),
                ..
            }
        ));
        let cli = parse(&["consolidate", "in", "--out", "out"]).expect("parses");
        assert!(matches!(cli.command, Command::Consolidate { ref round, .. } if round == "2022"));
        let cli = parse(&["status"]).expect("parses");
        assert!(matches!(cli.command, Command::Status { id: None, .. }));
    }

    #[test]
    fn backup_and_restore_read_the_services_nats_and_database_settings() {
        let cli = parse(&[
            "admin",
            "backup",
            "/srv/backup",
            "--nats-url",
            "nats://n:4222",
            "--database-url",
            "postgres://u@h/jvap",
        ])
        .expect("parses");
        match cli.command {
            Command::Admin {
                action: AdminAction::Backup(args),
            } => {
                assert_eq!(args.dir, PathBuf::from("/srv/backup"));
                assert_eq!(args.state.nats.servers_shown(), "n:4222");
                assert_eq!(
                    args.state.database.database(),
                    jvap_aggregation::Database::Postgres("postgres://u@h/jvap".into())
                );
            }
            other => panic!("parsed as {other:?}"),
        }
        let cli = parse(&["admin", "restore", "b", "--force", "--data-dir", "/d"]).expect("parses");
        match cli.command {
            Command::Admin {
                action: AdminAction::Restore(args),
            } => {
                assert!(args.force);
                assert_eq!(
                    args.state.database.database(),
                    jvap_aggregation::Database::Sqlite(PathBuf::from("/d/jvap.db"))
                );
            }
            other => panic!("parsed as {other:?}"),
        }
        let error = parse(&["admin", "backup", "b", "--database-url", "postgress://x"])
            .expect_err("a mistyped scheme is refused");
        assert_eq!(error.exit_code(), 2);
    }

    #[test]
    fn committee_and_summary_commands_parse() {
        let cli = parse(&["committee", "set", "a@x.org,b@y.org"]).expect("parses");
        assert!(matches!(
            cli.command,
            Command::Committee { action: CommitteeAction::Set { ref recipients } }
                if recipients == "a@x.org,b@y.org"
        ));
        let cli = parse(&["committee", "show"]).expect("parses");
        assert!(matches!(
            cli.command,
            Command::Committee {
                action: CommitteeAction::Show { .. }
            }
        ));
        let cli = parse(&["summary", "send"]).expect("parses");
        assert!(matches!(
            cli.command,
            Command::Summary { action: SummaryAction::Send { ref round } } if round == "2022"
        ));
        let cli = parse(&["summary", "send", "--round", "2023"]).expect("parses");
        assert!(matches!(
            cli.command,
            Command::Summary { action: SummaryAction::Send { ref round } } if round == "2023"
        ));
        let cli = parse(&["summary", "deliveries", "--format", "json"]).expect("parses");
        assert!(matches!(
            cli.command,
            Command::Summary {
                action: SummaryAction::Deliveries {
                    format: OutputFormat::Json,
                    ..
                }
            }
        ));
        assert!(parse(&["committee", "set"]).is_err());
    }

    #[test]
    fn every_download_format_is_a_file_of_a_dataset_version() {
        let files: Vec<&str> = DatasetFormat::value_variants()
            .iter()
            .map(|f| f.file_name())
            .collect();
        let expected: Vec<&str> = DatasetFile::ALL.map(DatasetFile::name).to_vec();
        assert_eq!(files, expected);
    }

    #[test]
    fn dataset_refs_are_latest_or_a_positive_version() {
        assert_eq!(parse_dataset_ref("latest"), Ok(DatasetRef::Latest));
        assert_eq!(parse_dataset_ref("12"), Ok(DatasetRef::Version(12)));
        assert_eq!(parse_dataset_ref("v2"), Ok(DatasetRef::Version(2)));
        assert!(parse_dataset_ref("0").is_err());
        assert!(parse_dataset_ref("-1").is_err());
    }
}
