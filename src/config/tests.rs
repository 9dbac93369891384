use super::*;

#[test]
fn defaults_load_and_validate() {
    let c = layer(None, None, &[]).expect("built-in defaults");
    assert!(c.categories.len() >= 10);
    assert!(c.units.len() >= 10);
    assert!(c.category("fire").is_some());
    assert_eq!(c.limit(Some(crate::domain::Level::I)).phone_minutes, 15);
    assert_eq!(c.thresholds().len(), 3);
    assert!(!c.verification.lexicon.is_empty());
}

fn err(user: &str) -> ConfigError {
    layer(Some(user), Some(Path::new("/etc/x.toml")), &[]).expect_err(user)
}

#[test]
fn errors_name_file_line_and_key() {
    let table: &[(&str, usize, &str)] = &[
        ("[office]\nlnag = \"en\"\n", 2, "office.lnag"),
        ("[office]\nname = \"a\"\nlang = 5\n", 3, "office.lang"),
        (
            "[verification]\nclock_minutes = \"x\"\n",
            2,
            "verification.clock_minutes",
        ),
        ("bogus = 1\n", 1, "bogus"),
        ("[office\nname = 1\n", 1, ""),
        (
            "[[categories]]\nkey = \"x\"\ncolour = \"red\"\n",
            3,
            "categories.colour",
        ),
    ];
    for (text, line, key) in table {
        match err(text) {
            ConfigError::Parse {
                path,
                line: l,
                key: k,
                ..
            } => {
                assert_eq!(path, Path::new("/etc/x.toml"), "{text}");
                assert_eq!(l, *line, "{text}");
                if !key.is_empty() {
                    assert_eq!(k, *key, "{text}");
                }
            }
            other => panic!("{text}: {other:?}"),
        }
    }
}

#[test]
fn semantic_errors_name_the_key_and_line() {
    let e = err("[office]\ntimezone = \"Mars/Base\"\n");
    assert_eq!(
        e,
        ConfigError::Invalid {
            path: "/etc/x.toml".into(),
            line: Some(2),
            key: "office.timezone".into(),
            message: "unknown time zone \"Mars/Base\" (use an IANA name such as Asia/Shanghai)"
                .into()
        }
    );
    let e = err("[duty]\nleader_rotation = [\"无名氏\"]\n");
    assert!(e.to_string().contains("无名氏"), "{e}");
}

#[test]
fn layers_override_in_order() {
    let user = "[office]\nname = \"用户值班室\"\nlang = \"en\"\n";
    let env = vec![("DUTYDESK_LANG".to_string(), "zh-CN".to_string())];
    let c = layer(Some(user), None, &env).unwrap();
    assert_eq!(c.office.name, "用户值班室");
    assert_eq!(c.office.lang, "zh-CN");
    // Untouched keys keep their defaults.
    assert_eq!(c.office.timezone, "Asia/Shanghai");
    assert!(c.category("fire").is_some());
    // An array in the user file replaces the default one.
    let c = layer(
        Some("[[categories]]\nkey = \"only\"\nzh = \"唯一\"\nen = \"Only\"\n[[units]]\nname = \"u\"\n"),
        None,
        &[],
    )
    .unwrap();
    assert_eq!(c.categories.len(), 1);
}

#[test]
fn error_messages_read_well() {
    let e = err("[office]\nlnag = \"en\"\n");
    let s = e.to_string();
    assert!(
        s.starts_with("/etc/x.toml:2:1: key `office.lnag`: unknown field `lnag`"),
        "{s}"
    );
}

#[test]
fn reading_keys_are_checked_and_named() {
    let table = [
        (
            "[[notices.rules]]\ncasualties = [\"wounded\"]\nto = [\"县教育局\"]\n",
            "notices.rules[0].casualties",
        ),
        (
            "[[notices.rules]]\nwords = [\"学校+\"]\nto = [\"县教育局\"]\n",
            "notices.rules[0].words",
        ),
        (
            "[[notices.rules]]\nuncategorised = true\ncategories = [\"fire\"]\nto = [\"县教育局\"]\n",
            "notices.rules[0].uncategorised",
        ),
        (
            "[[categories]]\nkey = \"x\"\nzh = \"x\"\nen = \"x\"\nyields_to = [\"nope\"]\n",
            "categories[0].yields_to",
        ),
        (
            "[[categories]]\nkey = \"x\"\nzh = \"x\"\nen = \"x\"\ncues = [\"起火||\"]\n",
            "categories[0].cues",
        ),
    ];
    for (text, key) in table {
        let e = err(text);
        assert!(
            matches!(&e, ConfigError::Invalid { key: k, .. } if k == key),
            "{text}: {e}"
        );
    }
}

#[test]
fn a_county_with_its_own_directory_keeps_only_the_default_rules_it_can_follow() {
    let user = "[[units]]\nname = \"县消防救援大队\"\nkind = \"department\"\n";
    let c = layer(Some(user), None, &[]).unwrap();
    let kept: Vec<&[String]> = c.notices.rules.iter().map(|r| r.to.as_slice()).collect();
    assert_eq!(
        kept,
        [["县消防救援大队".to_string()]],
        "the trapped rule only"
    );
    // Rules the county writes are its own: an unknown name there is an error.
    let e = err("[[units]]\nname = \"甲\"\n[[notices.rules]]\nto = [\"乙\"]\n");
    assert!(e.to_string().contains("notices.rules[0].to"), "{e}");
}
