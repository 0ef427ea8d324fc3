package main

import (
	"fmt"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/types"
)

// Scenario files may use the role labels the vSphere Client shows; the API names differ.
var roleLabels = map[string]string{
	"Read-only":     "ReadOnly",
	"Administrator": "Admin",
	"No access":     "NoAccess",
}

func (b *builder) roles(specs []RoleSpec) error {
	m := object.NewAuthorizationManager(b.client)
	for _, r := range specs {
		if _, err := m.AddRole(b.ctx, r.Name, r.Privileges); err != nil {
			return fmt.Errorf("role %s: %w", r.Name, err)
		}
	}
	return nil
}

// permissions sets the scenario's permissions grouped by entity: vcsim's
// SetEntityPermissions replaces an entity's whole list, so each entity is written once,
// merged with what is already there (the root folder's default administrators).
// Entity is filled in because vcsim returns whatever was written, and a real vCenter
// always reports it.
func (b *builder) permissions(specs []PermSpec) error {
	m := object.NewAuthorizationManager(b.client)
	roles, err := m.RoleList(b.ctx)
	if err != nil {
		return err
	}
	byEntity := map[types.ManagedObjectReference][]types.Permission{}
	var order []types.ManagedObjectReference
	for _, p := range specs {
		ref, ok := b.paths[p.Entity]
		if !ok {
			return fmt.Errorf("permission for %s: no entity at %s", p.Principal, p.Entity)
		}
		roleName := p.Role
		if api, ok := roleLabels[roleName]; ok {
			roleName = api
		}
		role := roles.ByName(roleName)
		if role == nil {
			return fmt.Errorf("permission for %s on %s: no role %q", p.Principal, p.Entity, p.Role)
		}
		if _, seen := byEntity[ref]; !seen {
			order = append(order, ref)
		}
		entity := ref
		byEntity[ref] = append(byEntity[ref], types.Permission{
			Entity:    &entity,
			Principal: p.Principal,
			Group:     p.Group,
			RoleId:    role.RoleId,
			Propagate: p.Propagate,
		})
	}
	for _, ref := range order {
		existing, err := m.RetrieveEntityPermissions(b.ctx, ref, false)
		if err != nil {
			return err
		}
		if err := m.SetEntityPermissions(b.ctx, ref, append(existing, byEntity[ref]...)); err != nil {
			return fmt.Errorf("permissions on %s: %w", ref.Value, err)
		}
	}
	return nil
}
