//! `dutydesk roster import`: a CSV roster lands in roster.toml beside the config file and is in
//! force; bad rows are named by line number and change nothing; GB18030 is refused.

use crate::common;

use common::{stderr, stdout, Sandbox};

fn write(sb: &Sandbox, name: &str, bytes: &[u8]) -> String {
    let p = sb.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    p.display().to_string()
}

#[test]
fn a_good_roster_is_imported_and_merged_by_date() {
    let sb = Sandbox::new();
    let f = write(
        &sb,
        "r.csv",
        "date,officers,leader\n2026-11-23,李明、张华,陈静\n2026-11-24,孙丽;李明,刘志强\n"
            .as_bytes(),
    );
    let o = sb.run(&["roster", "import", &f], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let roster = sb.path().join("config/dutydesk/roster.toml");
    let text = std::fs::read_to_string(&roster).unwrap();
    assert!(
        text.contains("2026-11-24") && text.contains("孙丽"),
        "{text}"
    );
    let again = write(&sb, "s.csv", "2026-11-24,张华,赵立新\n".as_bytes());
    let o = sb.run(&["roster", "import", &again], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&roster).unwrap();
    assert!(
        text.contains("2026-11-23") && text.contains("赵立新"),
        "{text}"
    );
    assert!(!text.contains("孙丽"), "the 24th was replaced: {text}");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&roster).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    assert!(stdout(&o).contains("1"));
}

#[test]
fn bad_rows_are_named_by_line_and_nothing_changes() {
    let sb = Sandbox::new();
    let good = write(&sb, "g.csv", "2026-11-23,李明,陈静\n".as_bytes());
    assert!(sb.run(&["roster", "import", &good], None).status.success());
    let roster = sb.path().join("config/dutydesk/roster.toml");
    let before = std::fs::read(&roster).unwrap();
    let bad = write(
        &sb,
        "b.csv",
        "date,officers,leader\n2026-11-25,李明,陈静\n2026-13-01,张华,陈静\n2026-11-26,无名氏,陈静\n2026-11-27,孙丽\n"
            .as_bytes(),
    );
    let o = sb.run(&["--lang", "en", "roster", "import", &bad], None);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    for want in [
        "line 3",
        "2026-13-01",
        "line 4",
        "无名氏",
        "line 5",
        "nothing changed",
    ] {
        assert!(err.contains(want), "{want:?} in {err}");
    }
    assert!(!err.contains("line 2"), "{err}");
    assert_eq!(std::fs::read(&roster).unwrap(), before);
    // GB18030 bytes of 李明 are not UTF-8: refused, nothing changed.
    let gb = write(
        &sb,
        "gb.csv",
        b"2026-11-28,\xc0\xee\xc3\xf7,\xb3\xc2\xbe\xb2\n",
    );
    let o = sb.run(&["roster", "import", &gb], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("GB18030"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&roster).unwrap(), before);
}

#[test]
fn the_imported_roster_is_in_force() {
    let sb = Sandbox::new();
    let cfg = sb.path().join("office.toml");
    std::fs::write(&cfg, "[office]\nname = \"示例县\"\n").unwrap();
    let f = write(&sb, "r.csv", "2030-01-02,孙丽、张华,赵立新\n".as_bytes());
    let cfg_s = cfg.display().to_string();
    let o = sb.run(&["--config", &cfg_s, "roster", "import", &f], None);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(sb.path().join("roster.toml").is_file());
    let loaded = dutydesk::config::load(Some(&cfg)).unwrap();
    let day = chrono::NaiveDate::from_ymd_opt(2030, 1, 2).unwrap();
    assert_eq!(loaded.config.officers_on_duty(day), ["孙丽", "张华"]);
    assert_eq!(
        loaded.config.leader_on_duty(day).map(|p| p.name.as_str()),
        Some("赵立新")
    );
}
