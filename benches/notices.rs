//! Notice figures: (1) from saving a first report to all 20 notices handed to their channels
//! (spool, command, loopback webhook) and to all delivered, p50/p90; (2) outbox throughput to a
//! loopback webhook, notices per second. `cargo bench --bench notices`.

#[path = "../tests/it/common/mod.rs"]
mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use dutydesk::clock::SystemClock;
use dutydesk::delivery::{Dispatcher, Secrets, Settings};
use dutydesk::domain::{Actor, ReportDraft};
use dutydesk::service::{Desk, Request, Response};
use dutydesk::store::OpenOptions;

fn config(hook: &str) -> dutydesk::config::Config {
    let mut t = format!(
        "[notices.delivery]\nconcurrency = 8\nattempts = 1\n\
         [notices.endpoints.hook]\nkind = \"webhook\"\nformat = \"wecom\"\nurl = \"{hook}\"\n\
         [notices.endpoints.fax]\nkind = \"command\"\nprogram = \"/bin/sh\"\nargs = [\"-c\", \"cat > /dev/null\"]\n"
    );
    for i in 0..20 {
        let contact = match i % 3 {
            0 => "{ channel = \"spool\", to = \"0379-1\" }",
            1 => "{ channel = \"command\", target = \"fax\", to = \"0379-2\" }",
            _ => "{ channel = \"webhook\", target = \"hook\" }",
        };
        t.push_str(&format!(
            "[[units]]\nname = \"单位{i:02}\"\nkind = \"department\"\nauthoritative_for = [\"fire\"]\ncontacts = [{contact}]\n"
        ));
    }
    dutydesk::config::layer(Some(&t), None, &[]).expect("bench config")
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let ok = (200, r#"{"errcode":0,"errmsg":"ok"}"#.to_string(), 0);
    let peer = rt.block_on(common::HttpPeer::start(vec![ok]));
    let cfg = Arc::new(config(&peer.url("/send")));
    let dir = tempfile::tempdir().unwrap();
    let mut desk = Desk::open(
        dir.path(),
        cfg.clone(),
        Arc::new(SystemClock),
        OpenOptions::default(),
    )
    .unwrap();
    let (d, rx) = Dispatcher::start(
        Settings::from_config(&cfg, dir.path(), Secrets::default()),
        rt.handle().clone(),
        None,
    );
    desk.attach_outbox(d, rx);
    let actor = Actor {
        officer: "bench".into(),
        os_user: "bench".into(),
    };
    let names: Vec<String> = (0..20).map(|i| format!("单位{i:02}")).collect();

    let runs = 30;
    let (mut handed, mut delivered) = (Vec::new(), Vec::new());
    for i in 0..runs {
        let t0 = Instant::now();
        let draft = ReportDraft {
            summary: format!("仓库起火 {i}"),
            location: Some("河口镇".into()),
            category: Some("fire".into()),
            ..ReportDraft::default()
        };
        let Response::Filed { incident, .. } = desk.handle(&actor, Request::AddReport { draft })
        else {
            panic!()
        };
        let req = Request::SendNotice {
            incident,
            kind: None,
            recipients: names.clone(),
            instruction: None,
        };
        let Response::Queued { notices, .. } = desk.handle(&actor, req) else {
            panic!()
        };
        handed.push(t0.elapsed().as_secs_f64() * 1000.0);
        let ids: Vec<String> = notices.into_iter().map(|n| n.id).collect();
        let done = desk
            .wait_for(&actor, &ids, Duration::from_secs(30))
            .unwrap();
        assert!(done.iter().all(|n| n.is_delivered()), "all delivered");
        delivered.push(t0.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "report saved → 20 notices handed to channels (spool/command/webhook): p50 {:.1} ms, p90 {:.1} ms ({runs} runs)",
        pct(&mut handed, 0.5),
        pct(&mut handed, 0.9)
    );
    println!(
        "report saved → 20 notices delivered and recorded:                    p50 {:.1} ms, p90 {:.1} ms",
        pct(&mut delivered, 0.5),
        pct(&mut delivered, 0.9)
    );

    // Throughput: 50 incidents × 20 webhook recipients, all queued, then delivered.
    let hooks: Vec<String> = (0..20)
        .filter(|i| i % 3 == 2)
        .map(|i| format!("单位{i:02}"))
        .collect();
    let mut ids = Vec::new();
    let t0 = Instant::now();
    for i in 0..150 {
        let draft = ReportDraft {
            summary: format!("吞吐 {i}"),
            category: Some("fire".into()),
            ..ReportDraft::default()
        };
        let Response::Filed { incident, .. } = desk.handle(&actor, Request::AddReport { draft })
        else {
            panic!()
        };
        let req = Request::SendNotice {
            incident,
            kind: None,
            recipients: hooks.clone(),
            instruction: None,
        };
        let Response::Queued { notices, .. } = desk.handle(&actor, req) else {
            panic!()
        };
        ids.extend(notices.into_iter().map(|n| n.id));
    }
    let done = desk
        .wait_for(&actor, &ids, Duration::from_secs(120))
        .unwrap();
    let secs = t0.elapsed().as_secs_f64();
    let ok = done.iter().filter(|n| n.is_delivered()).count();
    println!(
        "outbox throughput to a loopback webhook: {ok} notices in {secs:.2} s = {:.0} notices/s (each queued, handed over and recorded durably)",
        ok as f64 / secs
    );
    let Response::Verified(v) = desk.handle(&actor, Request::Verify) else {
        panic!()
    };
    println!(
        "verify after the run: {} ({} events, {} ms)",
        if v.ok() { "ok" } else { "FAILED" },
        v.events,
        v.millis
    );
}
