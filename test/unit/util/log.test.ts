import { createLogger, flushDeferredWarnings, redact, registerSecret } from '../../../src/util/log';

describe('redact', () => {
  const password = 'Lab&<Pass>1"x';
  beforeAll(() => registerSecret(password));

  it('removes a registered secret written plainly', () => {
    expect(redact(`login as admin with ${password} failed`)).toBe('login as admin with *** failed');
  });

  it.each([
    ['named references', 'Lab&amp;&lt;Pass&gt;1&quot;x'],
    ['decimal references (Go)', 'Lab&#38;&#60;Pass&#62;1&#34;x'],
    ['hex references, either case', 'Lab&#x26;&#X3c;Pass&#x3E;1&#x22;x'],
    ['a mix', 'Lab&amp;&#60;Pass&gt;1&#34;x'],
    [
      'named references escaped twice (a request echoed in a fault)',
      'Lab&amp;amp;&amp;lt;Pass&amp;gt;1&amp;quot;x',
    ],
    [
      'references escaped three times',
      'Lab&amp;amp;amp;&amp;amp;lt;Pass&amp;amp;gt;1&amp;amp;quot;x',
    ],
    ['decimal references escaped again', 'Lab&amp;#38;&amp;#60;Pass&amp;#62;1&amp;#34;x'],
    ['an escaped decimal ampersand', 'Lab&#38;amp;&#38;lt;Pass&#38;gt;1&#38;quot;x'],
  ])('removes it written with %s', (_how, written) => {
    expect(redact(`<faultstring>bad ${written}</faultstring>`)).toBe(
      '<faultstring>bad ***</faultstring>',
    );
  });

  it('blanks SOAP password elements, with or without a namespace prefix or attributes', () => {
    expect(redact('<password>whatever</password>')).toBe('<password>***</password>');
    expect(redact('<vim25:password xsi:type="xsd:string">s3cret</vim25:password>')).toBe(
      '<vim25:password>***</vim25:password>',
    );
  });

  it('blanks escaped SOAP password elements at any depth, whatever they hold', () => {
    expect(redact('echo: &lt;password&gt;other-1&lt;/password&gt; end')).toBe(
      'echo: &lt;password&gt;***&lt;/password&gt; end',
    );
    expect(
      redact(
        '&amp;lt;vim25:password xsi:type=&amp;quot;xsd:string&amp;quot;&amp;gt;o&amp;amp;2&amp;lt;/vim25:password&amp;gt;',
      ),
    ).toBe('&amp;lt;vim25:password&amp;gt;***&amp;lt;/vim25:password&amp;gt;');
  });

  it('blanks session cookies, XSRF tokens, form passwords and basic credentials', () => {
    expect(redact('Cookie: vmware_soap_session="52a1b2c3"')).toBe(
      'Cookie: vmware_soap_session="***"',
    );
    expect(redact('Cookie: JSESSIONID=ABC123; Path=/')).toBe('Cookie: JSESSIONID=***; Path=/');
    expect(redact('X-XSRF-TOKEN: abc-123')).toBe('X-XSRF-TOKEN: ***');
    expect(redact('j_username=u&j_password=p%26q')).toBe('j_username=u&j_password=***');
    expect(redact('Authorization: Basic dTpw')).toBe('Authorization: Basic ***');
  });

  it('leaves other text alone, and does not register values too short to be passwords', () => {
    registerSecret('ab');
    expect(redact('a tab and a label')).toBe('a tab and a label');
  });

  it('applies to every line a logger writes', () => {
    const lines: string[] = [];
    const log = createLogger({ verbose: true, write: (l) => lines.push(l) });
    log.debug(`request body <password>${password}</password>`);
    log.error(`server said ${password}`);
    expect(lines.join('\n')).not.toContain(password);
    expect(lines).toEqual([
      'debug: request body <password>***</password>',
      'error: server said ***',
    ]);
  });
});

describe('-q', () => {
  it('holds warnings back: shown when the run fails, dropped when it succeeds', () => {
    const lines: string[] = [];
    const quiet = createLogger({ quiet: true, write: (l) => lines.push(l) });
    quiet.info('collecting ...');
    quiet.warn('account could not be checked');
    expect(lines).toEqual([]);
    flushDeferredWarnings(false);
    expect(lines).toEqual([]);
    quiet.warn('second \x1b[2J warning');
    quiet.error('it failed');
    flushDeferredWarnings(true);
    expect(lines).toEqual(['error: it failed', 'warning: second \\x1b[2J warning']);
  });
});
