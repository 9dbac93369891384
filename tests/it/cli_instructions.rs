//! The instruction commands of the real binary: add, relay, feedback, instructions, change and
//! report, directly on the store; `verify` still passes afterwards.

use crate::common;

use common::{stderr, stdout, Sandbox};

fn ok(sb: &Sandbox, args: &[&str]) -> String {
    let o = sb.run(args, None);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    stdout(&o)
}

#[test]
fn add_relay_feedback_change_report() {
    let sb = Sandbox::new();
    let id = ok(
        &sb,
        &[
            "instruction",
            "add",
            "--leader",
            "王建国",
            "--text",
            "16:00在三楼会议室开调度会",
            "--time",
            "16:00",
            "--place",
            "三楼会议室",
        ],
    )
    .trim()
    .to_string();
    assert!(id.starts_with("PS-"), "{id}");
    let out = ok(
        &sb,
        &[
            "instruction",
            "relay",
            &id,
            "--to",
            "县应急管理局",
            "孙丽",
            "--deadline",
            "90",
        ],
    );
    assert!(out.contains("孙丽"), "{out}");
    let out = ok(&sb, &["--lang", "en", "instructions", "--open"]);
    assert!(
        out.contains("县应急管理局") && out.contains("awaiting ack") && out.contains("1:30"),
        "{out}"
    );
    let out = ok(
        &sb,
        &[
            "instruction",
            "change",
            &id,
            "--time",
            "15:00",
            "--place",
            "三楼会议室",
        ],
    );
    assert!(out.contains("→ 孙丽"), "{out}");
    ok(
        &sb,
        &[
            "feedback",
            &id,
            "--from",
            "孙丽",
            "--form",
            "phone",
            "--kind",
            "final",
            "--text",
            "会议室已开门",
        ],
    );
    let o = sb.run(
        &[
            "feedback", &id, "--from", "孙丽", "--form", "fax", "--text", "x",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let v: serde_json::Value =
        serde_json::from_str(&ok(&sb, &["instructions", "--format", "json"])).unwrap();
    assert_eq!(v["recipients"].as_array().unwrap().len(), 2);
    assert_eq!(v["instructions"][0]["version"], 2);
    let out = ok(&sb, &["instruction", "report", &id]);
    assert!(
        out.contains("孙丽：会议室已开门") && out.contains("尚未办结"),
        "{out}"
    );
    let out = ok(&sb, &["--lang", "en", "log"]);
    assert!(
        out.contains("instruction 王建国：16:00在三楼会议室开调度会"),
        "{out}"
    );
    assert!(out.contains("arrangement now 15:00 @ 三楼会议室"), "{out}");
    assert!(out.contains("孙丽 final：会议室已开门"), "{out}");
    let out = ok(&sb, &["verify"]);
    assert!(!out.is_empty());
}
