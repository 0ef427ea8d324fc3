package main

import "fmt"

// Tenants get this many VMs each when the scale section does not say how many tenants.
const defaultVMsPerTenant = 250

// applyScale expands the scale section into ordinary scenario entries, so that benchmark
// inventories are built by the same code as hand-written ones. Datacenters and clusters
// that the scenario already declares are reused.
func applyScale(s *Scenario) {
	sc := s.Scale
	if sc.VMs <= 0 && sc.Tenants <= 0 && sc.Datacenters <= 0 && sc.Clusters <= 0 {
		return
	}
	dcs := atLeastOne(sc.Datacenters)
	clusters := atLeastOne(sc.Clusters)
	hosts := sc.HostsPerCluster
	if hosts <= 0 {
		hosts = 3
	}
	tenants := sc.Tenants
	if tenants <= 0 {
		tenants = atLeastOne((sc.VMs + defaultVMsPerTenant - 1) / defaultVMsPerTenant)
	}

	for d := 0; d < dcs; d++ {
		dc := ensureDatacenter(s, fmt.Sprintf("DC%d", d))
		for c := 0; c < clusters; c++ {
			ensureCluster(dc, fmt.Sprintf("DC%d_C%d", d, c), hosts)
		}
	}

	folders := make([]string, tenants)
	pools := make([]string, tenants)
	for t := 0; t < tenants; t++ {
		d, c := t%dcs, (t/dcs)%clusters
		name := tenantName(t)
		folders[t] = fmt.Sprintf("/DC%d/vm/%s", d, name)
		pools[t] = fmt.Sprintf("/DC%d/host/DC%d_C%d/Resources/%s-rp", d, d, c, name)
	}
	s.Folders = append(s.Folders, folders...)
	s.ResourcePools = append(s.ResourcePools, pools...)

	for v := 0; v < sc.VMs; v++ {
		t := v % tenants
		s.VMs = append(s.VMs, VMSpec{
			Path:       fmt.Sprintf("%s/%s-vm%05d", folders[t], tenantName(t), v/tenants),
			Pool:       pools[t],
			PoweredOff: true, // powering on 45,000 VMs only costs start-up time
			NoDisk:     true,
		})
	}
}

func tenantName(t int) string { return fmt.Sprintf("tenant-%03d", t) }

func atLeastOne(n int) int {
	if n < 1 {
		return 1
	}
	return n
}

func ensureDatacenter(s *Scenario, name string) *DatacenterSpec {
	for i := range s.Datacenters {
		if s.Datacenters[i].Name == name {
			return &s.Datacenters[i]
		}
	}
	s.Datacenters = append(s.Datacenters, DatacenterSpec{Name: name, Datastores: []string{"LocalDS_0"}})
	return &s.Datacenters[len(s.Datacenters)-1]
}

func ensureCluster(dc *DatacenterSpec, name string, hosts int) {
	for _, c := range dc.Clusters {
		if c.Name == name {
			return
		}
	}
	dc.Clusters = append(dc.Clusters, ClusterSpec{Name: name, Hosts: hosts})
}
