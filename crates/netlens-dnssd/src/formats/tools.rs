//! Parsers for the output of `dns-sd`, `avahi-browse` and `dig`.

use super::quoted::{self, Options};
use super::{Output, error_at, lines_with_offsets};
use crate::InputError;
use crate::escape;
use crate::txt::TxtString;

const NO_TXT_LINE: &str = "dns-sd printed no TXT line, which it does for a record holding only an empty string: the record is 00.";

/// `dns-sd -L` (Clients/dns-sd.c `resolve_reply` and `ShowTXTRecord`):
///
/// ```text
/// 10:01:02.456  My\032Printer._ipp._tcp.local. can be reached at printer.local.:631 (interface 4) Flags: 1
///  txtvers=1 ty=HP\ LaserJet\ 400 path=C:\\\\dir nl=\\x0A flag
/// ```
///
/// The TXT line puts one space before each non-empty string. Inside a string, a backslash is
/// printed as four backslashes, bytes below 0x20 as `\\xHH`, and space and the shell
/// metacharacters `` &;`'"|*?~<>^()[]{}$`` get one backslash, so that the line can be pasted
/// into `dns-sd -R`. A NUL byte matches the metacharacter test too (`strchr` finds the
/// terminator), giving `\` + `\\x00`. Empty strings are not printed at all.
pub(super) fn parse_dns_sd(input: &str, out: &mut Output) -> Result<(), InputError> {
    let lines: Vec<(usize, &str)> = lines_with_offsets(input).collect();
    let reached: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].1.contains(" can be reached at "))
        .collect();
    let Some(&first) = reached.first() else {
        // dns-sd -B: `…  Add  2  4 local.  _ipp._tcp.  My Printer` rows, no records.
        let browsed = lines.iter().find_map(|(_, l)| {
            let mut words = l.split_whitespace();
            (words.nth(1)? == "Add").then_some(())?;
            let service_type = words.nth(3)?;
            let rest = l[l.find(service_type)? + service_type.len()..].trim();
            Some((
                rest.to_owned(),
                service_type.trim_end_matches('.').to_owned(),
            ))
        });
        return Err(error_at(
            input,
            0,
            match browsed {
                Some((instance, service_type)) => format!(
                    "this is `dns-sd -B` output: it lists instances, not their TXT records; run `dns-sd -L \"{instance}\" {service_type}` (or `dns-sd -Z {service_type}` for all of them) and paste that"
                ),
                None => "no `can be reached at` line: paste the output of `dns-sd -L \"Name\" _type._tcp`".into(),
            },
        ));
    };
    out.note_first_of(
        reached.len(),
        "resolve results (one per interface or update)",
    );
    let (offset, line) = lines[first];
    let before = &line[..line.find(" can be reached at ").unwrap_or(0)];
    // Everything before the name is the timestamp (absent in some versions).
    let name = before.split_whitespace().last().unwrap_or("");
    read_full_name(input, offset + line.find(name).unwrap_or(0), name, out)?;
    let after = &line[line.find(" can be reached at ").map_or(0, |p| p + 19)..];
    if let Some(target) = after.split_whitespace().next()
        && let Some((host, port)) = target.rsplit_once(':')
    {
        out.service.host = Some(host.to_owned());
        out.service.port = port.parse().ok();
    }
    match lines.get(first + 1) {
        Some(&(txt_offset, txt)) if txt.starts_with(' ') => {
            if let Some(at) = txt.find("<< invalid data >>") {
                return Err(error_at(
                    input,
                    txt_offset + at,
                    "dns-sd found a TXT length byte that runs past the data (`<< invalid data >>`)",
                ));
            }
            out.strings = read_dns_sd_txt_line(input, txt_offset, txt)?;
            out.notes.push("dns-sd -L does not print empty strings; use `dns-sd -Q name TXT` to see the exact bytes.".into());
        }
        _ => {
            out.strings.push(TxtString::default());
            out.notes.push(NO_TXT_LINE.into());
        }
    }
    Ok(())
}

/// Undoes `ShowTXTRecord`'s escaping (see [`parse_dns_sd`]).
fn read_dns_sd_txt_line(
    input: &str,
    base: usize,
    line: &str,
) -> Result<Vec<TxtString>, InputError> {
    let b = line.as_bytes();
    let mut strings = Vec::new();
    let mut current: Option<Vec<u8>> = None;
    let mut i = 0;
    let hex = |at: usize| -> Option<u8> {
        let s = line.get(at..at + 2)?;
        u8::from_str_radix(s, 16).ok()
    };
    while i < b.len() {
        if b[i] == b' ' {
            strings.extend(current.take().map(TxtString));
            current = Some(Vec::new());
            i += 1;
            continue;
        }
        let s = current.get_or_insert_with(Vec::new);
        if b[i] != b'\\' {
            s.push(b[i]);
            i += 1;
        } else if b[i..].starts_with(br"\\\\") {
            s.push(b'\\');
            i += 4;
        } else if b[i..].starts_with(br"\\\x") && hex(i + 4).is_some() {
            s.push(hex(i + 4).unwrap_or(0));
            i += 6;
        } else if b[i..].starts_with(br"\\x") && hex(i + 3).is_some() {
            s.push(hex(i + 3).unwrap_or(0));
            i += 5;
        } else if let Some(&next) = b.get(i + 1) {
            s.push(next);
            i += 2;
        } else {
            return Err(error_at(input, base + i, "a backslash ends the TXT line"));
        }
    }
    strings.extend(current.map(TxtString).filter(|s| !s.0.is_empty()));
    Ok(strings)
}

/// A full name in DNS presentation form: instance, type and domain into `out.service`.
fn read_full_name(
    input: &str,
    offset: usize,
    name: &str,
    out: &mut Output,
) -> Result<(), InputError> {
    let labels =
        escape::split_labels(name).map_err(|e| error_at(input, offset + e.offset, e.message))?;
    let transport = (1..labels.len()).rev().find(|&i| {
        (labels[i].eq_ignore_ascii_case(b"_tcp") || labels[i].eq_ignore_ascii_case(b"_udp"))
            && labels[i - 1].starts_with(b"_")
    });
    let Some(t) = transport else {
        out.service.instance = Some(name.to_owned());
        return Ok(());
    };
    if t >= 2 {
        let instance = labels[..t - 1].join(&b'.');
        out.service.instance = Some(String::from_utf8_lossy(&instance).into_owned());
    }
    out.service.service_type = Some(format!(
        "{}.{}",
        String::from_utf8_lossy(&labels[t - 1]),
        String::from_utf8_lossy(&labels[t])
    ));
    let domain: Vec<String> = labels[t + 1..]
        .iter()
        .map(|l| escape::escape_label_dnssd(l))
        .collect();
    if !domain.is_empty() {
        out.service.domain = Some(domain.join(".") + ".");
    }
    Ok(())
}

/// `dns-sd -Z` (Clients/dns-sd.c `zonedata_resolve`):
///
/// ```text
/// _http._tcp                                      PTR     My\032Web\032Server._http._tcp
/// My\032Web\032Server._http._tcp                  SRV     0 0 80 myhost.local. ; Replace with unicast FQDN of target host
/// My\032Web\032Server._http._tcp                  TXT     "txtvers=1" "path=/a\"b\\c"
/// ```
///
/// TXT strings are quoted with only `"` and `\` escaped; every other byte is printed raw, so a
/// string may contain a real newline.
pub(super) fn parse_dns_sd_zone(input: &str, out: &mut Output) -> Result<(), InputError> {
    let mut found = 0;
    for (offset, line) in lines_with_offsets(input) {
        let mut tokens = line.split_whitespace();
        let (Some(owner), Some(kind)) = (tokens.next(), tokens.next()) else {
            continue;
        };
        match kind {
            "SRV" if out.service.port.is_none() => {
                let fields: Vec<&str> = tokens.collect();
                if let [_, _, port, host, ..] = fields.as_slice() {
                    out.service.port = port.parse().ok();
                    out.service.host = Some((*host).to_owned());
                }
            }
            "TXT" => {
                found += 1;
                if found > 1 {
                    continue;
                }
                read_full_name(input, offset, owner, out)?;
                let start = offset + line.find("TXT").unwrap_or(0) + 3;
                let strings = quoted::read(
                    input,
                    start,
                    Options {
                        unquoted: false,
                        comments: false,
                        parens: false,
                    },
                )?;
                out.strings = strings.strings.into_iter().map(TxtString).collect();
            }
            _ => {}
        }
    }
    if found == 0 {
        return Err(error_at(
            input,
            0,
            "no TXT line: paste the output of `dns-sd -Z _type._tcp`",
        ));
    }
    out.note_first_of(found, "TXT records (one per service instance)");
    Ok(())
}

/// `avahi-browse -r` (avahi-utils/avahi-browse.c):
///
/// ```text
/// =   eth0 IPv4 My Printer                                    Internet Printer     local
///    hostname = [printer.local]
///    address = [192.168.1.20]
///    port = [631]
///    txt = ["txtvers=1" "rp=ipp/print"]
/// ```
///
/// TXT strings are quoted, `"` and `\` backslashed and bytes below 32 or from 127 written as
/// `\DDD` (Avahi 0.8; older versions printed them raw). Without `-k` the type column holds a
/// description, and the instance name has non-printable bytes replaced by `_`.
pub(super) fn parse_avahi(input: &str, out: &mut Output) -> Result<(), InputError> {
    let lines: Vec<(usize, &str)> = lines_with_offsets(input).collect();
    let resolved: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].1.starts_with('='))
        .collect();
    let start = resolved.first().copied().unwrap_or(0);
    out.note_first_of(
        resolved.len(),
        "resolved entries (one per interface and protocol)",
    );
    if let Some(&i) = resolved.first() {
        read_avahi_header(lines[i].1, out);
    }
    let mut txt_found = false;
    for &(offset, line) in &lines[start..] {
        let trimmed = line.trim_start();
        if txt_found && line.starts_with('=') {
            break;
        }
        let Some((key, value)) = trimmed.split_once(" = ") else {
            continue;
        };
        let value_offset = offset + (line.len() - trimmed.len()) + key.len() + 3;
        match key {
            "hostname" => out.service.host = Some(value.trim_matches(['[', ']']).to_owned()),
            "port" => out.service.port = value.trim_matches(['[', ']']).parse().ok(),
            "txt" if !txt_found => {
                txt_found = true;
                let inner_start = value_offset + value.find('[').map_or(0, |p| p + 1);
                let strings = quoted::read(
                    input,
                    inner_start,
                    Options {
                        unquoted: true,
                        comments: false,
                        parens: false,
                    },
                )?;
                let mut strings: Vec<Vec<u8>> = strings.strings;
                if strings.last().is_some_and(|s| s == b"]") {
                    strings.pop();
                } else if !value.trim_end().ends_with(']') {
                    return Err(error_at(
                        input,
                        value_offset,
                        "the txt list has no closing `]`",
                    ));
                }
                out.strings = wire_order(strings);
            }
            _ => {}
        }
    }
    if !txt_found {
        return Err(error_at(
            input,
            0,
            "no `txt = [...]` line: paste the output of `avahi-browse -r _type._tcp`",
        ));
    }
    if out.strings.is_empty() {
        out.strings.push(TxtString::default());
        out.notes.push(
            "`txt = []`: Avahi shows an empty list for a record holding only an empty string (00)."
                .into(),
        );
    }
    note_reversed(out);
    out.notes.push("avahi-browse drops empty strings and, without -p, replaces unprintable bytes in names with `_`; use `avahi-browse -rpk` for exact names.".into());
    Ok(())
}

/// Avahi keeps a record's strings in a list it builds by prepending each string it reads off the
/// wire, and avahi-browse prints that list as it is: last string first (measured against
/// avahi-daemon 0.8 by `scripts/dnssd-daemons.py`). Reversed back, the strings are in wire
/// order, which decides which of two duplicate keys counts and whether `txtvers` comes first.
fn wire_order(printed: Vec<Vec<u8>>) -> Vec<TxtString> {
    printed.into_iter().rev().map(TxtString).collect()
}

/// Says that the strings were put back in wire order, when there is an order to speak of.
fn note_reversed(out: &mut Output) {
    if out.strings.len() > 1 {
        out.notes.push(
            "avahi-browse prints a record's strings last first; they are shown here in wire order, \
             the order that decides which duplicate key counts."
                .into(),
        );
    }
}

/// The `=   eth0 IPv4 Name   Type   domain` line of `avahi-browse -r`.
fn read_avahi_header(line: &str, out: &mut Output) {
    let tokens: Vec<&str> = line.split_whitespace().collect();
    if tokens.len() < 5 {
        return;
    }
    out.service.domain = tokens.last().map(|d| (*d).to_owned());
    let middle = &tokens[3..tokens.len() - 1];
    if let Some(t) = middle
        .iter()
        .position(|t| t.starts_with('_') && (t.ends_with("._tcp") || t.ends_with("._udp")))
    {
        out.service.instance = Some(middle[..t].join(" "));
        out.service.service_type = Some(middle[t].to_owned());
    } else {
        out.notes.push("avahi-browse printed a description instead of the service type (run it with -k), so the instance name cannot be told apart from it.".into());
    }
}

/// `avahi-browse -rp` / `-rpk`:
///
/// ```text
/// =;eth0;IPv4;My\032Printer;_ipp._tcp;local;printer.local;192.168.1.20;631;"txtvers=1" "note=Caf\195\169"
/// ```
///
/// Nine `;`-separated fields, then the TXT strings (a `;` inside them is not escaped, so only
/// the first nine separators count). The name uses Avahi's label escaping.
pub(super) fn parse_avahi_parsable(input: &str, out: &mut Output) -> Result<(), InputError> {
    let resolved: Vec<(usize, &str)> = lines_with_offsets(input)
        .filter(|(_, l)| l.starts_with("=;"))
        .collect();
    let Some(&(offset, line)) = resolved.first() else {
        return Err(error_at(
            input,
            0,
            "no resolved line (starting `=;`): run avahi-browse with -r as well as -p",
        ));
    };
    out.note_first_of(
        resolved.len(),
        "resolved entries (one per interface and protocol)",
    );
    let mut fields = Vec::with_capacity(10);
    let mut rest = line;
    let mut consumed = 0;
    for _ in 0..9 {
        let Some(at) = rest.find(';') else { break };
        fields.push(&rest[..at]);
        consumed += at + 1;
        rest = &rest[at + 1..];
    }
    if fields.len() < 9 {
        return Err(error_at(
            input,
            offset + line.len(),
            format!(
                "a resolved line has 10 `;`-separated fields; this one has {}",
                fields.len() + 1
            ),
        ));
    }
    let name_offset = offset + fields[..3].iter().map(|f| f.len() + 1).sum::<usize>();
    let labels = escape::split_labels(fields[3])
        .map_err(|e| error_at(input, name_offset + e.offset, e.message))?;
    out.service.instance = Some(String::from_utf8_lossy(&labels.join(&b'.')).into_owned());
    out.service.service_type = Some(fields[4].to_owned());
    if !fields[4].starts_with('_') {
        out.notes.push(
            "The type field holds a description: run avahi-browse with -k to see the service type."
                .into(),
        );
    }
    out.service.domain = Some(fields[5].to_owned());
    out.service.host = Some(fields[6].to_owned());
    out.service.port = fields[8].parse().ok();
    let strings = quoted::read(
        input,
        offset + consumed,
        Options {
            unquoted: false,
            comments: false,
            parens: false,
        },
    )?;
    out.strings = wire_order(strings.strings);
    if out.strings.is_empty() {
        out.strings.push(TxtString::default());
        out.notes.push(
            "No TXT strings: Avahi prints nothing for a record holding only an empty string (00)."
                .into(),
        );
    } else {
        note_reversed(out);
        out.notes.push("avahi-browse drops empty strings; use `dns-sd -Q` or a packet capture for the exact bytes.".into());
    }
    Ok(())
}

/// `dig` (BIND's `txt_totext`) and zone files (RFC 1035 §5.1):
///
/// ```text
/// My\032Printer._ipp._tcp.local. 4500 IN TXT "txtvers=1" "note=Caf\195\169"
/// "txtvers=1" "note=Caf\195\169"          (dig +short)
/// ```
///
/// Strings are quoted or bare, with `\X` and `\DDD` escapes; `;` starts a comment and
/// parentheses continue a record over several lines.
pub(super) fn parse_dig(input: &str, out: &mut Output) -> Result<(), InputError> {
    let options = Options {
        unquoted: true,
        comments: true,
        parens: true,
    };
    let mut records = 0;
    let mut skip_until = 0;
    for (offset, line) in lines_with_offsets(input) {
        if offset < skip_until {
            continue;
        }
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with(';') {
            continue;
        }
        let start = if trimmed.starts_with('"') {
            Some(offset + (line.len() - trimmed.len()))
        } else {
            let tokens: Vec<&str> = line.split_whitespace().collect();
            match tokens.iter().position(|t| *t == "TXT") {
                Some(at) if at <= 4 => {
                    if records == 0
                        && at > 0
                        && !tokens[0].chars().all(|c| c.is_ascii_digit())
                        && tokens[0] != "IN"
                    {
                        read_full_name(input, offset, tokens[0], out)?;
                    }
                    let mut search = 0;
                    for t in &tokens[..=at] {
                        search = line[search..]
                            .find(t)
                            .map_or(search, |p| search + p + t.len());
                    }
                    Some(offset + search)
                }
                _ => None,
            }
        };
        let Some(start) = start else { continue };
        let strings = quoted::read(input, start, options)?;
        skip_until = strings.end;
        records += 1;
        if records == 1 {
            out.strings = strings.strings.into_iter().map(TxtString).collect();
        }
    }
    match records {
        0 => Err(error_at(
            input,
            0,
            "no TXT record: paste `dig ... TXT` output or a zone-file TXT line",
        )),
        1 => {
            if out.strings.is_empty() {
                return Err(error_at(
                    input,
                    input.len(),
                    "the TXT record has no strings",
                ));
            }
            Ok(())
        }
        n => {
            out.note_first_of(n, "TXT records (DNS-SD expects one per service instance)");
            Ok(())
        }
    }
}
