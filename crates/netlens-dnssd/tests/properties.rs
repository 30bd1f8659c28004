//! Properties: any model encodes to wire bytes that decode to the same model, every generated
//! form reads back to the record it was made from, and arbitrary input never panics.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use netlens_dnssd::formats::{self, Format};
use netlens_dnssd::{ServiceContext, TxtRecord, TxtString, escape, output, txt_report};
use proptest::prelude::*;

fn record() -> impl Strategy<Value = TxtRecord> {
    prop::collection::vec(prop::collection::vec(any::<u8>(), 0..=255), 0..12).prop_map(|strings| {
        TxtRecord {
            strings: strings.into_iter().map(TxtString).collect(),
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn wire_round_trip(r in record()) {
        let wire = r.to_wire().unwrap();
        let back = TxtRecord::from_wire(&wire).unwrap();
        if r.strings.is_empty() {
            prop_assert_eq!(back, TxtRecord::from_strings([b""]));
        } else {
            prop_assert_eq!(back, r);
        }
    }

    #[test]
    fn every_form_reads_back(r in record()) {
        let (fixed, _) = output::corrected(&r);
        let forms = output::forms(&fixed, &ServiceContext::default()).unwrap();
        prop_assert_eq!(&formats::parse(&forms.hex, Some(Format::Hex)).unwrap().record, &fixed);
        prop_assert_eq!(&formats::parse(&forms.base64, Some(Format::Base64)).unwrap().record, &fixed);
        prop_assert_eq!(&formats::parse(&forms.zone, Some(Format::Dig)).unwrap().record, &fixed);
        if let Some(kv) = &forms.kv {
            prop_assert_eq!(&formats::parse(kv, Some(Format::Kv)).unwrap().record, &fixed);
        }
    }

    #[test]
    fn labels_escape_and_unescape(label in prop::collection::vec(any::<u8>(), 1..64)) {
        for escaped in [escape::escape_label_dnssd(&label), escape::escape_label_avahi(&label), escape::escape_label_bind(&label)] {
            prop_assert_eq!(escape::split_labels(&escaped).unwrap(), vec![label.clone()]);
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..600)) {
        if let Ok(r) = TxtRecord::from_wire(&data) {
            let _ = txt_report(&r, &ServiceContext::default());
        }
        let text = String::from_utf8_lossy(&data);
        for format in Format::ALL {
            let _ = formats::parse(&text, Some(format));
        }
        let _ = netlens_dnssd::check_type(&text);
        let _ = netlens_dnssd::check_name(&text);
        let _ = netlens_dnssd::check_instance(&text);
    }
}
