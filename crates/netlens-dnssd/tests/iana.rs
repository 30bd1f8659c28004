//! The offline registry against the complete IANA registry in ../shared/data (skipped with a
//! message when it is absent): coverage, and every hand-added name really is registered.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use std::collections::BTreeSet;

fn registry_names() -> Option<BTreeSet<String>> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/iana-service-names-port-numbers.xml"
    );
    let Ok(xml) = std::fs::read_to_string(path) else {
        eprintln!(
            "skipped: {path} is absent (the shared IANA registry is only on development machines)"
        );
        return None;
    };
    Some(
        xml.split("<record")
            .skip(1)
            .filter_map(|r| r.split("</record>").next())
            .filter_map(|r| {
                r.split_once("<name>")
                    .and_then(|(_, s)| s.split_once("</name>"))
            })
            .map(|(n, _)| n.trim().to_ascii_lowercase())
            .filter(|n| !n.is_empty())
            .collect(),
    )
}

#[test]
fn coverage_of_the_full_registry() {
    let Some(names) = registry_names() else {
        return;
    };
    let found = names
        .iter()
        .filter(|n| netlens_dnssd::iana::lookup(n).is_some())
        .count();
    let share = found as f64 / names.len() as f64;
    eprintln!(
        "netlens' copy knows {found} of the registry's {} names ({:.1}%)",
        names.len(),
        share * 100.0
    );
    assert!(share > 0.97, "coverage fell to {share}");
    for bonjour in [
        "airplay",
        "raop",
        "ipp",
        "ipps",
        "http",
        "googlecast",
        "matterc",
        "homekit",
        "hap",
        "smb",
        "sleep-proxy",
        "trel",
        "meshcop",
    ] {
        if names.contains(bonjour) {
            assert!(
                netlens_dnssd::iana::lookup(bonjour).is_some(),
                "{bonjour} is registered but unknown"
            );
        }
    }
}

#[test]
fn every_supplemented_name_is_registered() {
    let Some(names) = registry_names() else {
        return;
    };
    let script = include_str!("../../../scripts/iana-services.mjs");
    let supplement = &script[script.find("const SUPPLEMENT").unwrap_or(0)..];
    let supplement = &supplement[..supplement.find("];").unwrap_or(0)];
    let mut count = 0;
    for line in supplement
        .lines()
        .filter(|l| l.trim_start().starts_with("[\""))
    {
        let name = line
            .trim_start()
            .trim_start_matches("[\"")
            .split('"')
            .next()
            .unwrap_or("");
        assert!(names.contains(name), "{name} is not in the IANA registry");
        count += 1;
    }
    assert!(count > 20);
}
