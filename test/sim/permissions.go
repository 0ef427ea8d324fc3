package main

import (
	"fmt"
	"sort"
	"sync"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// labAuthorization is vcsim's AuthorizationManager with vCenter's permission contract
// (vSphere API reference, AuthorizationManager):
//   - SetEntityPermissions adds or updates one permission per principal and leaves the
//     others alone; ResetEntityPermissions replaces the entity's list;
//   - RemoveEntityPermission raises NotFound when the principal has no permission there;
//   - every returned permission carries its entity;
//   - RetrieveEntityPermissions(inherited) adds only permissions that propagate from
//     ancestors (both parents of a VM: its folder and its resource pool).
//
// Roles stay vcsim's (the embedded manager); permissions live here.
type labAuthorization struct {
	simulator.AuthorizationManager

	mu    sync.Mutex // entities removed by other calls drop their permissions concurrently
	perms map[types.ManagedObjectReference][]types.Permission
	// directory, once set, makes the effective-privilege calls answer from the lab's
	// resolution (authz.go) instead of vcsim's "Admin everywhere".
	directory *directory
}

// installLabAuthorization replaces the registered AuthorizationManager before the
// inventory is built, taking over vcsim's default administrators on the root folder.
func installLabAuthorization(ref, root types.ManagedObjectReference) *labAuthorization {
	vcsim := simulator.Map.Get(ref).(*simulator.AuthorizationManager)
	m := &labAuthorization{AuthorizationManager: *vcsim, perms: map[types.ManagedObjectReference][]types.Permission{}}
	res := vcsim.RetrieveEntityPermissions(&types.RetrieveEntityPermissions{Entity: root})
	for _, p := range res.(*methods.RetrieveEntityPermissionsBody).Res.Returnval {
		p.Entity = &root
		m.perms[root] = append(m.perms[root], p)
	}
	simulator.Map.Put(m)
	simulator.Map.AddHandler(m)
	return m
}

func withEntity(p types.Permission, entity types.ManagedObjectReference) types.Permission {
	e := entity
	p.Entity = &e
	return p
}

func samePrincipal(a types.Permission, principal string, group bool) bool {
	return a.Principal == principal && a.Group == group
}

// checkWritable answers the faults vCenter raises before it changes any permission.
func (m *labAuthorization) checkWritable(entity types.ManagedObjectReference, perms []types.Permission) *soap.Fault {
	obj := simulator.Map.Get(entity)
	if obj == nil {
		return simulator.Fault("", &types.ManagedObjectNotFound{Obj: entity})
	}
	if _, ok := obj.(mo.Entity); !ok {
		return simulator.Fault("", &types.ManagedObjectNotFound{Obj: entity})
	}
	if isComplexChild(entity) {
		return simulator.Fault(fmt.Sprintf("%s always inherits its parent's permissions", entity.Value),
			&types.InvalidArgument{InvalidProperty: "entity"})
	}
	for _, p := range perms {
		if p.RoleId == -3 || p.RoleId == -4 { // View and Anonymous cannot be granted
			return simulator.Fault("", &types.InvalidArgument{InvalidProperty: "roleId"})
		}
		if m.role(p.RoleId) == nil {
			return simulator.Fault(fmt.Sprintf("no role %d", p.RoleId), &types.NotFound{})
		}
	}
	return nil
}

func (m *labAuthorization) role(id int32) *types.AuthorizationRole {
	for i := range m.RoleList {
		if m.RoleList[i].RoleId == id {
			return &m.RoleList[i]
		}
	}
	return nil
}

// isComplexChild: the direct child folders of a datacenter, the root resource pool of a
// compute resource or cluster, and the host of a standalone compute resource take their
// parent's permissions and cannot carry their own.
func isComplexChild(ref types.ManagedObjectReference) bool {
	parent := parentOf(ref)
	if parent == nil {
		return false
	}
	switch ref.Type {
	case "Folder":
		return parent.Type == "Datacenter"
	case "ResourcePool":
		return parent.Type == "ComputeResource" || parent.Type == "ClusterComputeResource"
	case "HostSystem":
		return parent.Type == "ComputeResource"
	}
	return false
}

func parentOf(ref types.ManagedObjectReference) *types.ManagedObjectReference {
	e, ok := simulator.Map.Get(ref).(mo.Entity)
	if !ok {
		return nil
	}
	return e.Entity().Parent
}

// parentsOf: a VM has two parents, its folder and its resource pool.
func parentsOf(ref types.ManagedObjectReference) []types.ManagedObjectReference {
	var parents []types.ManagedObjectReference
	if p := parentOf(ref); p != nil {
		parents = append(parents, *p)
	}
	if vm, ok := simulator.Map.Get(ref).(*simulator.VirtualMachine); ok && vm.ResourcePool != nil {
		parents = append(parents, *vm.ResourcePool)
	}
	return parents
}

func (m *labAuthorization) SetEntityPermissions(req *types.SetEntityPermissions) soap.HasFault {
	m.mu.Lock()
	defer m.mu.Unlock()
	body := &methods.SetEntityPermissionsBody{}
	if f := m.checkWritable(req.Entity, req.Permission); f != nil {
		body.Fault_ = f
		return body
	}
	for _, p := range req.Permission {
		m.upsert(req.Entity, withEntity(p, req.Entity))
	}
	body.Res = &types.SetEntityPermissionsResponse{}
	return body
}

func (m *labAuthorization) upsert(entity types.ManagedObjectReference, p types.Permission) {
	list := m.perms[entity]
	for i := range list {
		if samePrincipal(list[i], p.Principal, p.Group) {
			list[i] = p
			return
		}
	}
	m.perms[entity] = append(list, p)
}

func (m *labAuthorization) ResetEntityPermissions(req *types.ResetEntityPermissions) soap.HasFault {
	m.mu.Lock()
	defer m.mu.Unlock()
	body := &methods.ResetEntityPermissionsBody{}
	if f := m.checkWritable(req.Entity, req.Permission); f != nil {
		body.Fault_ = f
		return body
	}
	delete(m.perms, req.Entity)
	for _, p := range req.Permission {
		m.upsert(req.Entity, withEntity(p, req.Entity))
	}
	body.Res = &types.ResetEntityPermissionsResponse{}
	return body
}

func (m *labAuthorization) RemoveEntityPermission(req *types.RemoveEntityPermission) soap.HasFault {
	m.mu.Lock()
	defer m.mu.Unlock()
	body := &methods.RemoveEntityPermissionBody{}
	if f := m.checkWritable(req.Entity, nil); f != nil {
		body.Fault_ = f
		return body
	}
	list := m.perms[req.Entity]
	for i := range list {
		if samePrincipal(list[i], req.User, req.IsGroup) {
			m.perms[req.Entity] = append(list[:i:i], list[i+1:]...)
			body.Res = &types.RemoveEntityPermissionResponse{}
			return body
		}
	}
	body.Fault_ = simulator.Fault(fmt.Sprintf("no permission for %s on %s", req.User, req.Entity.Value), &types.NotFound{})
	return body
}

func (m *labAuthorization) RetrieveEntityPermissions(req *types.RetrieveEntityPermissions) soap.HasFault {
	m.mu.Lock()
	defer m.mu.Unlock()
	body := &methods.RetrieveEntityPermissionsBody{}
	if _, ok := simulator.Map.Get(req.Entity).(mo.Entity); !ok {
		body.Fault_ = simulator.Fault("", &types.ManagedObjectNotFound{Obj: req.Entity})
		return body
	}
	result := append([]types.Permission(nil), m.perms[req.Entity]...)
	if req.Inherited {
		result = append(result, m.propagatedFromAncestors(req.Entity)...)
	}
	body.Res = &types.RetrieveEntityPermissionsResponse{Returnval: result}
	return body
}

// propagatedFromAncestors walks up every parent path, nearest first, and keeps each
// ancestor's propagating permissions once.
func (m *labAuthorization) propagatedFromAncestors(entity types.ManagedObjectReference) []types.Permission {
	var result []types.Permission
	seen := map[types.ManagedObjectReference]bool{entity: true}
	queue := parentsOf(entity)
	for len(queue) > 0 {
		ref := queue[0]
		queue = queue[1:]
		if seen[ref] {
			continue
		}
		seen[ref] = true
		for _, p := range m.perms[ref] {
			if p.Propagate {
				result = append(result, p)
			}
		}
		queue = append(queue, parentsOf(ref)...)
	}
	return result
}

func (m *labAuthorization) RetrieveAllPermissions(req *types.RetrieveAllPermissions) soap.HasFault {
	m.mu.Lock()
	defer m.mu.Unlock()
	var result []types.Permission
	for _, e := range m.entitiesWithPermissions() {
		result = append(result, m.perms[e]...)
	}
	return &methods.RetrieveAllPermissionsBody{Res: &types.RetrieveAllPermissionsResponse{Returnval: result}}
}

// entitiesWithPermissions in a stable order (the map's order is random).
func (m *labAuthorization) entitiesWithPermissions() []types.ManagedObjectReference {
	refs := make([]types.ManagedObjectReference, 0, len(m.perms))
	for ref, list := range m.perms {
		if len(list) > 0 {
			refs = append(refs, ref)
		}
	}
	sortRefs(refs)
	return refs
}

func (m *labAuthorization) RetrieveRolePermissions(req *types.RetrieveRolePermissions) soap.HasFault {
	m.mu.Lock()
	defer m.mu.Unlock()
	var result []types.Permission
	for _, e := range m.entitiesWithPermissions() {
		for _, p := range m.perms[e] {
			if p.RoleId == req.RoleId {
				result = append(result, p)
			}
		}
	}
	return &methods.RetrieveRolePermissionsBody{Res: &types.RetrieveRolePermissionsResponse{Returnval: result}}
}

// RemoveAuthorizationRole: with failIfUsed a role in use cannot go (RemoveFailed);
// without it, the role's permissions go with it.
func (m *labAuthorization) RemoveAuthorizationRole(req *types.RemoveAuthorizationRole) soap.HasFault {
	m.mu.Lock()
	defer m.mu.Unlock()
	used := false
	for _, list := range m.perms {
		for _, p := range list {
			used = used || p.RoleId == req.RoleId
		}
	}
	if used && req.FailIfUsed {
		return &methods.RemoveAuthorizationRoleBody{Fault_: simulator.Fault("role in use", &types.RemoveFailed{})}
	}
	res := m.AuthorizationManager.RemoveAuthorizationRole(req)
	if res.Fault() == nil && used {
		for ref, list := range m.perms {
			kept := list[:0]
			for _, p := range list {
				if p.RoleId != req.RoleId {
					kept = append(kept, p)
				}
			}
			m.perms[ref] = kept
		}
	}
	return res
}

// The registry handler: an entity's permissions go when the entity goes.
func (m *labAuthorization) PutObject(mo.Reference)                            {}
func (m *labAuthorization) UpdateObject(mo.Reference, []types.PropertyChange) {}
func (m *labAuthorization) RemoveObject(ref types.ManagedObjectReference) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.perms, ref)
}

func sortRefs(refs []types.ManagedObjectReference) {
	sort.Slice(refs, func(i, j int) bool {
		if refs[i].Type != refs[j].Type {
			return refs[i].Type < refs[j].Type
		}
		return refs[i].Value < refs[j].Value
	})
}
