// refclient is the benchmark's reference client: the same collection drperm's
// `collect` does (about, roles, privileges, all permissions, every managed entity
// with name, parent, and a VM's resource pool, vApp, host, datastores and networks,
// paged), written with govmomi, VMware's
// own Go SDK. It prints one JSON line with its timings so that scripts/bench.js can
// put the two clients side by side.
package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"time"

	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/view"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

type result struct {
	Client       string  `json:"client"`
	Entities     int     `json:"entities"`
	Permissions  int     `json:"permissions"`
	Roles        int     `json:"roles"`
	Seconds      float64 `json:"seconds"`
	HeapAllocMiB float64 `json:"heapAllocMiB"`
}

func main() {
	rawURL := flag.String("url", "", "https://host/sdk")
	user := flag.String("username", "", "user name")
	pageSize := flag.Int("page-size", 1000, "objects per RetrievePropertiesEx page")
	flag.Parse()
	password := os.Getenv("REFCLIENT_PASSWORD") // never on the command line

	if err := run(*rawURL, *user, password, int32(*pageSize)); err != nil {
		fmt.Fprintln(os.Stderr, "refclient:", err)
		os.Exit(1)
	}
}

func run(rawURL, user, password string, pageSize int32) error {
	ctx := context.Background()
	start := time.Now()

	u, err := soap.ParseURL(rawURL)
	if err != nil {
		return err
	}
	u.User = url.UserPassword(user, password)
	// The lab's certificate is self-signed; the benchmark measures speed, not trust.
	soapClient := soap.NewClient(u, true)
	soapClient.DefaultTransport().TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
	c, err := vim25.NewClient(ctx, soapClient)
	if err != nil {
		return err
	}
	sm := session.NewManager(c)
	if err := sm.Login(ctx, u.User); err != nil {
		return err
	}
	defer func() { _ = sm.Logout(ctx) }()

	var am mo.AuthorizationManager
	pc := property.DefaultCollector(c)
	if err := pc.RetrieveOne(ctx, *c.ServiceContent.AuthorizationManager, []string{"roleList", "privilegeList"}, &am); err != nil {
		return err
	}
	perms, err := methods.RetrieveAllPermissions(ctx, c, &types.RetrieveAllPermissions{This: *c.ServiceContent.AuthorizationManager})
	if err != nil {
		return err
	}

	vm := view.NewManager(c)
	v, err := vm.CreateContainerView(ctx, c.ServiceContent.RootFolder, []string{"ManagedEntity"}, true)
	if err != nil {
		return err
	}
	defer func() { _ = v.Destroy(ctx) }()

	entities, err := retrieveEntities(ctx, c, v, pageSize)
	if err != nil {
		return err
	}

	var mem runtime.MemStats
	runtime.ReadMemStats(&mem)
	out, _ := json.Marshal(result{
		Client:       "govmomi (Go)",
		Entities:     entities + 1, // + the root folder
		Permissions:  len(perms.Returnval),
		Roles:        len(am.RoleList),
		Seconds:      time.Since(start).Seconds(),
		HeapAllocMiB: float64(mem.HeapAlloc) / (1 << 20),
	})
	fmt.Println(string(out))
	return nil
}

// retrieveEntities pages through the view with RetrievePropertiesEx/ContinueRetrievePropertiesEx,
// counting objects without keeping them all (as drperm streams them into its snapshot).
func retrieveEntities(ctx context.Context, c *vim25.Client, v *view.ContainerView, pageSize int32) (int, error) {
	ts := &types.TraversalSpec{Type: "ContainerView", Path: "view", Skip: types.NewBool(false)}
	req := types.RetrievePropertiesEx{
		This: c.ServiceContent.PropertyCollector,
		SpecSet: []types.PropertyFilterSpec{{
			ObjectSet: []types.ObjectSpec{{Obj: v.Reference(), Skip: types.NewBool(true), SelectSet: []types.BaseSelectionSpec{ts}}},
			PropSet: []types.PropertySpec{
				{Type: "ManagedEntity", PathSet: []string{"name", "parent"}},
				{Type: "VirtualMachine", PathSet: []string{"name", "parent", "resourcePool", "parentVApp", "runtime.host", "datastore", "network"}},
				{Type: "VirtualApp", PathSet: []string{"name", "parent", "parentFolder"}},
			},
		}},
		Options: types.RetrieveOptions{MaxObjects: pageSize},
	}
	res, err := methods.RetrievePropertiesEx(ctx, c, &req)
	if err != nil {
		return 0, err
	}
	count := 0
	for r := res.Returnval; r != nil; {
		count += len(r.Objects)
		if r.Token == "" {
			break
		}
		next, err := methods.ContinueRetrievePropertiesEx(ctx, c, &types.ContinueRetrievePropertiesEx{This: req.This, Token: r.Token})
		if err != nil {
			return count, err
		}
		r = &next.Returnval
	}
	return count, nil
}
