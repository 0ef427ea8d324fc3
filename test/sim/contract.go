package main

import (
	"strings"

	"github.com/google/uuid"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// The lab speaks vCenter's contract by default; --vcsim-semantics keeps vcsim 0.24's own
// behaviour (replace-all SetEntityPermissions, raw names, vcsim.* settings, vcsim's about).

// escapeName is how vCenter stores and returns ManagedEntity.name: "%" as %25, "/" as
// %2f, "\" as %5c (vSphere API reference, ManagedEntity.name).
func escapeName(name string) string {
	return nameEscaper.Replace(name)
}

var nameEscaper = strings.NewReplacer("%", "%25", "/", "%2f", "\\", "%5c")

// unescapeName turns a path component written as govc prints it on vCenter (escaped) back
// into the raw name a client would send when creating the object.
func unescapeName(name string) string {
	return nameUnescaper.Replace(name)
}

var nameUnescaper = strings.NewReplacer("%25", "%", "%2f", "/", "%2F", "/", "%5c", "\\", "%5C", "\\")

// nameKeeper escapes every entity's name once, when it enters the inventory (and again
// on rename), so properties, FindChild and FindByInventoryPath all see vCenter's form.
type nameKeeper struct {
	self    types.ManagedObjectReference
	escaped map[types.ManagedObjectReference]bool
}

func installNameEscaping() {
	k := &nameKeeper{
		self:    types.ManagedObjectReference{Type: "DrpermLabNames", Value: "names"},
		escaped: map[types.ManagedObjectReference]bool{},
	}
	for _, e := range simulator.Map.All("") {
		k.PutObject(e)
	}
	simulator.Map.AddHandler(k)
}

func (k *nameKeeper) Reference() types.ManagedObjectReference { return k.self }

func (k *nameKeeper) PutObject(obj mo.Reference) {
	e, ok := obj.(mo.Entity)
	if !ok || k.escaped[obj.Reference()] {
		return
	}
	k.escaped[obj.Reference()] = true
	setEscapedName(obj, e.Entity().Name)
}

func (k *nameKeeper) UpdateObject(obj mo.Reference, changes []types.PropertyChange) {
	for _, c := range changes {
		if c.Name != "name" {
			continue
		}
		if name, ok := c.Val.(string); ok {
			if _, isEntity := obj.(mo.Entity); isEntity {
				setEscapedName(obj, name)
			}
		}
	}
}

func (k *nameKeeper) RemoveObject(ref types.ManagedObjectReference) { delete(k.escaped, ref) }

// setEscapedName writes the escaped name into ManagedEntity.name and the copies of the
// name that other properties carry.
func setEscapedName(obj mo.Reference, raw string) {
	name := escapeName(raw)
	entity := managedEntityOf(obj)
	if entity == nil {
		return
	}
	entity.Name = name
	switch o := obj.(type) {
	case *simulator.VirtualMachine:
		if o.Config != nil {
			o.Config.Name = name
		}
		o.Summary.Config.Name = name
	case *mo.VirtualMachine:
		if o.Config != nil {
			o.Config.Name = name
		}
		o.Summary.Config.Name = name
	case *simulator.Datastore:
		o.Summary.Name = name
	case *mo.Datastore:
		o.Summary.Name = name
	}
}

func managedEntityOf(obj mo.Reference) *mo.ManagedEntity {
	if e, ok := obj.(mo.Entity); ok {
		return e.Entity()
	}
	return nil
}

// vCenter 8.0.3's about, with an instance UUID of this lab's own: vcsim reports a fixed
// default UUID, which would make every lab look like the same server.
func installVCenterAbout() {
	si := simulator.Map.Get(vim25.ServiceInstance).(*simulator.ServiceInstance)
	about := &si.Content.About
	about.Name = "VMware vCenter Server"
	about.FullName = "VMware vCenter Server 8.0.3 build-24022515"
	about.Vendor = "VMware, Inc."
	about.Version = "8.0.3"
	about.Build = "24022515"
	about.LocaleVersion = "INTL"
	about.LocaleBuild = "000"
	about.OsType = "linux-x64"
	about.ProductLineId = "vpx"
	about.ApiType = "VirtualCenter"
	about.ApiVersion = "8.0.3.0"
	about.InstanceUuid = uuid.New().String()
	about.LicenseProductName = "VMware VirtualCenter Server"
	about.LicenseProductVersion = "8.0"
}

// hideSimulatorSettings removes vcsim's own OptionManager settings (vcsim.server.url and
// friends), which a real vCenter does not have. Call it after the server is listening:
// vcsim adds vcsim.server.url then.
func hideSimulatorSettings() {
	m := simulator.Map.OptionManager()
	kept := m.Setting[:0]
	for _, s := range m.Setting {
		if !strings.HasPrefix(s.GetOptionValue().Key, "vcsim.") {
			kept = append(kept, s)
		}
	}
	m.Setting = kept
}
