package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/types"
)

// The purpose-built path must answer byte for byte as vcsim's generic one: same answers,
// same faults, same refusal of a caller without a session.
func TestPrivilegeCallsAnswerAsVcsim(t *testing.T) {
	model := simulator.VPX()
	if err := model.Create(); err != nil {
		t.Fatal(err)
	}
	defer model.Remove()
	sc, err := vim25.NewClient(context.Background(), model.Service)
	if err != nil {
		t.Fatal(err)
	}
	root := sc.ServiceContent.RootFolder
	auth := installLabAuthorization(*sc.ServiceContent.AuthorizationManager, root)
	dir, err := newDirectory([]UserSpec{{Name: `LAB\alice`, Password: "pw", Groups: []string{`LAB\ops`}}},
		[]GroupSpec{{Name: `LAB\ops`}}, "admin", "Admin&<1>")
	if err != nil {
		t.Fatal(err)
	}
	enforceAuthorization(auth, dir, *sc.ServiceContent.UserDirectory, root)
	vms := simulator.Map.All("VirtualMachine")
	folder := *vms[0].(*simulator.VirtualMachine).Parent
	auth.upsert(folder, types.Permission{Entity: &folder, Principal: `LAB\ops`, Group: true, RoleId: -2, Propagate: true})
	auth.upsert(vms[1].Reference(), types.Permission{Entity: ptr(vms[1].Reference()), Principal: `LAB\alice`, RoleId: -5})

	model.Service.Listen = &url.URL{User: url.UserPassword("admin", "Admin&<1>")}
	server := model.Service.NewServer()
	defer server.Close()
	installLoginGate(server, model.Service, dir)
	installPrivilegeCalls(server, auth)
	fast := server.Config.Handler.(*privilegeCalls)

	u := *server.URL
	u.User = url.UserPassword("admin", "Admin&<1>")
	c, err := govmomi.NewClient(context.Background(), &u, true)
	if err != nil {
		t.Fatal(err)
	}
	cookies := c.Client.Client.Jar.Cookies(server.URL)

	var entities strings.Builder
	for _, vm := range vms {
		fmt.Fprintf(&entities, `<entities type="VirtualMachine">%s</entities>`, vm.Reference().Value)
	}
	fmt.Fprintf(&entities, `<entities type="Folder">%s</entities>`, root.Value)
	call := func(method, children string) string {
		return `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
			`<soapenv:Header><operationID>x1</operationID></soapenv:Header><soapenv:Body><` + method + ` xmlns="urn:vim25"><_this type="AuthorizationManager">` +
			auth.Self.Value + `</_this>` + children + `</` + method + `></soapenv:Body></soapenv:Envelope>`
	}
	has := func(user string) string {
		return call(hasPrivilege, entities.String()+`<userName>`+user+`</userName><privId>System.View</privId><privId>VirtualMachine.Interact.PowerOn</privId>`)
	}
	fetch := func(user string) string {
		return call(fetchPrivilege, entities.String()+`<userName>`+user+`</userName>`)
	}
	unknown := call(fetchPrivilege, `<entities type="VirtualMachine">vm-nope</entities><userName>LAB\alice</userName>`)

	cases := []struct {
		name, body string
		session    bool
		wantFast   bool
		contains   string // proof that the answer says something
	}{
		{"has, user through a group", has(`LAB\alice`), true, true, "<isGranted>true</isGranted>"},
		{"has, escaped user name", has(`LAB\a&amp;b`), true, true, "<isGranted>false</isGranted>"},
		{"fetch, user", fetch(`LAB\alice`), true, true, "<privileges>System.Read</privileges>"},
		{"fetch, administrator", fetch("admin"), true, true, "<privileges>VirtualMachine.Interact.PowerOn</privileges>"},
		{"fetch, unknown entity", unknown, true, false, "ManagedObjectNotFound"},
		{"has, no session", has(`LAB\alice`), false, false, "NotAuthenticated"},
		{"fetch, self-closing header", strings.Replace(fetch(`LAB\alice`), "<soapenv:Header><operationID>x1</operationID></soapenv:Header>", "<soapenv:Header/>", 1), true, true, "<privileges>System.Read</privileges>"},
		{"fetch, character references", strings.Replace(fetch(`LAB&#92;alice`), `type="Folder"`, `type='Fol&#x64;er'`, 1), true, true, "<privileges>System.Read</privileges>"},
		{"fetch, a comment: vcsim decodes", strings.Replace(fetch(`LAB\alice`), "<userName>", "<!-- c --><userName>", 1), true, false, "<privileges>System.Read</privileges>"},
		{"fetch, CDATA: vcsim decodes", strings.Replace(fetch(`LAB\alice`), `LAB\alice`, `<![CDATA[LAB\alice]]>`, 1), true, false, "<privileges>System.Read</privileges>"},
		{"has, privId in Fetch: vcsim decodes", strings.Replace(fetch(`LAB\alice`), "</userName>", "</userName><privId>System.View</privId>", 1), true, false, "FetchUserPrivilegeOnEntitiesResponse"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			post := func(h http.Handler) *httptest.ResponseRecorder {
				r := httptest.NewRequest(http.MethodPost, "/sdk", strings.NewReader(tc.body))
				if tc.session {
					for _, k := range cookies {
						r.AddCookie(k)
					}
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				return w
			}
			before := fast.answered.Load()
			got := post(fast)
			if served := fast.answered.Load() > before; served != tc.wantFast {
				t.Fatalf("answered by the fast path: %v, want %v", served, tc.wantFast)
			}
			want := post(fast.next)
			if got.Code != want.Code || !bytes.Equal(got.Body.Bytes(), want.Body.Bytes()) {
				t.Fatalf("fast path %d:\n%s\nvcsim %d:\n%s", got.Code, got.Body, want.Code, want.Body)
			}
			if !strings.Contains(got.Body.String(), tc.contains) {
				t.Fatalf("answer without %q:\n%s", tc.contains, got.Body)
			}
			if got.Header().Get("Content-Type") != want.Header().Get("Content-Type") {
				t.Fatalf("content type %q, vcsim %q", got.Header().Get("Content-Type"), want.Header().Get("Content-Type"))
			}
			if call, ok := parsePrivilegeCall([]byte(tc.body)); tc.wantFast && (!ok || len(call.entities) == 0) {
				t.Fatalf("the reader did not take the call apart (%v, %d entities)", ok, len(call.entities))
			}
		})
	}
}

func ptr(r types.ManagedObjectReference) *types.ManagedObjectReference { return &r }
