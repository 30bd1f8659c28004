//! Shared body of the DNS-SD parser targets: parse as one format, check, generate every form,
//! and read the generated hex and key=value forms back: they must give the corrected record.
use netlens_dnssd::formats::{self, Format};
use netlens_dnssd::{output, txt_report, ServiceContext, TxtRecord};

pub fn run(data: &[u8], format: Format) {
    let text = String::from_utf8_lossy(data);
    let Ok(parsed) = formats::parse(&text, Some(format)) else { return };
    let report = txt_report(&parsed.record, &ServiceContext::default());
    let _ = serde_json::to_string(&report).expect("report serializes");
    let Some(forms) = report.forms else { return };
    let (fixed, _) = output::corrected(&parsed.record);
    let back = formats::parse(&forms.hex, Some(Format::Hex)).expect("generated hex parses");
    assert_eq!(back.record, fixed, "hex form round trip");
    let back = formats::parse(&forms.zone, Some(Format::Dig)).expect("generated zone form parses");
    assert_eq!(back.record, fixed, "zone form round trip");
    if let Some(kv) = &forms.kv {
        let back = formats::parse(kv, Some(Format::Kv)).expect("generated kv parses");
        assert_eq!(back.record, fixed, "kv form round trip");
    }
    assert_eq!(TxtRecord::from_wire(&fixed.to_wire().expect("encodes")).expect("decodes"), fixed);
}
