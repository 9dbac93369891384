//! The command line: clap definitions here, execution in [`run`], output in [`format`].
//! Store commands go through the running console's socket when there is one, else straight to
//! the store: the output is the same either way.

pub mod audit;
pub mod demo;
pub mod format;
pub mod handover;
pub mod input;
pub mod instructions;
pub mod notice_format;
pub mod notices;
pub mod reports;
pub mod run;
pub mod store_cmds;

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// dutydesk — 值班室终端 / the duty office console.
///
/// Run without a command to open the console. 不带子命令运行即打开值班台。
#[derive(Debug, Parser)]
#[command(name = "dutydesk", version, about, long_about = None)]
pub struct Cli {
    /// Data folder (default: $XDG_DATA_HOME/dutydesk). 数据目录
    #[arg(long, global = true, env = "DUTYDESK_DATA", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Configuration file (default: $XDG_CONFIG_HOME/dutydesk/config.toml). 配置文件
    #[arg(long, global = true, env = "DUTYDESK_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Language: zh-CN or en (default: config, then the locale). 界面语言
    #[arg(long, global = true, value_name = "LANG")]
    pub lang: Option<String>,
    /// The officer recorded for CLI actions (default: the officer signed in at a running
    /// console; a writing command with neither is refused). 操作值班员
    #[arg(long, global = true, env = "DUTYDESK_OFFICER", value_name = "NAME")]
    pub officer: Option<String>,
    /// What to do.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Output formats for lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// Aligned columns for people.
    Table,
    /// JSON for scripts.
    Json,
}

/// Output formats for one incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShowFormat {
    /// Readable text.
    Text,
    /// JSON.
    Json,
}

/// Output formats for the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Aligned columns.
    Table,
    /// The journal's own lines, one JSON event a line.
    Jsonl,
}

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckOutput {
    /// One JSON object per report per line.
    Json,
    /// Readable, the cue highlighted in context.
    Text,
}

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// Every event, one JSON object a line.
    Jsonl,
    /// One row per report, UTF-8 with BOM (opens in Excel).
    Csv,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the data folder and a user config file. 初始化
    Init,
    /// File reports and print their schema. 报告
    #[command(subcommand)]
    Report(ReportCommand),
    /// Check reports for what needs verifying, without filing them. 核实检查
    ///
    /// Reads one report in the JSON shape (`dutydesk report schema`), a JSON array of them, or
    /// JSON lines. Exit 0 with or without flags; 2 on malformed input.
    Check {
        /// The JSON file, or - (default) for standard input.
        #[arg(default_value = "-")]
        file: String,
        /// json | text
        #[arg(long, value_enum, default_value_t = CheckOutput::Json)]
        format: CheckOutput,
    },
    /// List incidents, newest first. 事件列表
    List {
        /// Only incidents without a final report.
        #[arg(long)]
        open: bool,
        /// Only the newest N, and any older one still open or with an open flag.
        #[arg(long, value_name = "N")]
        limit: Option<usize>,
        /// table | json
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Show one incident: reports, flags, timeline. 查看事件
    Show {
        /// Incident number, e.g. 20261122-003.
        number: String,
        /// text | json
        #[arg(long, value_enum, default_value_t = ShowFormat::Text)]
        format: ShowFormat,
    },
    /// Resolve a verification flag. 核实结果
    Resolve {
        /// Incident number.
        number: String,
        /// Flag id, e.g. R0-1.
        #[arg(required_unless_present = "answered")]
        flag: Option<String>,
        /// call_back | cross_check | on_site | official_release
        #[arg(long, required_unless_present = "answered")]
        method: Option<String>,
        /// confirmed | corrected | refuted | cannot_verify
        #[arg(long, required_unless_present = "answered")]
        result: Option<String>,
        /// Every open flag the latest report (an authoritative unit's follow-up) answers, in
        /// one step. 核销续报已说明的标记
        #[arg(long, conflicts_with_all = ["flag", "method", "result"])]
        answered: bool,
        /// What was found, from whom.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// The event log. 日志
    Log {
        /// Only events at or after this time (RFC 3339, or YYYY-MM-DD).
        #[arg(long)]
        since: Option<String>,
        /// Only the newest N events.
        #[arg(long)]
        limit: Option<usize>,
        /// table | jsonl
        #[arg(long, value_enum, default_value_t = LogFormat::Table)]
        format: LogFormat,
    },
    /// Check the whole hash chain and the projections. 校验
    Verify,
    /// Recreate the database from the journal (console must be closed). 重建
    Rebuild,
    /// When the journal holds less than its witnesses saw: keep the originals in an evidence
    /// folder, say exactly what is lost, and go on without reusing a number (console must be
    /// closed). 恢复
    Recover,
    /// Export everything. 导出
    Export {
        /// jsonl | csv
        #[arg(long, value_enum)]
        format: ExportFormat,
    },
    /// Where the store stands. 状态
    Status,
    /// The response-time audit: where are we slow? 响应时效审计（我们慢在哪里）
    Audit {
        /// The first shift day, YYYY-MM-DD (default: the beginning of the log).
        #[arg(long, value_name = "DATE")]
        from: Option<chrono::NaiveDate>,
        /// The last shift day, YYYY-MM-DD, inclusive (default: the end of the log).
        #[arg(long, value_name = "DATE")]
        to: Option<chrono::NaiveDate>,
        /// officer | shift | category | level | month
        #[arg(long, value_enum)]
        by: Option<audit::AuditBy>,
        /// table | csv | json
        #[arg(long, value_enum, default_value_t = audit::AuditFormat::Table)]
        format: audit::AuditFormat,
    },
    /// The shift handover: the running shift's items, or the record accepted for a past shift.
    /// 交接班
    Handover {
        /// md | txt | json
        #[arg(long, value_enum, default_value_t = handover::HandoverFormat::Md)]
        format: handover::HandoverFormat,
        /// A past shift day, YYYY-MM-DD (default: the running shift).
        #[arg(long, value_name = "DATE")]
        shift: Option<chrono::NaiveDate>,
    },
    /// The duty roster (CSV import into roster.toml beside the config file). 值班表
    #[command(subcommand)]
    Roster(handover::RosterCommand),
    /// Propose notices for an incident (who, why, the text); send them with --send. 通报
    Notify {
        /// Incident number.
        number: String,
        /// first | follow_up | final | correction | instruction (default: from the reports)
        #[arg(long)]
        kind: Option<String>,
        /// Exactly these recipients instead of the proposal (names from the directory).
        #[arg(long = "to", num_args = 1..)]
        to: Vec<String>,
        /// Add a recipient to the proposal.
        #[arg(long)]
        add: Vec<String>,
        /// Leave a recipient out of the proposal.
        #[arg(long = "drop")]
        remove: Vec<String>,
        /// The leader's instruction (kind instruction).
        #[arg(long)]
        instruction: Option<String>,
        /// Send: queue durably, hand to the channels, wait for results.
        #[arg(long)]
        send: bool,
        /// Seconds to wait for delivery results.
        #[arg(long, default_value_t = 30)]
        wait: u64,
    },
    /// List notices with state, deadline and token. 通知列表
    Notices {
        /// Only this incident's.
        number: Option<String>,
        /// Only notices not yet acknowledged.
        #[arg(long)]
        pending: bool,
        /// table | json
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Record an acknowledgement (回执) by its token. 回执
    Ack {
        /// The token in the notice, e.g. K7P2-Q9XD.
        token: String,
        /// Who acknowledged (default: the recipient).
        #[arg(long)]
        by: Option<String>,
        /// How it came.
        #[arg(long, default_value = "cli")]
        via: String,
        /// Note.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Record the outcome of a phone notice. 电话通知结果
    Call {
        /// The notice id, e.g. 20261122-003/N001.
        notice: String,
        /// reached | no_answer | busy | wrong_number
        #[arg(long)]
        outcome: String,
        /// Note.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Leaders' instructions and each recipient's state, soonest deadline first. 督办
    Instructions {
        /// Only instructions not yet complete.
        #[arg(long)]
        open: bool,
        /// Only recipients past their feedback deadline.
        #[arg(long)]
        overdue: bool,
        /// table | json
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Record, relay, change or report on a leader's instruction. 批示
    #[command(subcommand)]
    Instruction(instructions::InstructionCommand),
    /// Record feedback on an instruction (by phone first, in writing after). 反馈
    Feedback {
        /// The instruction id.
        id: String,
        /// The recipient answering.
        #[arg(long)]
        from: String,
        /// phone | written
        #[arg(long, default_value = "phone")]
        form: String,
        /// progress | final
        #[arg(long, default_value = "progress")]
        kind: String,
        /// What they said.
        #[arg(long)]
        text: String,
    },
    /// Run the desk service on the local socket without a console (for integrations).
    Serve,
    /// Configuration. 配置
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Open the console on a demo data folder filled with a realistic night. 演示
    Demo {
        /// Generate this many incidents (spread over months) instead of the night.
        #[arg(long)]
        incidents: Option<usize>,
        /// Only generate; do not open the console.
        #[arg(long)]
        no_console: bool,
    },
    /// Print shell completions.
    Completions {
        /// bash | zsh | fish | elvish | powershell
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff).
    Man,
    /// Test aids for the reliability suite (hidden).
    #[command(hide = true, subcommand)]
    Selftest(SelftestCommand),
}

/// `dutydesk selftest …`: used by the crash tests, not by officers.
#[derive(Debug, Subcommand)]
pub enum SelftestCommand {
    /// Files reports through the real intake path in a loop, printing `ACK <incident> <seq>`
    /// after each durable save, until killed or `count` is reached.
    AppendLoop {
        /// How many reports.
        #[arg(long, default_value_t = 1_000_000)]
        count: u64,
        /// Negative control: acknowledge before the journal write reaches the kernel.
        #[arg(long)]
        unsafe_no_sync: bool,
    },
}

/// `dutydesk report …`
#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// File a report given as JSON (a file, or - for standard input); prints the incident number.
    Add {
        /// The JSON file, or - (default) for standard input.
        #[arg(default_value = "-")]
        file: String,
        /// Accept what the report's words suggest into the empty fields: every suggestion, or
        /// those named by key (category:traffic, dead, injured, missing, trapped, level,
        /// location, occurred_at). Recorded as the officer's choice. 采纳文字推断
        #[arg(long, num_args = 0.., value_name = "KEY")]
        accept: Option<Vec<String>>,
        /// Decline a suggestion by key: it is never used for this report (not in routing, not in
        /// the notice text). 拒绝文字推断
        #[arg(long, value_name = "KEY")]
        decline: Vec<String>,
    },
    /// Print the JSON schema of a report.
    Schema,
}

/// `dutydesk config …`
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the built-in default configuration.
    PrintDefault,
    /// Check a configuration file; errors name file, line and key.
    Check {
        /// The file.
        file: PathBuf,
    },
}
