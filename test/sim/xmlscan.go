package main

import (
	"bytes"
	"strconv"
	"unicode/utf8"
)

// xmlScanner is a minimal XML tokenizer for the plain SOAP requests privilegecalls.go
// reads: elements, attributes, text and the five predefined and numeric character
// references. Comments, CDATA, DOCTYPE, carriage returns and anything malformed make it
// fail, and the request then goes to vcsim's full decoder. encoding/xml's tokenizer,
// at 5,000 entities a call, cost more than the lab's whole answer.
type xmlScanner struct {
	data  []byte
	pos   int
	open  [][]byte // qualified names of the open elements
	ended bool     // the element just read was self-closing: its end comes next
}

type xmlToken struct {
	kind  byte // 's' start, 'e' end, 't' text
	local string
	typ   string // the start tag's "type" attribute
	text  []byte
}

func newXMLScanner(data []byte) (*xmlScanner, bool) {
	if !utf8.Valid(data) || bytes.IndexByte(data, '\r') >= 0 {
		return nil, false
	}
	return &xmlScanner{data: data}, true
}

// next returns the next token; ok false at the end (done true) or on anything unexpected.
func (s *xmlScanner) next() (t xmlToken, done, ok bool) {
	if s.ended {
		s.ended = false
		name := s.open[len(s.open)-1]
		s.open = s.open[:len(s.open)-1]
		return xmlToken{kind: 'e', local: localName(name)}, false, true
	}
	for {
		if s.pos >= len(s.data) {
			return t, true, len(s.open) == 0
		}
		if s.data[s.pos] != '<' {
			end := bytes.IndexByte(s.data[s.pos:], '<')
			if end < 0 {
				end = len(s.data) - s.pos
			}
			raw := s.data[s.pos : s.pos+end]
			s.pos += end
			text, ok := unescapeXML(raw)
			return xmlToken{kind: 't', text: text}, false, ok
		}
		rest := s.data[s.pos:]
		switch {
		case bytes.HasPrefix(rest, []byte("<?")):
			end := bytes.Index(rest, []byte("?>"))
			if end < 0 {
				return t, false, false
			}
			s.pos += end + 2
			continue
		case bytes.HasPrefix(rest, []byte("<!")):
			return t, false, false
		case bytes.HasPrefix(rest, []byte("</")):
			end := bytes.IndexByte(rest, '>')
			if end < 0 || len(s.open) == 0 {
				return t, false, false
			}
			name := bytes.TrimRight(rest[2:end], " \t\n")
			if !bytes.Equal(name, s.open[len(s.open)-1]) {
				return t, false, false
			}
			s.open = s.open[:len(s.open)-1]
			s.pos += end + 1
			return xmlToken{kind: 'e', local: localName(name)}, false, true
		}
		return s.startTag()
	}
}

func (s *xmlScanner) startTag() (t xmlToken, done, ok bool) {
	i := s.pos + 1
	nameEnd := i
	for nameEnd < len(s.data) && !isTagDelimiter(s.data[nameEnd]) {
		nameEnd++
	}
	name := s.data[i:nameEnd]
	if len(name) == 0 {
		return t, false, false
	}
	t = xmlToken{kind: 's', local: localName(name)}
	i = nameEnd
	for {
		for i < len(s.data) && isSpace(s.data[i]) {
			i++
		}
		if i >= len(s.data) {
			return t, false, false
		}
		switch {
		case s.data[i] == '>':
			s.pos = i + 1
			s.open = append(s.open, name)
			return t, false, true
		case s.data[i] == '/' && i+1 < len(s.data) && s.data[i+1] == '>':
			s.pos = i + 2
			s.open = append(s.open, name)
			s.ended = true
			return t, false, true
		}
		// name="value" or name='value'
		eq := bytes.IndexByte(s.data[i:], '=')
		if eq <= 0 || i+eq+1 >= len(s.data) {
			return t, false, false
		}
		attr := bytes.TrimRight(s.data[i:i+eq], " \t\n")
		j := i + eq + 1
		for j < len(s.data) && isSpace(s.data[j]) {
			j++
		}
		if j >= len(s.data) || (s.data[j] != '"' && s.data[j] != '\'') {
			return t, false, false
		}
		closing := bytes.IndexByte(s.data[j+1:], s.data[j])
		if closing < 0 {
			return t, false, false
		}
		raw := s.data[j+1 : j+1+closing]
		if bytes.IndexByte(raw, '<') >= 0 || bytes.ContainsAny(raw, "\t\n") {
			return t, false, false // encoding/xml normalises whitespace in attributes; not worth it
		}
		if string(attr) == "type" {
			v, ok := unescapeXML(raw)
			if !ok {
				return t, false, false
			}
			t.typ = string(v)
		}
		i = j + 1 + closing + 1
	}
}

func isSpace(c byte) bool        { return c == ' ' || c == '\t' || c == '\n' }
func isTagDelimiter(c byte) bool { return isSpace(c) || c == '>' || c == '/' }
func localName(name []byte) string {
	if i := bytes.IndexByte(name, ':'); i >= 0 {
		return string(name[i+1:])
	}
	return string(name)
}

// unescapeXML resolves &lt; &gt; &amp; &quot; &apos; and &#N; / &#xN;.
func unescapeXML(raw []byte) ([]byte, bool) {
	if bytes.IndexByte(raw, '&') < 0 {
		return raw, true
	}
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); {
		if raw[i] != '&' {
			out = append(out, raw[i])
			i++
			continue
		}
		semi := bytes.IndexByte(raw[i:], ';')
		if semi < 0 {
			return nil, false
		}
		ref := string(raw[i+1 : i+semi])
		i += semi + 1
		switch ref {
		case "lt":
			out = append(out, '<')
		case "gt":
			out = append(out, '>')
		case "amp":
			out = append(out, '&')
		case "quot":
			out = append(out, '"')
		case "apos":
			out = append(out, '\'')
		default:
			if len(ref) < 2 || ref[0] != '#' {
				return nil, false
			}
			var n uint64
			var err error
			if ref[1] == 'x' {
				n, err = strconv.ParseUint(ref[2:], 16, 32)
			} else {
				n, err = strconv.ParseUint(ref[1:], 10, 32)
			}
			if err != nil || n == 0 || !utf8.ValidRune(rune(n)) {
				return nil, false
			}
			out = utf8.AppendRune(out, rune(n))
		}
	}
	return out, true
}
