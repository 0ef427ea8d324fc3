/**
 * A whole SOAP answer through the product's decoder at once (the scanner and frames that
 * SoapConnection streams into), for tests that hold a body as one string.
 */
import type { ResponseDecoder } from '../../src/vsphere/decode';
import { soapResponseSink, type SoapOutcome } from '../../src/vsphere/soap';
import { XmlScanner } from '../../src/vsphere/xml-scan';

export function decodeBody<T>(
  method: string,
  body: string,
  returns: ResponseDecoder<T>,
): SoapOutcome<T> {
  const { sink, outcome } = soapResponseSink(method, returns);
  const scanner = new XmlScanner(sink);
  scanner.write(body);
  scanner.end();
  return outcome;
}
