package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
)

// Scenario describes a lab inventory. The TypeScript launcher (src/lab) reads the YAML
// files in scenarios/, resolves `extends:` and hands the merged result over as JSON.
type Scenario struct {
	Datacenters []DatacenterSpec `json:"datacenters"`
	// Folders are inventory paths of VM folders, created like `mkdir -p`
	// (e.g. /DC0/vm/contoso). VM folders named in VM paths are created implicitly.
	Folders []string `json:"folders"`
	// ResourcePools are inventory paths below a cluster's root pool, created like
	// `mkdir -p` (e.g. /DC0/host/DC0_C0/Resources/contoso-rp).
	ResourcePools []string   `json:"resourcePools"`
	VMs           []VMSpec   `json:"vms"`
	Roles         []RoleSpec `json:"roles"`
	Permissions   []PermSpec `json:"permissions"`
	Scale         ScaleSpec  `json:"scale"`
	// Users can log in (besides the administrator); with groups they decide what each
	// session sees (authz.go). Ignored with --vcsim-semantics, where any login works.
	Users  []UserSpec  `json:"users"`
	Groups []GroupSpec `json:"groups"`
}

type DatacenterSpec struct {
	Name            string        `json:"name"`
	Clusters        []ClusterSpec `json:"clusters"`
	StandaloneHosts []string      `json:"standaloneHosts"`
	// Datastores are local datastores mounted on every host of the datacenter.
	Datastores        []string               `json:"datastores"`
	DatastoreClusters []DatastoreClusterSpec `json:"datastoreClusters"`
	Switches          []SwitchSpec           `json:"switches"`
}

type ClusterSpec struct {
	Name string `json:"name"`
	// Hosts is the number of hosts, named <cluster>_H<n> like vcsim's own model.
	Hosts int `json:"hosts"`
}

type DatastoreClusterSpec struct {
	Name       string   `json:"name"`
	Datastores []string `json:"datastores"`
}

type SwitchSpec struct {
	Name       string   `json:"name"`
	Portgroups []string `json:"portgroups"`
}

type VMSpec struct {
	// Path is the VM's inventory path; its parent is the VM folder.
	Path string `json:"path"`
	// Pool is the resource pool's inventory path (default: the first cluster's root pool).
	Pool string `json:"pool"`
	// Datastore name within the VM's datacenter (default: its first datastore).
	Datastore string `json:"datastore"`
	// Network is a port group name within the VM's datacenter (default: none).
	Network string `json:"network"`
	// PoweredOff leaves the VM off; lab VMs are powered on like production VMs.
	PoweredOff bool `json:"poweredOff"`
	// NoDisk skips the virtual disk, whose backing file makes VM creation I/O-bound
	// (benchmark VMs: 45,000 of them must build in reasonable time).
	NoDisk bool `json:"noDisk"`
}

type RoleSpec struct {
	Name       string   `json:"name"`
	Privileges []string `json:"privileges"`
}

type PermSpec struct {
	// Entity is an inventory path; "/" is the root folder.
	Entity    string `json:"entity"`
	Principal string `json:"principal"`
	Group     bool   `json:"group"`
	Role      string `json:"role"`
	Propagate bool   `json:"propagate"`
}

// ScaleSpec adds a benchmark inventory: tenants tenant-000.. each with a VM folder and a
// resource pool, spread over datacenters DC<n> and clusters DC<n>_C<m>; VMs are spread
// round-robin over the tenants.
type ScaleSpec struct {
	Datacenters     int `json:"datacenters"`
	Clusters        int `json:"clusters"`
	HostsPerCluster int `json:"hostsPerCluster"`
	Tenants         int `json:"tenants"`
	VMs             int `json:"vms"`
}

func readScenario(path string) (*Scenario, error) {
	var r io.Reader = os.Stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields() // a typo in a scenario must fail, not build a different lab
	var s Scenario
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("scenario %s: %w", path, err)
	}
	return &s, nil
}
