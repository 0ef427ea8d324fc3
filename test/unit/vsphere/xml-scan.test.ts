import { XmlScanner, XmlSyntaxError, type XmlSink } from '../../../src/vsphere/xml-scan';

/** Records events, merging adjacent text pieces (text may arrive in any number of pieces). */
function events(chunks: readonly string[]): string[] {
  const out: string[] = [];
  const sink: XmlSink = {
    open: (name, attrs) => out.push(`<${name}${attrs ? ' ' + JSON.stringify(attrs) : ''}>`),
    text: (v) => {
      const last = out.length - 1;
      if (last >= 0 && out[last]!.startsWith('"'))
        out[last] = JSON.stringify(JSON.parse(out[last]!) + v);
      else out.push(JSON.stringify(v));
    },
    close: () => out.push('</>'),
  };
  const scanner = new XmlScanner(sink);
  for (const c of chunks) scanner.write(c);
  scanner.end();
  return out;
}

const DOC =
  '\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n<!-- c -->\n' +
  '<soapenv:Envelope xmlns:soapenv="s" xmlns:xsi=\'x\'>\n <soapenv:Body>' +
  '<R xmlns="urn:vim25"><val type="Folder" xsi:type="ManagedObjectReference">group-v3</val>' +
  '<name> a&amp;b&lt;&gt;&quot;&apos;&#34;&#x20AC;é😀 </name><![CDATA[<raw & text>]]><e/><f a = "1&amp;2" b="x\ty"/>' +
  '<?pi data?></R></soapenv:Body></soapenv:Envelope>\n';

describe('XmlScanner', () => {
  it('reports elements by local name, attributes by qualified name (namespace declarations checked, not passed on), text decoded', () => {
    expect(events([DOC])).toEqual([
      '<Envelope>',
      '"\\n "',
      '<Body>',
      '<R>',
      '<val {"type":"Folder","xsi:type":"ManagedObjectReference"}>',
      '"group-v3"',
      '</>',
      '<name>',
      '" a&b<>\\"\'\\"€é😀 "',
      '</>',
      '"<raw & text>"',
      '<e>',
      '</>',
      '<f {"a":"1&2","b":"x y"}>',
      '</>',
      '</>',
      '</>',
      '</>',
    ]);
  });

  it('gives the same events however the document is split into chunks', () => {
    const whole = events([DOC]);
    for (let cut = 1; cut < DOC.length; cut++) {
      expect(events([DOC.slice(0, cut), DOC.slice(cut)])).toEqual(whole);
    }
    expect(events([...DOC])).toEqual(whole);
  });

  it.each([
    ['<a><b></a>', /<\/a> where <\/b> was expected/],
    ['<a>', /ends inside <a>/],
    ['<a></a><b/>', /second root/],
    ['text<a/>', /text outside the root/],
    ['<a>&unknown;</a>', /unknown or invalid reference/],
    ['<a>&amp</a>', /unterminated reference/],
    ['<a>&#0;</a>', /invalid reference/],
    ['<a x=1/>', /unquoted attribute/],
    ['<a x="1" x="2"/>', /given twice/],
    ['<a x="<"/>', /"<" in attribute/],
    ['<a xmlns:p="1" xmlns:p="2"/>', /attribute xmlns:p given twice/],
    ['<a xmlns="<"/>', /"<" in attribute xmlns/],
    ['<a xmlnsx="&bad;"/>', /unknown or invalid reference/],
    ['<a x/>', /an attribute without a value/],
    ['<a x y="1"/>', /an attribute without a value/],
    ['<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>', /DOCTYPE is not accepted/],
    ['', /no root element/],
    ['<a', /middle of a tag/],
    ['</a>', /unexpected <\/a>/],
  ])('rejects %j', (doc, message) => {
    expect(() => events([doc])).toThrow(XmlSyntaxError);
    expect(() => events([doc])).toThrow(message);
  });
});
