package main

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// builder creates a scenario's inventory through the simulator's own SOAP methods
// (in-process, no HTTP), so the objects look exactly like ones a client would create.
// It remembers the inventory path of everything it creates, for permissions and lookups.
type builder struct {
	ctx     context.Context
	client  *vim25.Client
	dataDir string // datastore backing directories live here

	paths       map[string]types.ManagedObjectReference
	datacenters map[string]*dcState
	folders     map[string]*object.Folder
	pools       map[string]*object.ResourcePool
}

type dcState struct {
	name       string
	folders    *object.DatacenterFolders
	hosts      []*object.HostSystem
	datastores []string                                      // names, in declaration order
	dsRefs     map[string]types.ManagedObjectReference       // name -> datastore
	backings   map[string]types.BaseVirtualDeviceBackingInfo // port group name -> NIC backing
	rootPool   string                                        // path of the first cluster's root pool
}

func newBuilder(ctx context.Context, client *vim25.Client, dataDir string) *builder {
	root := client.ServiceContent.RootFolder
	return &builder{
		ctx:         ctx,
		client:      client,
		dataDir:     dataDir,
		paths:       map[string]types.ManagedObjectReference{"/": root},
		datacenters: map[string]*dcState{},
		folders:     map[string]*object.Folder{"/": object.NewFolder(client, root)},
		pools:       map[string]*object.ResourcePool{},
	}
}

func (b *builder) build(s *Scenario) error {
	for _, dc := range s.Datacenters {
		if err := b.datacenter(dc); err != nil {
			return fmt.Errorf("datacenter %s: %w", dc.Name, err)
		}
	}
	for _, p := range s.Folders {
		if _, err := b.folder(p); err != nil {
			return fmt.Errorf("folder %s: %w", p, err)
		}
	}
	for _, p := range s.ResourcePools {
		if _, err := b.pool(p); err != nil {
			return fmt.Errorf("resource pool %s: %w", p, err)
		}
	}
	for _, vm := range s.VMs {
		if err := b.ctx.Err(); err != nil {
			return fmt.Errorf("stopped before the lab was ready: %w", err)
		}
		if err := b.vm(vm); err != nil {
			return fmt.Errorf("vm %s: %w", vm.Path, err)
		}
	}
	if err := b.roles(s.Roles); err != nil {
		return err
	}
	return b.permissions(s.Permissions)
}

func (b *builder) remember(p string, ref types.ManagedObjectReference) {
	b.paths[p] = ref
}

func (b *builder) datacenter(spec DatacenterSpec) error {
	ctx := b.ctx
	dc, err := b.folders["/"].CreateDatacenter(ctx, spec.Name)
	if err != nil {
		return err
	}
	folders, err := dc.Folders(ctx)
	if err != nil {
		return err
	}
	base := "/" + spec.Name
	st := &dcState{
		name:     spec.Name,
		folders:  folders,
		backings: map[string]types.BaseVirtualDeviceBackingInfo{},
		dsRefs:   map[string]types.ManagedObjectReference{},
	}
	b.datacenters[spec.Name] = st
	b.remember(base, dc.Reference())
	for kind, f := range map[string]*object.Folder{"vm": folders.VmFolder, "host": folders.HostFolder, "datastore": folders.DatastoreFolder, "network": folders.NetworkFolder} {
		b.remember(base+"/"+kind, f.Reference())
	}
	b.folders[base+"/vm"] = folders.VmFolder

	// The switch exists before the hosts so that each host joins it as it is added.
	var switches []*object.DistributedVirtualSwitch
	for _, sw := range spec.Switches {
		dvs, err := b.dvs(st, sw)
		if err != nil {
			return fmt.Errorf("switch %s: %w", sw.Name, err)
		}
		switches = append(switches, dvs)
	}

	for _, c := range spec.Clusters {
		if err := b.cluster(st, c); err != nil {
			return fmt.Errorf("cluster %s: %w", c.Name, err)
		}
	}
	for _, name := range spec.StandaloneHosts {
		task, err := folders.HostFolder.AddStandaloneHost(ctx, types.HostConnectSpec{HostName: name}, true, nil, nil)
		host, err := b.hostFromTask(task, err)
		if err != nil {
			return fmt.Errorf("host %s: %w", name, err)
		}
		// govc shows a standalone host below its ComputeResource of the same name.
		cr := b.parentOf(host.Reference())
		b.remember(base+"/host/"+name, cr)
		b.remember(base+"/host/"+name+"/"+name, host.Reference())
		rp, err := host.ResourcePool(ctx)
		if err != nil {
			return err
		}
		b.pools[base+"/host/"+name+"/Resources"] = rp
		b.remember(base+"/host/"+name+"/Resources", rp.Reference())
		st.hosts = append(st.hosts, host)
	}
	for _, dvs := range switches {
		if err := b.joinSwitch(dvs, st.hosts); err != nil {
			return err
		}
	}

	for _, ds := range spec.Datastores {
		if err := b.datastore(st, ds); err != nil {
			return fmt.Errorf("datastore %s: %w", ds, err)
		}
	}
	for _, pod := range spec.DatastoreClusters {
		if err := b.storagePod(st, pod); err != nil {
			return fmt.Errorf("datastore cluster %s: %w", pod.Name, err)
		}
	}
	return nil
}

func (b *builder) cluster(st *dcState, spec ClusterSpec) error {
	ctx := b.ctx
	cluster, err := st.folders.HostFolder.CreateCluster(ctx, spec.Name, types.ClusterConfigSpecEx{})
	if err != nil {
		return err
	}
	base := "/" + st.name + "/host/" + spec.Name
	b.remember(base, cluster.Reference())
	for i := 0; i < spec.Hosts; i++ {
		name := fmt.Sprintf("%s_H%d", spec.Name, i)
		task, err := cluster.AddHost(ctx, types.HostConnectSpec{HostName: name}, true, nil, nil)
		host, err := b.hostFromTask(task, err)
		if err != nil {
			return fmt.Errorf("host %s: %w", name, err)
		}
		b.remember(base+"/"+name, host.Reference())
		st.hosts = append(st.hosts, host)
	}
	rp, err := cluster.ResourcePool(ctx)
	if err != nil {
		return err
	}
	b.pools[base+"/Resources"] = rp
	b.remember(base+"/Resources", rp.Reference())
	if st.rootPool == "" {
		st.rootPool = base + "/Resources"
	}
	return nil
}

func (b *builder) hostFromTask(task *object.Task, err error) (*object.HostSystem, error) {
	res, err := b.wait(task, err)
	if err != nil {
		return nil, err
	}
	return object.NewHostSystem(b.client, res.(types.ManagedObjectReference)), nil
}

func (b *builder) dvs(st *dcState, spec SwitchSpec) (*object.DistributedVirtualSwitch, error) {
	ctx := b.ctx
	var create types.DVSCreateSpec
	create.ConfigSpec = &types.VMwareDVSConfigSpec{DVSConfigSpec: types.DVSConfigSpec{Name: spec.Name}}
	res, err := b.wait(st.folders.NetworkFolder.CreateDVS(ctx, create))
	if err != nil {
		return nil, err
	}
	dvs := object.NewDistributedVirtualSwitch(b.client, res.(types.ManagedObjectReference))
	base := "/" + st.name + "/network/"
	b.remember(base+spec.Name, dvs.Reference())
	for _, pg := range spec.Portgroups {
		if _, err := b.wait(dvs.AddPortgroup(ctx, []types.DVPortgroupConfigSpec{{Name: pg, Type: string(types.DistributedVirtualPortgroupPortgroupTypeEarlyBinding)}})); err != nil {
			return nil, fmt.Errorf("port group %s: %w", pg, err)
		}
		// AddPortgroup_Task does not return the new object: look it up by name.
		ref, err := b.childByName(st.folders.NetworkFolder.Reference(), pg)
		if err != nil {
			return nil, err
		}
		b.remember(base+pg, ref)
		backing, err := object.NewDistributedVirtualPortgroup(b.client, ref).EthernetCardBackingInfo(ctx)
		if err != nil {
			return nil, err
		}
		st.backings[pg] = backing
	}
	return dvs, nil
}

func (b *builder) joinSwitch(dvs *object.DistributedVirtualSwitch, hosts []*object.HostSystem) error {
	if len(hosts) == 0 {
		return nil
	}
	spec := &types.DVSConfigSpec{}
	for _, h := range hosts {
		spec.Host = append(spec.Host, types.DistributedVirtualSwitchHostMemberConfigSpec{
			Operation: string(types.ConfigSpecOperationAdd),
			Host:      h.Reference(),
		})
	}
	_, err := b.wait(dvs.Reconfigure(b.ctx, spec))
	return err
}

func (b *builder) datastore(st *dcState, name string) error {
	dir, err := os.MkdirTemp(b.dataDir, fmt.Sprintf("%s-%s-", st.name, name))
	if err != nil {
		return err
	}
	var ref types.ManagedObjectReference
	for _, host := range st.hosts {
		dss, err := host.ConfigManager().DatastoreSystem(b.ctx)
		if err != nil {
			return err
		}
		ds, err := dss.CreateLocalDatastore(b.ctx, name, dir)
		if err != nil {
			return err
		}
		ref = ds.Reference()
	}
	if ref.Value == "" {
		return fmt.Errorf("datacenter %s has no host to mount it on", st.name)
	}
	st.datastores = append(st.datastores, name)
	st.dsRefs[name] = ref
	b.remember("/"+st.name+"/datastore/"+name, ref)
	return nil
}

func (b *builder) storagePod(st *dcState, spec DatastoreClusterSpec) error {
	pod, err := st.folders.DatastoreFolder.CreateStoragePod(b.ctx, spec.Name)
	if err != nil {
		return err
	}
	base := "/" + st.name + "/datastore/"
	b.remember(base+spec.Name, pod.Reference())
	var members []types.ManagedObjectReference
	for _, name := range spec.Datastores {
		ref, ok := b.paths[base+name]
		if !ok {
			return fmt.Errorf("datastore %s is not declared in datacenter %s", name, st.name)
		}
		members = append(members, ref)
	}
	// One move for all members: vcsim's StoragePod.MoveIntoFolder duplicates children
	// already in the pod when called repeatedly.
	if _, err := b.wait(pod.Folder.MoveInto(b.ctx, members)); err != nil {
		return err
	}
	for i, name := range spec.Datastores {
		delete(b.paths, base+name)
		b.remember(base+spec.Name+"/"+name, members[i])
	}
	return nil
}

// folder returns the VM folder at an inventory path, creating missing folders.
func (b *builder) folder(p string) (*object.Folder, error) {
	p = path.Clean(p)
	if f, ok := b.folders[p]; ok {
		return f, nil
	}
	parentPath, name := path.Split(p)
	parentPath = path.Clean(parentPath)
	if parentPath == "/" || parentPath == "." {
		return nil, fmt.Errorf("%s is not below a datacenter's vm folder", p)
	}
	parent, err := b.folder(parentPath)
	if err != nil {
		return nil, err
	}
	f, err := parent.CreateFolder(b.ctx, unescapeName(name))
	if err != nil {
		return nil, err
	}
	b.folders[p] = f
	b.remember(p, f.Reference())
	return f, nil
}

// pool returns the resource pool at an inventory path, creating missing child pools.
func (b *builder) pool(p string) (*object.ResourcePool, error) {
	p = path.Clean(p)
	if rp, ok := b.pools[p]; ok {
		return rp, nil
	}
	parentPath, name := path.Split(p)
	parentPath = path.Clean(parentPath)
	if !strings.Contains(parentPath, "/Resources") {
		return nil, fmt.Errorf("%s is not below a cluster's Resources pool", p)
	}
	parent, err := b.pool(parentPath)
	if err != nil {
		return nil, err
	}
	rp, err := parent.Create(b.ctx, unescapeName(name), types.DefaultResourceConfigSpec())
	if err != nil {
		return nil, err
	}
	b.pools[p] = rp
	b.remember(p, rp.Reference())
	return rp, nil
}

func (b *builder) datacenterOf(p string) (*dcState, error) {
	parts := strings.SplitN(strings.TrimPrefix(p, "/"), "/", 2)
	st, ok := b.datacenters[parts[0]]
	if !ok {
		return nil, fmt.Errorf("no datacenter %q", parts[0])
	}
	return st, nil
}

func (b *builder) vm(spec VMSpec) error {
	ctx := b.ctx
	st, err := b.datacenterOf(spec.Path)
	if err != nil {
		return err
	}
	folderPath, name := path.Split(path.Clean(spec.Path))
	folder, err := b.folder(folderPath)
	if err != nil {
		return err
	}
	poolPath := spec.Pool
	if poolPath == "" {
		poolPath = st.rootPool
	}
	pool, err := b.pool(poolPath)
	if err != nil {
		return err
	}
	ds := spec.Datastore
	if ds == "" {
		if len(st.datastores) == 0 {
			return fmt.Errorf("datacenter %s has no datastore", st.name)
		}
		ds = st.datastores[0]
	}
	dsRef, ok := st.dsRefs[ds]
	if !ok {
		return fmt.Errorf("no datastore %q in datacenter %s", ds, st.name)
	}

	config := types.VirtualMachineConfigSpec{
		Name:     unescapeName(name),
		GuestId:  string(types.VirtualMachineGuestOsIdentifierOtherGuest64),
		NumCPUs:  2,
		MemoryMB: 4096,
		Files:    &types.VirtualMachineFileInfo{VmPathName: "[" + ds + "]"},
	}
	var devices object.VirtualDeviceList
	scsi, _ := devices.CreateSCSIController("pvscsi")
	devices = append(devices, scsi)
	if !spec.NoDisk {
		disk := devices.CreateDisk(scsi.(types.BaseVirtualController), dsRef, "")
		disk.CapacityInKB = 16 * 1024 * 1024
		devices = append(devices, disk)
	}
	if spec.Network != "" {
		backing, ok := st.backings[spec.Network]
		if !ok {
			return fmt.Errorf("no port group %q in datacenter %s", spec.Network, st.name)
		}
		nic, err := devices.CreateEthernetCard("vmxnet3", backing)
		if err != nil {
			return err
		}
		devices = append(devices, nic)
	}
	if config.DeviceChange, err = devices.ConfigSpec(types.VirtualDeviceConfigSpecOperationAdd); err != nil {
		return err
	}
	// The disk is created with the VM (the simulator writes a small backing file).
	for _, change := range config.DeviceChange {
		if _, isDisk := change.GetVirtualDeviceConfigSpec().Device.(*types.VirtualDisk); isDisk {
			change.GetVirtualDeviceConfigSpec().FileOperation = types.VirtualDeviceConfigSpecFileOperationCreate
		}
	}

	// Created directly in its pool: vcsim does not implement MoveIntoResourcePool.
	res, err := b.wait(folder.CreateVM(ctx, config, pool, nil))
	if err != nil {
		return err
	}
	ref := res.(types.ManagedObjectReference)
	b.remember(path.Clean(spec.Path), ref)
	if !spec.PoweredOff {
		if _, err := b.wait(object.NewVirtualMachine(b.client, ref).PowerOn(ctx)); err != nil {
			return fmt.Errorf("power on: %w", err)
		}
	}
	return nil
}

// wait finishes a task. Simulator tasks run synchronously inside the call, so the result
// is read straight from the simulator's registry (much faster than a property-collector
// wait) and the finished task is dropped, which keeps memory flat for large inventories.
func (b *builder) wait(task *object.Task, err error) (types.AnyType, error) {
	if err != nil {
		return nil, err
	}
	ref := task.Reference()
	t, ok := simulator.Map.Get(ref).(*simulator.Task)
	if !ok {
		return nil, fmt.Errorf("task %s not found", ref.Value)
	}
	info := t.Info
	simulator.Map.Remove(ref)
	if info.State != types.TaskInfoStateSuccess {
		if info.Error != nil {
			return nil, fmt.Errorf("%s failed: %T", info.Name, info.Error.Fault)
		}
		return nil, fmt.Errorf("%s ended in state %s", info.Name, info.State)
	}
	return info.Result, nil
}

func (b *builder) parentOf(ref types.ManagedObjectReference) types.ManagedObjectReference {
	if e, ok := simulator.Map.Get(ref).(mo.Entity); ok && e.Entity().Parent != nil {
		return *e.Entity().Parent
	}
	return types.ManagedObjectReference{}
}

func (b *builder) childByName(folder types.ManagedObjectReference, name string) (types.ManagedObjectReference, error) {
	req := types.FindChild{This: *b.client.ServiceContent.SearchIndex, Entity: folder, Name: name}
	res, err := methods.FindChild(b.ctx, b.client, &req)
	if err != nil {
		return types.ManagedObjectReference{}, err
	}
	if res.Returnval == nil {
		return types.ManagedObjectReference{}, fmt.Errorf("%s not found", name)
	}
	return *res.Returnval, nil
}

// removeDataDir is used on shutdown; datastore directories hold the VMs' files.
func removeDataDir(dir string) {
	if dir != "" && filepath.IsAbs(dir) {
		_ = os.RemoveAll(dir)
	}
}
