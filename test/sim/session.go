package main

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// enforced is the authorization manager whose resolution limits what non-administrator
// sessions see; nil with --vcsim-semantics (every session sees everything).
var enforced *labAuthorization

// loginGate lets the scenario's users log in. vcsim compares a Login with the one user and
// password the service listens with, so for a scenario account whose password matches,
// the gate makes that account the listening user for the duration of its Login (Logins
// are serialised); every other Login meets the administrator's credentials, and vcsim
// answers InvalidLogin.
type loginGate struct {
	next  http.Handler
	svc   *simulator.Service
	dir   *directory
	admin *url.Userinfo
	mu    sync.Mutex
}

func installLoginGate(server *simulator.Server, svc *simulator.Service, dir *directory) {
	server.Config.Handler = &loginGate{next: server.Config.Handler, svc: svc, dir: dir, admin: svc.Listen.User}
}

type loginEnvelope struct {
	Body struct {
		Login *struct {
			UserName string `xml:"userName"`
			Password string `xml:"password"`
		} `xml:"Login"`
	} `xml:"Body"`
}

// peekSOAPBody reads the body of a SOAP call (a POST to /sdk) and leaves it in place for the
// next handler; nil for any other request.
func peekSOAPBody(r *http.Request) ([]byte, error) {
	if r.Method != http.MethodPost || !strings.HasPrefix(r.URL.Path, "/sdk") {
		return nil, nil
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body, nil
}

func (g *loginGate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := peekSOAPBody(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var env loginEnvelope
	if body == nil || !bytes.Contains(body, []byte("Login")) || xml.Unmarshal(body, &env) != nil || env.Body.Login == nil {
		g.next.ServeHTTP(w, r)
		return
	}
	login := env.Body.Login
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, ok := g.dir.checkPassword(login.UserName, login.Password); ok {
		g.svc.Listen.User = url.UserPassword(login.UserName, login.Password)
		defer func() { g.svc.Listen.User = g.admin }()
	}
	g.next.ServeHTTP(w, r)
}

// visibleObjects keeps what a session may see: entities on which its user has
// System.View, their properties only with System.Read (otherwise reported in missingSet
// with NoPermission, as vCenter does), and in views (ContainerView.view) only visible
// entities. The administrator sees everything.
func visibleObjects(ctx *simulator.Context, objects []types.ObjectContent) []types.ObjectContent {
	m := enforced
	if m == nil || m.directory == nil {
		return objects
	}
	user := ""
	if ctx.Session != nil {
		user = ctx.Session.UserName
	}
	if user != "" && m.directory.isAdmin(user) {
		return objects
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	r := m.resolver(m.directory, user)
	out := make([]types.ObjectContent, 0, len(objects))
	for _, oc := range objects {
		if _, entity := simulator.Map.Get(oc.Obj).(mo.Entity); entity {
			privileges := r.privileges(oc.Obj)
			if !privileges["System.View"] {
				continue
			}
			if !privileges["System.Read"] {
				oc = unreadable(oc)
			}
		} else {
			oc.PropSet = visibleRefs(r, oc.PropSet)
		}
		out = append(out, oc)
	}
	return out
}

func unreadable(oc types.ObjectContent) types.ObjectContent {
	for _, p := range oc.PropSet {
		oc.MissingSet = append(oc.MissingSet, types.MissingProperty{
			Path: p.Name,
			Fault: types.LocalizedMethodFault{
				Fault:            &types.NoPermission{Object: oc.Obj, PrivilegeId: "System.Read"},
				LocalizedMessage: "Permission to perform this operation was denied.",
			},
		})
	}
	oc.PropSet = nil
	return oc
}

func visibleRefs(r *privilegeResolver, props []types.DynamicProperty) []types.DynamicProperty {
	out := make([]types.DynamicProperty, len(props))
	for i, p := range props {
		out[i] = p
		switch refs := p.Val.(type) {
		case types.ArrayOfManagedObjectReference:
			out[i].Val = types.ArrayOfManagedObjectReference{ManagedObjectReference: keepVisible(r, refs.ManagedObjectReference)}
		case *types.ArrayOfManagedObjectReference: // how vcsim wraps slices
			out[i].Val = &types.ArrayOfManagedObjectReference{ManagedObjectReference: keepVisible(r, refs.ManagedObjectReference)}
		case []types.ManagedObjectReference:
			out[i].Val = keepVisible(r, refs)
		}
	}
	return out
}

func keepVisible(r *privilegeResolver, refs []types.ManagedObjectReference) []types.ManagedObjectReference {
	var kept []types.ManagedObjectReference
	for _, ref := range refs {
		if _, entity := simulator.Map.Get(ref).(mo.Entity); !entity || r.has(ref, "System.View") {
			kept = append(kept, ref)
		}
	}
	return kept
}
