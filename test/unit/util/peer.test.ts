import {
  describeAnswer,
  isPlainHttpReply,
  looksLikeSoap,
  looksLikeVimServiceVersions,
} from '../../../src/util/peer';

const answer = (status: number, type: string, body: string) => ({
  status,
  headers: { 'content-type': type },
  body,
});

describe('what answered', () => {
  it("recognises NSX Manager's JSON errors", () => {
    const nsx = JSON.stringify({
      httpStatus: '403',
      error_code: 403,
      module_name: 'common-services',
      error_message: 'Forbidden\x1b[2J',
    });
    expect(describeAnswer(answer(403, 'application/json', nsx))).toBe(
      "JSON that looks like NSX Manager's API (error 403: Forbidden\\x1b[2J)",
    );
  });

  it('names an HTML page by its title, other JSON, text and empty bodies', () => {
    expect(
      describeAnswer(answer(404, 'text/html', '<html><head><title> Welcome to nginx </title>')),
    ).toBe('an HTML page titled "Welcome to nginx"');
    expect(describeAnswer(answer(404, 'application/json', '{"a":1}'))).toBe('JSON');
    expect(describeAnswer(answer(404, 'text/plain', '404 page not found\n'))).toBe(
      'text ("404 page not found")',
    );
    expect(describeAnswer(answer(200, '', ''))).toBe('an empty body');
  });

  it('tells SOAP and the vim25 service list apart from other XML', () => {
    expect(
      looksLikeSoap(
        answer(500, 'text/xml', '<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="x">'),
      ),
    ).toBe(true);
    expect(looksLikeSoap(answer(200, 'text/xml', '<feed/>'))).toBe(false);
    expect(
      looksLikeVimServiceVersions(
        answer(200, 'text/xml', '<namespaces><namespace><name>urn:vim25</name>'),
      ),
    ).toBe(true);
  });

  it('recognises the TLS error a plain HTTP port causes', () => {
    expect(isPlainHttpReply({ code: 'ERR_SSL_WRONG_VERSION_NUMBER' })).toBe(true);
    expect(
      isPlainHttpReply({
        message: 'error:0A00010B:SSL routines:ssl3_get_record:wrong version number',
      }),
    ).toBe(true);
    expect(isPlainHttpReply({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' })).toBe(false);
  });
});
