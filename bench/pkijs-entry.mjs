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
