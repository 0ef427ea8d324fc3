package main

import (
	"sort"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// Effective privileges, written from vCenter's documented rules (vSphere Security,
// "Hierarchical Inheritance of Permissions" and "Multiple Permission Settings"; vSphere
// API reference, AuthorizationManager):
//   - a user acts as itself and every group it is in, directly or through nested groups;
//   - on each parent path of an entity (a VM has two: its folder and its resource pool) the
//     nearest entity with any permission for one of those principals decides: the entity
//     itself with any of its permissions, an ancestor with its propagating ones; anything
//     further up that path is hidden (child over parent);
//   - there, a permission for the user alone decides (user over group, No Access included);
//     otherwise the union of the roles of its groups;
//   - the paths add up;
//   - the direct child folders of a datacenter, the root resource pool of a compute
//     resource and the host of a standalone one take their parent's permissions as their own.

// enforceAuthorization makes the lab answer as vCenter does for other users than the
// administrator: the directory's accounts, vCenter's Administrators group with Admin on
// the root folder, effective-privilege calls and RetrieveUserGroups from the directory.
func enforceAuthorization(m *labAuthorization, dir *directory, userDirectory, root types.ManagedObjectReference) {
	m.mu.Lock()
	m.directory = dir
	m.upsert(root, types.Permission{Entity: &root, Principal: administratorsGroup, Group: true, RoleId: -1, Propagate: true})
	m.mu.Unlock()
	installUserDirectory(userDirectory, dir)
}

// privilegeResolver answers for one user; it memoises what flows down from each ancestor.
// The caller holds the authorization manager's lock.
type privilegeResolver struct {
	auth   *labAuthorization
	user   string          // principalKey
	groups map[string]bool // principalKeys
	roles  map[int32][]string
	memo   map[types.ManagedObjectReference]decision
}

type decision struct {
	privileges map[string]bool
	decided    bool // some permission for the user's principals was found on every path that decided
}

func (m *labAuthorization) resolver(dir *directory, userName string) *privilegeResolver {
	roles := map[int32][]string{}
	for _, r := range m.RoleList {
		roles[r.RoleId] = r.Privilege
	}
	return &privilegeResolver{
		auth: m, user: principalKey(userName), groups: dir.groupsOf(userName),
		roles: roles, memo: map[types.ManagedObjectReference]decision{},
	}
}

// privileges on an entity, as a set.
func (r *privilegeResolver) privileges(entity types.ManagedObjectReference) map[string]bool {
	return r.walk(entity, true).privileges
}

func (r *privilegeResolver) has(entity types.ManagedObjectReference, privilege string) bool {
	return r.privileges(entity)[privilege]
}

// walk decides at node, else takes what its parents pass down. Decisions are shared, not
// copied: an entity that inherits from one parent holds that parent's set.
func (r *privilegeResolver) walk(node types.ManagedObjectReference, target bool) decision {
	if !target {
		if d, ok := r.memo[node]; ok {
			return d
		}
	}
	d := r.decideAt(node, target)
	if !d.decided {
		for _, parent := range parentsOf(node) {
			up := r.walk(parent, false)
			switch {
			case !up.decided:
			case !d.decided:
				d = up
			default: // both paths decide: the union
				union := make(map[string]bool, len(d.privileges)+len(up.privileges))
				for p := range d.privileges {
					union[p] = true
				}
				for p := range up.privileges {
					union[p] = true
				}
				d.privileges = union
			}
		}
	}
	if !target {
		r.memo[node] = d
	}
	return d
}

// decideAt looks at the permissions that apply at one node of a path: the node's own
// (propagating ones only when it is an ancestor), and for a complex child its parent's.
func (r *privilegeResolver) decideAt(node types.ManagedObjectReference, target bool) decision {
	var user *types.Permission
	var groups []*types.Permission
	consider := func(list []types.Permission) {
		for i := range list {
			p := &list[i]
			switch {
			case !target && !p.Propagate:
			case !p.Group && principalKey(p.Principal) == r.user:
				user = p
			case p.Group && r.groups[principalKey(p.Principal)]:
				groups = append(groups, p)
			}
		}
	}
	consider(r.auth.perms[node])
	if isComplexChild(node) {
		consider(r.auth.perms[*parentOf(node)])
	}
	if user == nil && len(groups) == 0 {
		return decision{}
	}
	d := decision{privileges: map[string]bool{}, decided: true}
	if user != nil {
		groups = []*types.Permission{user}
	}
	for _, p := range groups {
		for _, priv := range r.roles[p.RoleId] {
			d.privileges[priv] = true
		}
	}
	return d
}

func sortedKeys(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// FetchUserPrivilegeOnEntities answers from the lab's resolution; vcsim says Admin.
func (m *labAuthorization) FetchUserPrivilegeOnEntities(req *types.FetchUserPrivilegeOnEntities) soap.HasFault {
	if m.directory == nil {
		return m.AuthorizationManager.FetchUserPrivilegeOnEntities(req)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	body := &methods.FetchUserPrivilegeOnEntitiesBody{}
	if f := checkEntities(req.Entities); f != nil {
		body.Fault_ = f
		return body
	}
	r := m.resolver(m.directory, req.UserName)
	res := make([]types.UserPrivilegeResult, 0, len(req.Entities))
	for _, e := range req.Entities {
		res = append(res, types.UserPrivilegeResult{Entity: e, Privileges: sortedKeys(r.privileges(e))})
	}
	body.Res = &types.FetchUserPrivilegeOnEntitiesResponse{Returnval: res}
	return body
}

// HasUserPrivilegeOnEntities answers from the same resolution.
func (m *labAuthorization) HasUserPrivilegeOnEntities(req *types.HasUserPrivilegeOnEntities) soap.HasFault {
	if m.directory == nil {
		return m.AuthorizationManager.HasUserPrivilegeOnEntities(req)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	body := &methods.HasUserPrivilegeOnEntitiesBody{}
	if f := checkEntities(req.Entities); f != nil {
		body.Fault_ = f
		return body
	}
	r := m.resolver(m.directory, req.UserName)
	res := make([]types.EntityPrivilege, 0, len(req.Entities))
	for _, e := range req.Entities {
		granted := r.privileges(e)
		ep := types.EntityPrivilege{Entity: e, PrivAvailability: make([]types.PrivilegeAvailability, 0, len(req.PrivId))}
		for _, id := range req.PrivId {
			ep.PrivAvailability = append(ep.PrivAvailability, types.PrivilegeAvailability{PrivId: id, IsGranted: granted[id]})
		}
		res = append(res, ep)
	}
	body.Res = &types.HasUserPrivilegeOnEntitiesResponse{Returnval: res}
	return body
}

func checkEntities(refs []types.ManagedObjectReference) *soap.Fault {
	for _, ref := range refs {
		if _, ok := simulator.Map.Get(ref).(mo.Entity); !ok {
			return simulator.Fault("", &types.ManagedObjectNotFound{Obj: ref})
		}
	}
	return nil
}
