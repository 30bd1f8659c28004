//! Minifies `web/netlens.css` for the copy compiled into every tool module (shadow roots get
//! it as a constructed stylesheet): comments and layout whitespace are bytes each page pays
//! for, about a third of the file. Only what cannot change the meaning goes: comments, and
//! whitespace runs (collapsed to one space; dropped next to `{ } ; ,` and before `:`, never
//! inside strings, which the stylesheet does not use with spaces).

use std::fs;
use std::path::Path;

fn minify(css: &str) -> String {
    let mut without_comments = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        without_comments.push_str(&rest[..start]);
        rest = rest[start + 2..]
            .find("*/")
            .map_or("", |end| &rest[start + 2 + end + 2..]);
        without_comments.push(' ');
    }
    without_comments.push_str(rest);
    let collapsed = without_comments
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let mut out = String::with_capacity(collapsed.len());
    let chars: Vec<char> = collapsed.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let before = i.checked_sub(1).map(|j| chars[j]);
            let after = chars.get(i + 1).copied();
            let tight = |c: Option<char>| matches!(c, Some('{' | '}' | ';' | ','));
            if tight(before) || tight(after) || after == Some('>') && before != Some('(') {
                continue;
            }
        }
        out.push(c);
    }
    out
}

fn main() {
    println!("cargo::rerun-if-changed=../../web/netlens.css");
    let css = fs::read_to_string("../../web/netlens.css").unwrap_or_default();
    let out = std::env::var("OUT_DIR").unwrap_or_default();
    // A failed write makes include_str! name the missing file.
    let _ = fs::write(Path::new(&out).join("netlens.min.css"), minify(&css));
}
