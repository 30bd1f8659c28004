// Bundled by bench/run.mjs with esbuild into one file the bench page loads: PKI.js's chain
// validation engine, fed DER certificates, verifying with the browser's WebCrypto.
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

function parse(der) {
  const asn1 = asn1js.fromBER(der);
  if (asn1.offset === -1) throw new Error('PKI.js: not DER');
  return new pkijs.Certificate({ schema: asn1.result });
}

/** Parses and validates: `chain` (leaf first) and `anchors` are arrays of DER ArrayBuffers. */
export async function validate(chain, anchors, date) {
  const engine = new pkijs.CertificateChainValidationEngine({
    trustedCerts: anchors.map(parse),
    certs: chain.map(parse),
    checkDate: date,
  });
  const result = await engine.verify();
  return { result: result.result, message: result.resultMessage };
}

const CURVES = { '1.2.840.10045.3.1.7': ['P-256', 32], '1.3.132.0.34': ['P-384', 48], '1.3.132.0.35': ['P-521', 66] };
const HASHES = {
  '1.2.840.10045.4.3.2': 'SHA-256', '1.2.840.10045.4.3.3': 'SHA-384', '1.2.840.10045.4.3.4': 'SHA-512',
  '1.2.840.113549.1.1.11': 'SHA-256', '1.2.840.113549.1.1.12': 'SHA-384', '1.2.840.113549.1.1.13': 'SHA-512',
};

/** An ECDSA-Sig-Value (DER SEQUENCE of two INTEGERs) as WebCrypto's r || s. */
function rawEcdsa(der, size) {
  const seq = asn1js.fromBER(der).result;
  const out = new Uint8Array(2 * size);
  seq.valueBlock.value.forEach((int, i) => {
    let bytes = new Uint8Array(int.valueBlock.valueHexView);
    while (bytes.length > size && bytes[0] === 0) bytes = bytes.slice(1);
    out.set(bytes, (i + 1) * size - bytes.length);
  });
  return out;
}

/**
 * The part of a chain validation no implementation in this browser can avoid: WebCrypto
 * importing each issuer's key and verifying each link's signature. Everything WebCrypto needs
 * (signed bytes, raw signature, parameters) is extracted beforehand, untimed. `chain` is leaf
 * first and ends with its root; DER ArrayBuffers. Returns the function to time.
 */
export function signatureChecks(chain) {
  const certs = chain.map(parse);
  const links = certs.slice(0, -1).map((child, i) => {
    const issuer = certs[i + 1];
    const spki = issuer.subjectPublicKeyInfo.toSchema().toBER(false);
    const signed = child.tbsView;
    const hash = HASHES[child.signatureAlgorithm.algorithmId];
    const signature = child.signatureValue.valueBlock.valueHexView;
    const keyAlg = issuer.subjectPublicKeyInfo.algorithm;
    if (!hash) throw new Error(`bench: signature algorithm ${child.signatureAlgorithm.algorithmId} not mapped`);
    if (keyAlg.algorithmId === '1.2.840.10045.2.1') {
      const [namedCurve, size] = CURVES[keyAlg.algorithmParams.valueBlock.toString()];
      return { spki, signed, importAlg: { name: 'ECDSA', namedCurve }, verifyAlg: { name: 'ECDSA', hash }, signature: rawEcdsa(signature, size) };
    }
    return { spki, signed, importAlg: { name: 'RSASSA-PKCS1-v1_5', hash }, verifyAlg: { name: 'RSASSA-PKCS1-v1_5' }, signature };
  });
  return async () => {
    for (const l of links) {
      const key = await crypto.subtle.importKey('spki', l.spki, l.importAlg, false, ['verify']);
      if (!(await crypto.subtle.verify(l.verifyAlg, key, l.signature, l.signed))) throw new Error('a link does not verify');
    }
  };
}
