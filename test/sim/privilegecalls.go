package main

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// privilegeCalls serves HasUserPrivilegeOnEntities and FetchUserPrivilegeOnEntities, the
// calls a vCenter answers natively and drperm's --confirm-with-server sends by thousands of
// entities. vcsim decodes every request twice by reflection and encodes the answer the
// same way, which made the lab, not drperm, the cost of a confirmation. Here a small
// reader takes the call apart, the lab's resolution (authz.go) answers it, and the answer
// is written directly, byte for byte as vcsim writes it (privilegecalls_test.go).
// Everything else, and every call this reader does not fully understand, goes to vcsim.
type privilegeCalls struct {
	next     http.Handler
	auth     *labAuthorization
	answered atomic.Int64 // calls answered here, not by vcsim (for the test)
}

func installPrivilegeCalls(server *simulator.Server, auth *labAuthorization) {
	server.Config.Handler = &privilegeCalls{next: server.Config.Handler, auth: auth}
}

// privilegeCall is one request of either method; privIDs only for HasUserPrivilegeOnEntities.
type privilegeCall struct {
	method   string
	this     types.ManagedObjectReference
	entities []types.ManagedObjectReference
	userName string
	privIDs  []string
}

const (
	hasPrivilege   = "HasUserPrivilegeOnEntities"
	fetchPrivilege = "FetchUserPrivilegeOnEntities"
)

func (h *privilegeCalls) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := peekSOAPBody(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if body == nil || !bytes.Contains(body, []byte("UserPrivilegeOnEntities")) {
		h.next.ServeHTTP(w, r)
		return
	}
	call, ok := parsePrivilegeCall(body)
	if !ok || call.this != h.auth.Self {
		h.next.ServeHTTP(w, r)
		return
	}
	// vcsim's own checks (session, object, method) on the same call without its entities:
	// an unauthenticated caller gets exactly the fault it got before.
	probe := httptest.NewRecorder()
	probeReq := r.Clone(r.Context())
	probeReq.Body = io.NopCloser(bytes.NewReader(call.withoutEntities()))
	h.next.ServeHTTP(probe, probeReq)
	if probe.Code != http.StatusOK {
		copyResponse(w, probe)
		return
	}
	var res soap.HasFault
	simulator.Map.WithLock(h.auth, func() { res = h.auth.answer(call) })
	if res.Fault() != nil {
		// Faults (an unknown entity) are rare: vcsim writes them, from the same resolution.
		r.Body = io.NopCloser(bytes.NewReader(body))
		h.next.ServeHTTP(w, r)
		return
	}
	h.answered.Add(1)
	// No Content-Type, like vcsim: net/http sniffs the same text/xml for both.
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(encodeAnswer(res))
}

func copyResponse(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// answer runs the lab's own method, as vcsim's dispatcher would.
func (m *labAuthorization) answer(call privilegeCall) soap.HasFault {
	if call.method == hasPrivilege {
		return m.HasUserPrivilegeOnEntities(&types.HasUserPrivilegeOnEntities{
			This: call.this, Entities: call.entities, UserName: call.userName, PrivId: call.privIDs,
		})
	}
	return m.FetchUserPrivilegeOnEntities(&types.FetchUserPrivilegeOnEntities{
		This: call.this, Entities: call.entities, UserName: call.userName,
	})
}

// parsePrivilegeCall reads Envelope > Body > method with the children _this, entities,
// userName and privId. Anything else (another method, an unknown child, nested elements)
// is not ok: vcsim's generic decoder then handles the request as before.
func parsePrivilegeCall(body []byte) (privilegeCall, bool) {
	var call privilegeCall
	s, ok := newXMLScanner(body)
	if !ok {
		return call, false
	}
	call.entities = make([]types.ManagedObjectReference, 0, bytes.Count(body, []byte("<entities")))
	depth := 0 // open elements
	inHeader := false
	var text []byte
	var ref types.ManagedObjectReference
	seenMethod := false
	for {
		t, done, ok := s.next()
		if done {
			return call, ok && seenMethod
		}
		if !ok {
			return call, false
		}
		switch t.kind {
		case 's':
			depth++
			switch {
			case inHeader:
			case depth == 1 && t.local == "Envelope":
			case depth == 2 && t.local == "Header":
				inHeader = true
			case depth == 2 && t.local == "Body":
			case depth == 3 && (t.local == hasPrivilege || t.local == fetchPrivilege) && !seenMethod:
				call.method, seenMethod = t.local, true
			case depth == 4 && (t.local == "_this" || t.local == "entities"):
				ref = types.ManagedObjectReference{Type: t.typ}
				text = text[:0]
			case depth == 4 && (t.local == "userName" || t.local == "privId" && call.method == hasPrivilege):
				text = text[:0]
			default:
				return call, false
			}
		case 't':
			if depth == 4 && !inHeader {
				text = append(text, t.text...)
			}
		case 'e':
			if depth == 2 && inHeader && t.local == "Header" {
				inHeader = false
			}
			if depth == 4 && !inHeader {
				switch t.local {
				case "_this":
					ref.Value = string(text)
					call.this = ref
				case "entities":
					ref.Value = string(text)
					call.entities = append(call.entities, ref)
				case "userName":
					call.userName = string(text)
				case "privId":
					call.privIDs = append(call.privIDs, string(text))
				}
			}
			depth--
		}
	}
}

// withoutEntities is the same call with no entities, for vcsim's checks of the caller.
func (c privilegeCall) withoutEntities() []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Body><`)
	b.WriteString(c.method)
	b.WriteString(` xmlns="urn:vim25">`)
	writeRef(&b, "_this", c.this)
	writeText(&b, "userName", c.userName)
	b.WriteString(`</`)
	b.WriteString(c.method)
	b.WriteString(`></Body></Envelope>`)
	return b.Bytes()
}

// encodeAnswer writes what vcsim's ServeSDK writes for these answers.
func encodeAnswer(res soap.HasFault) []byte {
	var b bytes.Buffer
	b.Grow(answerSize(res))
	b.WriteString(xml.Header)
	b.WriteString(`<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>`)
	switch body := res.(type) {
	case *methods.HasUserPrivilegeOnEntitiesBody:
		b.WriteString(`<HasUserPrivilegeOnEntitiesResponse xmlns="urn:vim25">`)
		for _, ep := range body.Res.Returnval {
			b.WriteString(`<returnval>`)
			writeRef(&b, "entity", ep.Entity)
			for _, pa := range ep.PrivAvailability {
				b.WriteString(`<privAvailability>`)
				writeText(&b, "privId", pa.PrivId)
				writeText(&b, "isGranted", strconv.FormatBool(pa.IsGranted))
				b.WriteString(`</privAvailability>`)
			}
			b.WriteString(`</returnval>`)
		}
		b.WriteString(`</HasUserPrivilegeOnEntitiesResponse>`)
	case *methods.FetchUserPrivilegeOnEntitiesBody:
		b.WriteString(`<FetchUserPrivilegeOnEntitiesResponse xmlns="urn:vim25">`)
		for _, up := range body.Res.Returnval {
			b.WriteString(`<returnval>`)
			writeRef(&b, "entity", up.Entity)
			for _, p := range up.Privileges {
				writeText(&b, "privileges", p)
			}
			b.WriteString(`</returnval>`)
		}
		b.WriteString(`</FetchUserPrivilegeOnEntitiesResponse>`)
	}
	b.WriteString(`</soapenv:Body></soapenv:Envelope>`)
	return b.Bytes()
}

// answerSize estimates the answer's length, so that its buffer grows once.
func answerSize(res soap.HasFault) int {
	switch body := res.(type) {
	case *methods.HasUserPrivilegeOnEntitiesBody:
		n := 0
		for _, ep := range body.Res.Returnval {
			n += 80 + len(ep.Entity.Type) + len(ep.Entity.Value) + 80*len(ep.PrivAvailability)
		}
		return 512 + n
	case *methods.FetchUserPrivilegeOnEntitiesBody:
		n := 0
		for _, up := range body.Res.Returnval {
			n += 60 + len(up.Entity.Type) + len(up.Entity.Value)
			for _, p := range up.Privileges {
				n += 25 + len(p)
			}
		}
		return 512 + n
	}
	return 512
}

func writeRef(b *bytes.Buffer, name string, ref types.ManagedObjectReference) {
	b.WriteString(`<` + name + ` type="`)
	_ = xml.EscapeText(b, []byte(ref.Type))
	b.WriteString(`">`)
	_ = xml.EscapeText(b, []byte(ref.Value))
	b.WriteString(`</` + name + `>`)
}

func writeText(b *bytes.Buffer, name, value string) {
	b.WriteString(`<` + name + `>`)
	_ = xml.EscapeText(b, []byte(value))
	b.WriteString(`</` + name + `>`)
}
