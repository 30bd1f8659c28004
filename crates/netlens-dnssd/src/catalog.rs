//! The DNS-SD rule catalog: every finding the validator can report, as data.
//!
//! One table, rendered by the web app, by `netlens dnssd rules` and in the README (a test keeps
//! the README in step). Rule ids are a public contract: an id never changes meaning and is never
//! reused.
//!
//! Each rule carries, besides its severity, source clause and fix, how the major
//! implementations treat the problem. Those notes come from reading (or running) each
//! implementation; `../shared/research/dnssd-anchors.md` in the development tree lists the
//! commits and measurements. They matter because the implementations disagree: a type that
//! mDNSResponder accepts may be refused by Avahi, and a TXT record python-zeroconf emits may be
//! unreadable on iOS 17.

use serde::Serialize;

pub use netlens_catalog::{CatalogRule, Effective, RuleHeader, Severity};

/// A DNS-SD implementation whose behaviour the notes describe.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Implementation {
    /// Apple's mDNSResponder (dns_sd.h, Network.framework, NSNetService; also Bonjour for Windows).
    MdnsResponder,
    /// Avahi (Linux).
    Avahi,
    /// python-zeroconf.
    PythonZeroconf,
    /// The Rust `mdns-sd` crate.
    MdnsSd,
    /// Android's NsdManager / NsdServiceInfo.
    AndroidNsd,
}

impl Implementation {
    /// Every implementation, in display order.
    pub const ALL: [Implementation; 5] = [
        Implementation::MdnsResponder,
        Implementation::Avahi,
        Implementation::PythonZeroconf,
        Implementation::MdnsSd,
        Implementation::AndroidNsd,
    ];

    /// Display name.
    pub fn name(self) -> &'static str {
        match self {
            Implementation::MdnsResponder => "mDNSResponder (Apple)",
            Implementation::Avahi => "Avahi",
            Implementation::PythonZeroconf => "python-zeroconf",
            Implementation::MdnsSd => "mdns-sd (Rust)",
            Implementation::AndroidNsd => "Android NSD",
        }
    }
}

/// What an implementation does with the problem.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Behaviour {
    /// Takes it as is.
    Accepts,
    /// Refuses it with an error.
    Rejects,
    /// Cuts it to fit.
    Truncates,
    /// Silently repairs it.
    Repairs,
    /// Drops it without an error.
    Ignores,
    /// Reads it differently from the RFC.
    Misreads,
    /// Crashes or fails silently later.
    Fails,
    /// Accepts it and logs a warning.
    Warns,
}

impl Behaviour {
    /// Lowercase word.
    pub fn name(self) -> &'static str {
        match self {
            Behaviour::Accepts => "accepts",
            Behaviour::Rejects => "rejects",
            Behaviour::Truncates => "truncates",
            Behaviour::Repairs => "repairs",
            Behaviour::Ignores => "ignores",
            Behaviour::Misreads => "misreads",
            Behaviour::Fails => "fails",
            Behaviour::Warns => "warns",
        }
    }
}

/// How one implementation treats a rule's problem.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ImplementationNote {
    /// The implementation.
    pub implementation: Implementation,
    /// What it does.
    pub behaviour: Behaviour,
    /// The specifics, with the function or message where it helps.
    pub detail: &'static str,
}

/// One rule: the common header (id, severity, title, source clause, fix) and how the major
/// implementations treat its problem. Serialised flat: the header's fields, then its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    /// The fields every catalog shares.
    pub header: RuleHeader<RuleId>,
    /// How the major implementations treat it.
    pub implementations: &'static [ImplementationNote],
}

netlens_catalog::catalog_rule!(Rule, RuleId, RULES, implementations);

/// What the clause a rule cites demands, in the terms of RFC 2119 (uppercase only, RFC 8174).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Requirement {
    /// No keyword: the severity follows what goes wrong (the scale's own words).
    None,
    /// MAY / OPTIONAL.
    May,
    /// SHOULD, SHOULD NOT, RECOMMENDED, NOT RECOMMENDED.
    Should,
    /// MUST, MUST NOT, REQUIRED, SHALL, SHALL NOT.
    Must,
}

impl Requirement {
    /// The default severity the catalog's scale gives a violated requirement; `None` for
    /// [`Requirement::None`], whose rules are graded by effect.
    pub fn severity(self) -> Option<Severity> {
        match self {
            Requirement::Must => Some(Severity::Error),
            Requirement::Should => Some(Severity::Warning),
            Requirement::May => Some(Severity::Info),
            Requirement::None => None,
        }
    }
}

impl Rule {
    /// The strongest RFC 2119 keyword in the clause this rule cites ([`RuleHeader::source`]).
    pub fn requirement(&self) -> Requirement {
        self.source
            .split(|c: char| !c.is_ascii_alphabetic())
            .map(|word| match word {
                "MUST" | "REQUIRED" | "SHALL" => Requirement::Must,
                "SHOULD" | "RECOMMENDED" => Requirement::Should,
                "MAY" | "OPTIONAL" => Requirement::May,
                _ => Requirement::None,
            })
            .max()
            .unwrap_or(Requirement::None)
    }
}

/// The rule with this public id string.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RuleId::from_id(id).and_then(RuleId::rule)
}

/// The catalog as a Markdown table (in the README, and printed by `netlens dnssd rules`; a test
/// keeps the README in step).
pub fn markdown() -> String {
    use netlens_catalog::{Column, markdown_table};
    markdown_table(
        RULES,
        &[
            Column::id(),
            Column::severity(),
            Column::title("What is wrong"),
            Column::source(),
        ],
    )
}

use Behaviour::*;
use Implementation::*;

const fn n(
    implementation: Implementation,
    behaviour: Behaviour,
    detail: &'static str,
) -> ImplementationNote {
    ImplementationNote {
        implementation,
        behaviour,
        detail,
    }
}

macro_rules! rules {
    ($(
        $variant:ident = $id:literal => $($check:ident)::+ {
            severity: $severity:ident,
            title: $title:expr,
            source: $source:expr,
            fix: $fix:expr,
            $(effective: $effective:expr,)?
            implementations: $implementations:expr $(,)?
        }
    )*) => {
        netlens_catalog::rule_ids! {
            /// Every DNS-SD rule's id, in catalog order. Serialised as its public string
            /// (`service.name-too-long`); the variant is the string in CamelCase.
            pub enum RuleId {
                $( $variant = $id, )*
            }
        }

        /// Every rule, grouped by what it concerns.
        pub static RULES: &[Rule] = &[
            $( Rule {
                header: RuleHeader {
                    id: RuleId::$variant,
                    severity: Severity::$severity,
                    title: $title,
                    source: $source,
                    fix: $fix,
                    effective: effective!($($effective)?),
                },
                implementations: $implementations,
            }, )*
        ];

        netlens_catalog::checked_by! {
            RuleId;
            $( $variant => crate::$($check)::+, stringify!($($check)::+); )*
        }
    };
}

/// A rule's effective date: always, unless the entry says otherwise.
macro_rules! effective {
    () => {
        Effective::ALWAYS
    };
    ($effective:expr) => {
        $effective
    };
}

// Each entry: the id, the check that makes it (see `crate::checks::REGISTRY`), the header, and
// how the implementations behave. The ids and the rules are one list.
rules! {
    // ---- service: the `_name._tcp` service type ----
    ServiceMissingUnderscore = "service.missing-underscore" => service::check_labels {
        severity: Error,
        title: "A service type label does not start with an underscore",
        source: "RFC 6763 §7; RFC 2782",
        fix: "Write the application protocol and the transport with a leading underscore each: `_myservice._tcp`.",
        implementations: &[
            n(
                MdnsResponder,
                Rejects,
                "ConstructServiceName: \"Application protocol name must begin with underscore\"; DNSServiceRegister returns -65540 (BadParam).",
            ),
            n(
                Avahi,
                Rejects,
                "avahi_is_valid_service_type_strict: every label must start with `_`.",
            ),
            n(
                PythonZeroconf,
                Rejects,
                "service_type_name raises BadTypeInNameException.",
            ),
            n(
                MdnsSd,
                Rejects,
                "check_service_name: the label must start with `_`.",
            ),
            n(AndroidNsd, Rejects, "NsdManager's type regex requires `_`."),
        ],
    }
    ServiceNameEmpty = "service.name-empty" => service::check_service_name {
        severity: Error,
        title: "The service name is empty",
        source: "RFC 6335 §5.1 (\"MUST be at least 1 character and no more than 15 characters long\")",
        fix: "Put the application protocol name between the underscore and the dot: `_myservice._tcp`.",
        implementations: &[
            n(
                MdnsResponder,
                Rejects,
                "\"Application protocol name must be underscore plus 1-15 characters\"; -65540.",
            ),
            n(
                Avahi,
                Rejects,
                "The label must be longer than 2 characters.",
            ),
            n(PythonZeroconf, Rejects, "BadTypeInNameException."),
            n(MdnsSd, Rejects, "Refused by check_service_name."),
        ],
    }
    ServiceNameTooLong = "service.name-too-long" => service::check_service_name {
        severity: Error,
        title: "The service name is longer than 15 characters",
        source: "RFC 6335 §5.1 (\"MUST be at least 1 character and no more than 15 characters long\"); RFC 6763 §7.2",
        fix: "Choose a name of at most 15 characters (register it with IANA to keep it unique).",
        implementations: &[
            n(
                MdnsResponder,
                Warns,
                "Accepted up to 63 bytes in `local.` (logs \"Application protocol name must be underscore plus 1-15 characters\"); refused (-65540) in any other domain.",
            ),
            n(Avahi, Accepts, "No length limit on the service name."),
            n(
                PythonZeroconf,
                Rejects,
                "Strict mode (the default) raises BadTypeInNameException; strict=False accepts it.",
            ),
            n(
                MdnsSd,
                Fails,
                "Refused above 15 characters unless set_service_name_len_max raises the limit (at most 30); register() fails silently, the error only appears as DaemonEvent::Error.",
            ),
            n(
                AndroidNsd,
                Accepts,
                "The type regex allows up to 63 characters.",
            ),
        ],
    }
    ServiceNameInvalidChar = "service.name-invalid-char" => service::check_service_name {
        severity: Error,
        title: "The service name has characters other than letters, digits and hyphens",
        source: "RFC 6335 §5.1 (\"MUST contain only US-ASCII letters 'A' - 'Z' and 'a' - 'z', digits '0' - '9', and hyphens ('-')\")",
        fix: "Use only ASCII letters, digits and hyphens; replace underscores and dots with hyphens.",
        implementations: &[
            n(
                MdnsResponder,
                Accepts,
                "Interior underscores are accepted \"for backwards compatibility with some old products\"; other characters are refused (-65540).",
            ),
            n(Avahi, Accepts, "No character check in the service type."),
            n(
                PythonZeroconf,
                Rejects,
                "Strict mode refuses anything outside [A-Za-z0-9-]; strict=False also allows `_`.",
            ),
            n(
                MdnsSd,
                Accepts,
                "No character check (underscores and any UTF-8 pass).",
            ),
            n(
                AndroidNsd,
                Accepts,
                "Underscores are allowed by the type regex; other characters are refused.",
            ),
        ],
    }
    ServiceNameNoLetter = "service.name-no-letter" => service::check_service_name {
        severity: Error,
        title: "The service name has no letter",
        source: "RFC 6335 §5.1 (\"MUST contain at least one letter ('A' - 'Z' or 'a' - 'z')\": a name must not look like a port number)",
        fix: "Include at least one letter, e.g. `_svc-22` instead of `_22`.",
        implementations: &[
            n(MdnsResponder, Accepts, "Not checked: `_22._udp` registers."),
            n(Avahi, Accepts, "Not checked."),
            n(
                PythonZeroconf,
                Rejects,
                "BadTypeInNameException in both modes.",
            ),
            n(
                MdnsSd,
                Rejects,
                "check_service_name requires an ASCII letter.",
            ),
        ],
    }
    ServiceNameBadHyphen = "service.name-bad-hyphen" => service::check_service_name {
        severity: Error,
        title: "The service name begins or ends with a hyphen, or has two hyphens in a row",
        source: "RFC 6335 §5.1 (\"MUST NOT begin or end with a hyphen\"; \"hyphens MUST NOT be adjacent to other hyphens\")",
        fix: "Remove the leading or trailing hyphen and collapse `--` into one.",
        implementations: &[
            n(
                MdnsResponder,
                Accepts,
                "Leading and trailing hyphens are refused (-65540); `--` is not checked.",
            ),
            n(Avahi, Accepts, "Not checked."),
            n(
                PythonZeroconf,
                Rejects,
                "BadTypeInNameException in both modes.",
            ),
            n(MdnsSd, Rejects, "check_service_name refuses all three."),
        ],
    }
    ServiceBadTransport = "service.bad-transport" => service::check_labels {
        severity: Error,
        title: "The transport label is not `_tcp` or `_udp`",
        source: "RFC 6763 §7 (every protocol other than TCP uses `_udp`)",
        fix: "Use `_tcp` for TCP and `_udp` for everything else, SCTP, QUIC and DCCP included.",
        implementations: &[
            n(
                MdnsResponder,
                Rejects,
                "ValidTransportProtocol: \"Transport protocol name must be _udp or _tcp\"; -65540.",
            ),
            n(Avahi, Rejects, "avahi_is_valid_service_type_strict."),
            n(
                PythonZeroconf,
                Rejects,
                "Must end with `._tcp.local.` or `._udp.local.`.",
            ),
            n(
                MdnsSd,
                Rejects,
                "The name must end with `._tcp.local.` or `._udp.local.`.",
            ),
        ],
    }
    ServiceUppercase = "service.uppercase" => service::read_type {
        severity: Info,
        title: "The service type has uppercase letters",
        source: "RFC 6762 §16 (names compare case-insensitively); Apple MCNearbyServiceAdvertiser (lowercase only)",
        fix: "Write service types in lowercase: DNS ignores case, Multipeer Connectivity requires lowercase, and some libraries compare case-sensitively.",
        implementations: &[
            n(
                MdnsResponder,
                Accepts,
                "Case-insensitive, but Multipeer Connectivity refuses uppercase service types.",
            ),
            n(Avahi, Accepts, "Case-insensitive."),
            n(PythonZeroconf, Accepts, "Case-insensitive."),
            n(
                MdnsSd,
                Rejects,
                "The `._tcp.local.` suffix check is case-sensitive: `_HTTP._TCP.local.` is refused.",
            ),
        ],
    }
    ServiceUnregistered = "service.unregistered" => service::check_type {
        severity: Info,
        title: "The service name is not in the IANA registry",
        source: "RFC 6335 §8.1 (registration procedure)",
        fix: "Nothing breaks. For a public protocol, register the name at IANA (first come, first served) so nobody else takes it.",
        implementations: &[],
    }
    ServiceHasDomain = "service.has-domain" => service::read_type {
        severity: Info,
        title: "The service type includes a domain",
        source: "RFC 6763 §4.1; dns_sd.h DNSServiceRegister (regtype and domain are separate)",
        fix: "Most APIs take the type and the domain separately: pass `_name._tcp` as the type and `local.` (or nothing) as the domain. python-zeroconf and mdns-sd want the full `_name._tcp.local.`.",
        implementations: &[
            n(
                MdnsResponder,
                Rejects,
                "A type with a domain (`_x._tcp.local`) is refused by DNSServiceRegister with -65540: \"Service type must have only two labels\".",
            ),
            n(
                Avahi,
                Rejects,
                "avahi_is_valid_service_type_strict refuses `_http._tcp.local` (a trailing dot alone is fine).",
            ),
            n(PythonZeroconf, Accepts, "Requires the `.local.` suffix."),
            n(MdnsSd, Accepts, "Requires the `.local.` suffix."),
        ],
    }
    ServiceLooksLikeInstance = "service.looks-like-instance" => service::read_type {
        severity: Error,
        title: "This looks like a service instance name, not a service type",
        source: "RFC 6763 §4.1",
        fix: "Give only the type (`_ipp._tcp`); the instance name is a separate field. To check a full name, use the name check.",
        implementations: &[
            n(MdnsResponder, Rejects, "-65540."),
            n(
                Avahi,
                Rejects,
                "\"Invalid service type\"; avahi-browse -a stops at such a type.",
            ),
        ],
    }
    // ---- subtype ----
    SubtypeInvalid = "subtype.invalid" => service::check_subtype {
        severity: Error,
        title: "A subtype is empty, longer than 63 bytes, or badly written",
        source: "RFC 6763 §7.1; RFC 1035 §2.3.4 (a label is at most 63 bytes)",
        fix: "Each subtype is one DNS label of 1 to 63 bytes: `_printer._sub._http._tcp`, or Apple's form `_http._tcp,_printer`.",
        implementations: &[
            n(
                MdnsResponder,
                Rejects,
                "ChopSubTypes: an empty subtype (`,,`) or an unescaped dot in a subtype is -65540.",
            ),
            n(Avahi, Rejects, "avahi_is_valid_service_subtype."),
        ],
    }
    SubtypeNoUnderscore = "subtype.no-underscore" => service::check_subtype {
        severity: Warning,
        title: "A subtype does not start with an underscore",
        source: "RFC 6763 §7.1 (\"Subtype strings are not required to begin with an underscore, though they often do\")",
        fix: "Legal, but start subtypes with `_` so that Avahi and Android accept them: `_printer`.",
        implementations: &[
            n(
                MdnsResponder,
                Accepts,
                "dns_sd.h's own example is `_test._tcp,HasFeatureA`.",
            ),
            n(
                Avahi,
                Rejects,
                "\"Invalid service subtype\": the subtype label must start with `_` and be longer than 2 characters (avahi#396).",
            ),
            n(PythonZeroconf, Accepts, "Any non-empty subtype."),
            n(
                AndroidNsd,
                Rejects,
                "The subtype regex requires a leading `_`.",
            ),
        ],
    }
    SubtypeCommaForm = "subtype.comma-form" => service::read_type {
        severity: Info,
        title: "Subtypes are written in Apple's comma form",
        source: "dns_sd.h DNSServiceRegister (\"_primary._tcp,_sub1,_sub2\"); RFC 6763 §7.1",
        fix: "Apple's APIs take `_http._tcp,_printer`; Avahi and python-zeroconf take `_printer._sub._http._tcp`. netlens shows both forms.",
        implementations: &[
            n(
                MdnsResponder,
                Accepts,
                "The comma form is Apple's; browsing takes at most one subtype (more is -65540).",
            ),
            n(
                Avahi,
                Rejects,
                "\"Invalid service type\" for `_matterc._udp,_S0`: Avahi only takes the `._sub.` form.",
            ),
            n(AndroidNsd, Accepts, "Both forms."),
        ],
    }
    // ---- instance: the user-visible instance name ----
    InstanceEmpty = "instance.empty" => name::check_instance_label {
        severity: Error,
        title: "The instance name is empty",
        source: "RFC 6763 §4.1.1; RFC 1035 §2.3.4",
        fix: "Give the service a name people recognise, such as the device's name.",
        implementations: &[
            n(
                MdnsResponder,
                Repairs,
                "An empty name means \"use the computer name\".",
            ),
            n(
                Avahi,
                Rejects,
                "avahi_is_valid_service_name refuses an empty name.",
            ),
        ],
    }
    InstanceTooLong = "instance.too-long" => name::check_instance_label {
        severity: Error,
        title: "The instance name is longer than 63 bytes of UTF-8",
        source: "RFC 6763 §4.1.1; RFC 1035 §2.3.4",
        fix: "Shorten the name to at most 63 bytes; count bytes, not characters (é is 2 bytes, most emoji 4). Cut on a character boundary.",
        implementations: &[
            n(
                MdnsResponder,
                Truncates,
                "The daemon cuts the name to 63 bytes on a UTF-8 boundary; with kDNSServiceFlagsNoAutoRename it is -65540 instead.",
            ),
            n(
                Avahi,
                Rejects,
                "avahi_is_valid_service_name: the name must be shorter than 64 bytes.",
            ),
            n(
                PythonZeroconf,
                Rejects,
                "BadTypeInNameException (\"Service name must be <= 63 bytes\").",
            ),
            n(
                MdnsSd,
                Fails,
                "0.20 panics the daemon thread (assert in the name writer); 0.21 skips the records while register() still succeeds.",
            ),
        ],
    }
    InstanceControlChar = "instance.control-char" => name::check_instance_label {
        severity: Error,
        title: "The instance name contains ASCII control characters",
        source: "RFC 6763 §4.1.1 (\"MUST NOT contain ASCII control characters (byte values 0x00-0x1F and 0x7F)\")",
        fix: "Remove the control characters (often a stray newline or tab from a config file).",
        implementations: &[
            n(MdnsResponder, Accepts, "Not checked."),
            n(Avahi, Accepts, "Not checked."),
            n(PythonZeroconf, Rejects, "BadTypeInNameException."),
            n(MdnsSd, Accepts, "Not checked."),
        ],
    }
    InstanceC1Control = "instance.c1-control" => name::check_instance_label {
        severity: Warning,
        title: "The instance name contains C1 control characters (U+0080 to U+009F)",
        source: "RFC 6763 §4.1.1 (Net-Unicode); RFC 5198 §2",
        fix: "Remove them; they usually come from text decoded with the wrong character set.",
        implementations: &[],
    }
    InstanceInvalidUtf8 = "instance.invalid-utf8" => name::check_instance_label {
        severity: Error,
        title: "The instance name is not valid UTF-8",
        source: "RFC 6763 §4.1.1 (Net-Unicode); RFC 6762 §16",
        fix: "Encode the name as UTF-8.",
        implementations: &[
            n(
                Avahi,
                Accepts,
                "Accepted until 0.9 (checked since 0.9-rc1).",
            ),
            n(
                PythonZeroconf,
                Rejects,
                "Names are Python str; raw bytes cannot be registered.",
            ),
        ],
    }
    InstanceNotNfc = "instance.not-nfc" => name::check_instance_label {
        severity: Warning,
        title: "The instance name is not in Unicode Normalization Form C",
        source: "RFC 6763 §4.1.1 (Net-Unicode, RFC 5198 §2: NFC)",
        fix: "Normalise the name to NFC: the same visible name in NFD is a different DNS name, so a browser and a resolver may not match.",
        implementations: &[
            n(
                MdnsResponder,
                Accepts,
                "Compares bytes: an NFD name never matches its NFC twin.",
            ),
            n(Avahi, Accepts, "Compares bytes."),
        ],
    }
    InstanceHexIdentifier = "instance.hex-identifier" => name::check_instance_label {
        severity: Warning,
        title: "The instance name looks like a MAC address or serial number",
        source: "RFC 6763 §4.1.1 (the default name \"SHOULD NOT include the device's Media Access Control (MAC) address, serial number, or any similar incomprehensible hexadecimal string\")",
        fix: "Default to a name a person understands (\"Kitchen Speaker\") and let the user change it.",
        implementations: &[],
    }
    // ---- name: a full service instance name ----
    NameTooLong = "name.too-long" => name::check_name {
        severity: Error,
        title: "The full name is longer than 255 bytes on the wire",
        source: "RFC 1035 §2.3.4; RFC 6763 §7.2",
        fix: "Shorten the instance name, the subtype or the domain until the encoded name fits in 255 bytes.",
        implementations: &[
            n(
                MdnsResponder,
                Rejects,
                "MAX_DOMAIN_NAME is 256 bytes including the final zero; longer names are -65540.",
            ),
            n(
                PythonZeroconf,
                Rejects,
                "service_type_name: \"Full name ... must be > 256 bytes\" (sic).",
            ),
        ],
    }
    NameUnescapedDot = "name.unescaped-dot" => name::check_name {
        severity: Error,
        title: "The instance part spans several labels: a dot in it is not escaped",
        source: "RFC 6763 §4.3 (\"appropriate precautions MUST be taken to ensure that DNS label boundaries are properly preserved\")",
        fix: "Escape dots in the instance as `\\.` (and backslashes as `\\\\`) when writing a full name, or pass the instance to the API separately.",
        implementations: &[
            n(
                MdnsResponder,
                Accepts,
                "DNSServiceConstructFullName escapes dots; a hand-built name splits.",
            ),
            n(
                PythonZeroconf,
                Misreads,
                "Dots are not treated as escapes: `a.b._ipp._tcp.local.` is read as instance `a.b`.",
            ),
        ],
    }
    NameEmptyLabel = "name.empty-label" => name::check_name {
        severity: Error,
        title: "The name has an empty label (two dots in a row)",
        source: "RFC 1035 §2.3.1",
        fix: "Remove the doubled dot.",
        implementations: &[],
    }
    NameLabelTooLong = "name.label-too-long" => name::check_name {
        severity: Error,
        title: "A domain label is longer than 63 bytes",
        source: "RFC 1035 §2.3.4",
        fix: "Every label of the domain must be 63 bytes or shorter.",
        implementations: &[],
    }
    // ---- txt: the TXT record ----
    TxtEmptyRecord = "txt.empty-record" => txt::check {
        severity: Error,
        title: "The TXT record has no strings at all (zero-length data)",
        source: "RFC 6763 §6.1 (\"DNS-SD implementations MUST NOT emit empty TXT records\"); RFC 1035 §3.3.14",
        fix: "Send a TXT record with a single empty string: the one byte 00.",
        implementations: &[
            n(
                MdnsResponder,
                Repairs,
                "mDNSCore turns zero-length TXT data into 00, but Network.framework on iOS 17 refused such records from other devices (\"txt_record cannot have length 0\"): the service was not discovered.",
            ),
            n(
                Avahi,
                Repairs,
                "avahi_string_list_serialize emits 00 for an empty list.",
            ),
            n(
                PythonZeroconf,
                Fails,
                "properties={} emits zero-length TXT data.",
            ),
            n(MdnsSd, Repairs, "encode_txt emits 00."),
        ],
    }
    TxtStringTooLong = "txt.string-too-long" => txt::check {
        severity: Error,
        title: "A TXT string is longer than 255 bytes",
        source: "RFC 6763 §6.1; RFC 1035 §3.3 (one length byte)",
        fix: "Shorten the value or split it over several keys; count bytes, key and `=` included.",
        implementations: &[
            n(
                MdnsResponder,
                Rejects,
                "TXTRecordSetValue returns -65549 (Invalid) above 254 bytes; dns-sd -R truncates at 255.",
            ),
            n(
                Avahi,
                Truncates,
                "avahi_string_list_serialize silently truncates to 255 bytes.",
            ),
            n(
                PythonZeroconf,
                Rejects,
                "ValueError: bytes must be in range(0, 256).",
            ),
            n(MdnsSd, Rejects, "ServiceInfo::new returns an error."),
            n(
                AndroidNsd,
                Rejects,
                "setAttribute: \"Key length + value length must be < 255 bytes\".",
            ),
        ],
    }
    TxtStringAppleLimit = "txt.string-apple-limit" => txt::check {
        severity: Warning,
        title: "A TXT string is exactly 255 bytes: Apple's TXTRecordSetValue refuses it",
        source: "RFC 6763 §6.1 (255 is legal); dns_sd.h TXTRecordSetValue (254 at most)",
        fix: "Keep each key=value string at 254 bytes or less so that Apple's TXT API can build it.",
        implementations: &[
            n(
                MdnsResponder,
                Rejects,
                "TXTRecordSetValue: 1 + key + 1 + value must fit in 255, so the string is at most 254 bytes (-65549).",
            ),
            n(Avahi, Accepts, "255 bytes are fine."),
            n(
                AndroidNsd,
                Accepts,
                "key + value < 255 allows a 255-byte string.",
            ),
        ],
    }
    TxtEmptyKey = "txt.empty-key" => txt::check {
        severity: Error,
        title: "A TXT string is just `=`: an empty key with an empty value",
        source: "RFC 6763 §6.4 (\"The key MUST be at least one character\")",
        fix: "Remove the string, or give it a key.",
        implementations: &[
            n(
                MdnsResponder,
                Rejects,
                "TXTRecordSetValue refuses an empty key (-65549).",
            ),
            n(
                PythonZeroconf,
                Accepts,
                "Emits it: an empty key is not checked.",
            ),
            n(
                AndroidNsd,
                Rejects,
                "setAttribute: \"Key cannot be empty\"; when reading, the string is skipped.",
            ),
        ],
    }
    TxtStringStartsWithEquals = "txt.string-starts-with-equals" => txt::check {
        severity: Error,
        title: "A TXT string starts with `=`: receivers silently ignore it",
        source: "RFC 6763 §6.4 (\"strings beginning with an '=' character ... MUST be silently ignored\")",
        fix: "Put the key before the `=`: `key=value`.",
        implementations: &[
            n(
                MdnsResponder,
                Ignores,
                "TXTRecordGetValuePtr never finds it.",
            ),
            n(PythonZeroconf, Misreads, "Decodes it as key b\"\"."),
            n(
                AndroidNsd,
                Ignores,
                "\"Invalid txt record (key is empty)\": skipped.",
            ),
        ],
    }
    TxtKeyInvalidChar = "txt.key-invalid-char" => txt::check_key {
        severity: Error,
        title: "A TXT key has characters outside printable ASCII",
        source: "RFC 6763 §6.4 (\"The characters of a key MUST be printable US-ASCII values (0x20-0x7E) [RFC20], excluding '=' (0x3D)\")",
        fix: "Use printable ASCII for keys; put non-ASCII text in the value, which may be any UTF-8 or binary data.",
        implementations: &[
            n(
                MdnsResponder,
                Rejects,
                "TXTRecordSetValue returns -65549 for control characters, DEL and any non-ASCII byte.",
            ),
            n(MdnsSd, Accepts, "Control characters are accepted in keys."),
            n(
                AndroidNsd,
                Rejects,
                "\"Key strings must be printable US-ASCII\".",
            ),
        ],
    }
    TxtKeySpace = "txt.key-space" => txt::check_key {
        severity: Warning,
        title: "A TXT key begins or ends with a space",
        source: "RFC 6763 §6.4 (\"Spaces in the key are significant\")",
        fix: "Remove the space: `key=value`, not `key = value`. Receivers look up `key` and will not find `key `.",
        implementations: &[],
    }
    TxtDuplicateKey = "txt.duplicate-key" => txt::check {
        severity: Error,
        title: "A TXT key appears more than once (keys ignore case)",
        source: "RFC 6763 §6.4 (\"If a client receives a TXT record containing the same key more than once, then the client MUST silently ignore all but the first occurrence of that attribute\"; case is ignored)",
        fix: "Keep one occurrence of each key.",
        implementations: &[
            n(
                MdnsResponder,
                Accepts,
                "TXTRecordGetValuePtr returns the first occurrence, ignoring case (RFC behaviour).",
            ),
            n(
                Avahi,
                Misreads,
                "avahi_string_list_find returns the last occurrence in wire order.",
            ),
            n(
                PythonZeroconf,
                Misreads,
                "Keys differing in case (`path`, `PATH`) are both kept; exact duplicates keep the first.",
            ),
            n(
                MdnsSd,
                Accepts,
                "decode_txt_unique keeps the first, ignoring case.",
            ),
            n(
                AndroidNsd,
                Misreads,
                "Keys are case-sensitive: `path` and `PATH` are both kept; an exact duplicate is skipped.",
            ),
        ],
    }
    TxtKeyTooLong = "txt.key-too-long" => txt::check_key {
        severity: Warning,
        title: "A TXT key is longer than 9 characters",
        source: "RFC 6763 §6.4 (\"The key SHOULD be no more than nine characters long\")",
        fix: "Prefer short keys: the TXT record should stay small.",
        implementations: &[
            n(
                MdnsResponder,
                Accepts,
                "dns_sd.h: \"Keys should be 9 characters or fewer\".",
            ),
            n(
                AndroidNsd,
                Warns,
                "Logs \"Key lengths > 9 are discouraged\".",
            ),
        ],
    }
    TxtRecordLarge = "txt.record-large" => txt::check {
        severity: Info,
        title: "The TXT record is larger than a typical DNS-SD record (200 bytes)",
        source: "RFC 6763 §6.2 (\"The total size of a typical DNS-SD TXT record is intended to be small -- 200 bytes or less\"; under 400 bytes it fits a single 512-byte DNS message)",
        fix: "Move large or rarely needed data elsewhere (fetch it over the service's own protocol).",
        implementations: &[n(
            AndroidNsd,
            Accepts,
            "setAttribute warns above 400 bytes.",
        )],
    }
    TxtRecordOver1300 = "txt.record-over-1300" => txt::check {
        severity: Warning,
        title: "The TXT record is larger than 1300 bytes",
        source: "RFC 6763 §6.2 (\"Using TXT records larger than 1300 bytes is NOT RECOMMENDED at this time\")",
        fix: "Keep the record under 1300 bytes, so that it fits one Ethernet packet with the other records: move large or rarely needed data elsewhere (fetch it over the service's own protocol).",
        implementations: &[n(
            AndroidNsd,
            Rejects,
            "setAttribute refuses a record above 1300 bytes (\"Total length of attributes must be < 1300 bytes\"); when reading, keys past 1300 bytes are dropped.",
        )],
    }
    TxtRecordTooLarge = "txt.record-too-large" => txt::check {
        severity: Error,
        title: "The TXT record cannot be sent: it exceeds the mDNS packet limit",
        source: "RFC 6762 §17 (a Multicast DNS packet MUST NOT exceed 9000 bytes); RFC 1035 §3.2.1 (RDLENGTH is 16 bits)",
        fix: "Reduce the TXT record to a few hundred bytes.",
        implementations: &[
            n(
                MdnsResponder,
                Rejects,
                "dns-sd caps TXT data at 8900 bytes.",
            ),
            n(
                PythonZeroconf,
                Fails,
                "Packets above 8966 bytes are not sent.",
            ),
        ],
    }
    TxtEmptyString = "txt.empty-string" => txt::check {
        severity: Warning,
        title: "The TXT record contains an empty string among others",
        source: "RFC 6763 §6.1 (an empty string is legal only as the whole, empty record)",
        fix: "Remove the empty string.",
        implementations: &[
            n(
                MdnsSd,
                Misreads,
                "decode_txt stops at the first empty string: every key after it is lost.",
            ),
            n(Avahi, Ignores, "Empty strings are dropped when parsing."),
            n(
                PythonZeroconf,
                Misreads,
                "Read as a key b\"\" with no value.",
            ),
            n(AndroidNsd, Ignores, "\"Zero sized txt record\": skipped."),
        ],
    }
    TxtTxtversNotFirst = "txt.txtvers-not-first" => txt::check {
        severity: Warning,
        title: "`txtvers` is present but not the first string",
        source: "RFC 6763 §6.7 (the version tag comes first, so a client reads the version before the keys it governs)",
        fix: "Move `txtvers=N` to the front of the record.",
        implementations: &[],
    }
    TxtValueBinary = "txt.value-binary" => txt::check {
        severity: Info,
        title: "A TXT value is binary (not UTF-8 text)",
        source: "RFC 6763 §6.5 (values are opaque binary data)",
        fix: "Legal. Make sure every reader treats the value as bytes: Swift needs NWTXTRecord.Entry.data, python-zeroconf returns bytes.",
        implementations: &[],
    }
    // ---- apple: Info.plist and local network privacy ----
    ApplePlistMissingType = "apple.plist-missing-type" => apple::check_plist {
        severity: Error,
        title: "A service type the app uses is not listed in NSBonjourServices",
        source: "Apple TN3179 (local network privacy); Info.plist NSBonjourServices",
        fix: "Add the type to NSBonjourServices in Info.plist, exactly as `_name._tcp`. Without it, browsing or registering fails with -65555 (NoAuth) on iOS 14+ and macOS 15+.",
        implementations: &[n(
            MdnsResponder,
            Rejects,
            "mdns_trust_checks: \"App Info.plist(NSBonjourServices) does not allow '...'\"; the operation fails with kDNSServiceErr_NoAuth (-65555).",
        )],
    }
    ApplePlistEntryHasDomain = "apple.plist-entry-has-domain" => apple::check_plist {
        severity: Error,
        title: "An NSBonjourServices entry includes a domain, so it never matches",
        source: "Apple TN3179; mDNSResponder mdns_trust_checks (compares label by label)",
        fix: "Write the entry without `.local.`: `_name._tcp`.",
        implementations: &[n(
            MdnsResponder,
            Rejects,
            "The entry is compared with the type as a DNS name: `_x._tcp.local.` never equals `_x._tcp`.",
        )],
    }
    ApplePlistEntryInvalid = "apple.plist-entry-invalid" => apple::check_plist {
        severity: Error,
        title: "An NSBonjourServices entry is not a valid service type",
        source: "Apple Info.plist NSBonjourServices (\"_ipp._tcp\"); RFC 6763 §7",
        fix: "Each entry is one service type: `_name._tcp` or `_name._udp`.",
        implementations: &[],
    }
    AppleMultipeerNeedsBoth = "apple.multipeer-needs-both" => apple::check_plist {
        severity: Error,
        title: "Multipeer Connectivity needs both the `_tcp` and the `_udp` entry",
        source: "Apple TN3179 FAQ (mapping a Multipeer Connectivity service type); MCNearbyServiceAdvertiser",
        fix: "For MC service type `name`, list both `_name._tcp` and `_name._udp` in NSBonjourServices.",
        implementations: &[n(
            MdnsResponder,
            Rejects,
            "The missing one fails with -65555 (NoAuth) and peers are not found.",
        )],
    }
    AppleMultipeerInvalid = "apple.multipeer-invalid" => apple::check_plist {
        severity: Error,
        title: "The Multipeer Connectivity service type breaks its rules",
        source: "Apple MCNearbyServiceAdvertiser serviceType (1-15 characters; lowercase ASCII letters, digits and hyphens; at least one letter; no leading, trailing or double hyphen)",
        fix: "Use a lowercase RFC 6335 name without underscore or transport, e.g. `my-game`.",
        implementations: &[n(
            MdnsResponder,
            Rejects,
            "MCNearbyServiceAdvertiser raises an exception for an invalid serviceType.",
        )],
    }
    AppleUsageDescription = "apple.usage-description" => apple::check_plist {
        severity: Info,
        title: "Remember NSLocalNetworkUsageDescription",
        source: "Apple TN3179; Info.plist NSLocalNetworkUsageDescription",
        fix: "Add NSLocalNetworkUsageDescription with a sentence saying why the app uses the local network; NSNetService reports -72008 when it or NSBonjourServices is missing.",
        implementations: &[],
    }
}
