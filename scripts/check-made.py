#!/usr/bin/env python3
"""Reads what `netlens make` wrote (or the page's zip, unpacked) with tools other than netlens.

    check-made.py DIR PASSWORD

Prints one JSON object of facts; the tests (crates/netlens-cli/tests/make.rs and
e2e/make.test.mjs) assert on them:
- "pkcs12": for each *.p12, what pyca/cryptography's load_key_and_certificates reads with the
  password: the certificate's subject, how many further certificates, whether the key is the
  certificate's key, and whether a wrong password is refused.
- "profiles": for each *.mobileconfig, what Python's plistlib reads: the profile's display name
  and UUID, and each payload's type, UUID, and whether its content is root.cer's bytes.
- "pem": the keys in *-key.pem load with pyca and match the certificate beside them.

Runs in the venv `make test` sets up (target/pki-venv: pkilint, which brings cryptography).
"""

import json
import pathlib
import plistlib
import sys

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

SPKI = dict(encoding=serialization.Encoding.DER, format=serialization.PublicFormat.SubjectPublicKeyInfo)


def spki(public_key):
    return public_key.public_bytes(**SPKI)


def main(folder: pathlib.Path, password: str) -> dict:
    facts = {"pkcs12": {}, "profiles": {}, "pem": {}}
    for p12 in sorted(folder.glob("*.p12")):
        key, cert, extra = pkcs12.load_key_and_certificates(p12.read_bytes(), password.encode())
        try:
            pkcs12.load_key_and_certificates(p12.read_bytes(), b"not-" + password.encode())
            wrong_refused = False
        except ValueError:
            wrong_refused = True
        facts["pkcs12"][p12.name] = {
            "subject": cert.subject.rfc4514_string(),
            "extra_certificates": len(extra),
            "key_matches": spki(key.public_key()) == spki(cert.public_key()),
            "wrong_password_refused": wrong_refused,
        }
    root_der = (folder / "root.cer").read_bytes()
    for path in sorted(folder.glob("*.mobileconfig")):
        profile = plistlib.loads(path.read_bytes())
        facts["profiles"][path.name] = {
            "type": profile["PayloadType"],
            "display_name": profile["PayloadDisplayName"],
            "uuid": profile["PayloadUUID"],
            "identifier": profile["PayloadIdentifier"],
            "payloads": [
                {
                    "type": p["PayloadType"],
                    "uuid": p["PayloadUUID"],
                    "is_root_cer": p["PayloadContent"] == root_der,
                    "content_bytes": len(p["PayloadContent"]),
                }
                for p in profile["PayloadContent"]
            ],
        }
    for key_path in sorted(folder.glob("*-key.pem")):
        cert_path = folder / key_path.name.replace("-key.pem", ".pem")
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        entry = {"type": type(key).__name__}
        if cert_path.exists():
            cert = x509.load_pem_x509_certificates(cert_path.read_bytes())[0]
            entry["matches"] = spki(key.public_key()) == spki(cert.public_key())
        facts["pem"][key_path.name] = entry
    return facts


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: check-made.py DIR PASSWORD")
    print(json.dumps(main(pathlib.Path(sys.argv[1]), sys.argv[2]), indent=1))
