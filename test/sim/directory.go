package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// UserSpec is a scenario account: Login accepts it with its password.
type UserSpec struct {
	// Name as vCenter writes principals (DOMAIN\name); name@domain is accepted too.
	Name     string   `json:"name"`
	Password string   `json:"password"`
	FullName string   `json:"fullName"`
	Groups   []string `json:"groups"` // groups the user is a direct member of
}

// GroupSpec is a scenario group; Groups are the groups it is itself a member of (nesting).
type GroupSpec struct {
	Name     string   `json:"name"`
	FullName string   `json:"fullName"`
	Groups   []string `json:"groups"`
}

// The SSO group that holds Admin on the root folder of a vCenter, and the administrator's
// place in it.
const administratorsGroup = `VSPHERE.LOCAL\Administrators`

// canonicalPrincipal writes a principal as vCenter does in Permission.principal: DOMAIN\name
// with the domain upper-case; name@domain is rewritten, a bare name stays bare.
func canonicalPrincipal(name string) string {
	if i := strings.Index(name, `\`); i > 0 {
		return strings.ToUpper(name[:i]) + name[i:]
	}
	if i := strings.LastIndex(name, "@"); i > 0 {
		return strings.ToUpper(name[i+1:]) + `\` + name[:i]
	}
	return name
}

// principalKey compares principals the way SSO does: without regard to case.
func principalKey(name string) string { return strings.ToLower(canonicalPrincipal(name)) }

func splitPrincipal(canonical string) (domain, name string) {
	if i := strings.Index(canonical, `\`); i > 0 {
		return canonical[:i], canonical[i+1:]
	}
	return "", canonical
}

type account struct {
	name     string // canonical
	password string
	fullName string
	group    bool
	memberOf []string // keys of the groups it is directly in
}

// directory is the lab's identity source: the scenario's users and groups plus the
// administrator.
type directory struct {
	accounts map[string]*account // by principalKey; users and groups share the namespace by kind
	groups   map[string]*account
	admin    string // key of the administrator
}

func newDirectory(users []UserSpec, groups []GroupSpec, adminName, adminPassword string) (*directory, error) {
	d := &directory{accounts: map[string]*account{}, groups: map[string]*account{}, admin: principalKey(adminName)}
	d.groups[principalKey(administratorsGroup)] = &account{name: administratorsGroup, fullName: "Administrators", group: true}
	d.accounts[d.admin] = &account{
		name: canonicalPrincipal(adminName), password: adminPassword, fullName: "Administrator",
		memberOf: []string{principalKey(administratorsGroup)},
	}
	for _, g := range groups {
		key := principalKey(g.Name)
		if g.Name == "" || d.groups[key] != nil {
			return nil, fmt.Errorf("group %q: empty or defined twice", g.Name)
		}
		d.groups[key] = &account{name: canonicalPrincipal(g.Name), fullName: g.FullName, group: true, memberOf: keys(g.Groups)}
	}
	for _, u := range users {
		key := principalKey(u.Name)
		if u.Name == "" || u.Password == "" || d.accounts[key] != nil {
			return nil, fmt.Errorf("user %q: needs a name and a password, once", u.Name)
		}
		d.accounts[key] = &account{name: canonicalPrincipal(u.Name), password: u.Password, fullName: u.FullName, memberOf: keys(u.Groups)}
	}
	for _, a := range d.all() {
		for _, g := range a.memberOf {
			if d.groups[g] == nil {
				return nil, fmt.Errorf("%s is a member of %s, which no scenario group defines", a.name, g)
			}
		}
	}
	return d, nil
}

func keys(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = principalKey(n)
	}
	return out
}

func (d *directory) all() []*account {
	var out []*account
	for _, a := range d.accounts {
		out = append(out, a)
	}
	for _, g := range d.groups {
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].group != out[j].group {
			return !out[i].group
		}
		return out[i].name < out[j].name
	})
	return out
}

// checkPassword: the account a Login names, when its password matches.
func (d *directory) checkPassword(userName, password string) (*account, bool) {
	a := d.accounts[principalKey(userName)]
	if a == nil || a.password != password {
		return nil, false
	}
	return a, true
}

func (d *directory) isAdmin(userName string) bool { return principalKey(userName) == d.admin }

// groupsOf: every group the user is in, directly or through nested groups.
func (d *directory) groupsOf(userName string) map[string]bool {
	out := map[string]bool{}
	a := d.accounts[principalKey(userName)]
	if a == nil {
		return out
	}
	pending := append([]string(nil), a.memberOf...)
	for len(pending) > 0 {
		g := pending[0]
		pending = pending[1:]
		if out[g] {
			continue
		}
		out[g] = true
		if ga := d.groups[g]; ga != nil {
			pending = append(pending, ga.memberOf...)
		}
	}
	return out
}

// labUserDirectory answers RetrieveUserGroups from the directory (vSphere API reference,
// UserDirectory.RetrieveUserGroups): searchStr matches part of the name (the whole name
// with exactMatch); belongsToGroup keeps direct members of that group, belongsToUser
// the groups that directly contain that user; principals are returned without domain.
type labUserDirectory struct {
	simulator.UserDirectory
	dir *directory
}

func installUserDirectory(ref types.ManagedObjectReference, dir *directory) {
	vcsim := simulator.Map.Get(ref).(*simulator.UserDirectory)
	simulator.Map.Put(&labUserDirectory{UserDirectory: *vcsim, dir: dir})
}

func (u *labUserDirectory) RetrieveUserGroups(req *types.RetrieveUserGroups) soap.HasFault {
	var member *account
	if req.BelongsToUser != "" {
		member = u.dir.find(u.dir.accounts, req.BelongsToUser)
	}
	var container *account
	if req.BelongsToGroup != "" {
		container = u.dir.find(u.dir.groups, req.BelongsToGroup)
	}
	var res []types.BaseUserSearchResult
	for _, a := range u.dir.all() {
		domain, name := splitPrincipal(a.name)
		switch {
		case a.group && !req.FindGroups, !a.group && !req.FindUsers:
			continue
		case req.Domain != "" && !strings.EqualFold(domain, req.Domain):
			continue
		case !matches(name, req.SearchStr, req.ExactMatch):
			continue
		case req.BelongsToGroup != "" && (container == nil || !contains(a.memberOf, principalKey(container.name))):
			continue
		case req.BelongsToUser != "" && (!a.group || member == nil || !contains(member.memberOf, principalKey(a.name))):
			continue
		}
		res = append(res, &types.UserSearchResult{Principal: name, FullName: a.fullName, Group: a.group})
	}
	return &methods.RetrieveUserGroupsBody{Res: &types.RetrieveUserGroupsResponse{Returnval: res}}
}

// find looks an account up by DOMAIN\name, name@domain, or a bare name when only one
// account of that kind has it.
func (d *directory) find(in map[string]*account, name string) *account {
	if a := in[principalKey(name)]; a != nil {
		return a
	}
	var found *account
	for _, a := range in {
		if _, bare := splitPrincipal(a.name); strings.EqualFold(bare, name) {
			if found != nil {
				return nil
			}
			found = a
		}
	}
	return found
}

func matches(name, search string, exact bool) bool {
	if exact {
		return strings.EqualFold(name, search)
	}
	return strings.Contains(strings.ToLower(name), strings.ToLower(search))
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
