// refapply is the apply benchmark's reference: what an administrator's pyVmomi script does
// to onboard a tenant, written with govmomi. Log in, look up the role id by name and the
// tenant's objects (the datacenter, and every VM below the folder through one container
// view), then one SetEntityPermissions per object, sequentially, without propagation;
// log out. No backup, no verification: the floor a careful tool is measured against.
// It prints one JSON line for scripts/bench-apply.js.
package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"time"

	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/view"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

func main() {
	rawURL := flag.String("url", "", "https://host/sdk")
	user := flag.String("username", "", "user name")
	principal := flag.String("principal", "", "the tenant account, DOMAIN\\name")
	roleName := flag.String("role", "Azure_Site_Recovery", "role to grant")
	datacenter := flag.String("datacenter", "/DC0", "datacenter path")
	folder := flag.String("folder", "", "VM folder path")
	remove := flag.Bool("remove", false, "remove the principal's permissions instead (resets the lab between rounds)")
	flag.Parse()
	password := os.Getenv("REFCLIENT_PASSWORD") // never on the command line
	n, seconds, err := run(*rawURL, *user, password, *principal, *roleName, *datacenter, *folder, *remove)
	if err != nil {
		fmt.Fprintln(os.Stderr, "refapply:", err)
		os.Exit(1)
	}
	out, _ := json.Marshal(map[string]any{"client": "govmomi-loop", "objects": n, "seconds": seconds})
	fmt.Println(string(out))
}

func run(rawURL, user, password, principal, roleName, dcPath, folderPath string, remove bool) (int, float64, error) {
	ctx := context.Background()
	start := time.Now()
	u, err := soap.ParseURL(rawURL)
	if err != nil {
		return 0, 0, err
	}
	u.User = url.UserPassword(user, password)
	// The lab's certificate is self-signed; the benchmark measures speed, not trust.
	soapClient := soap.NewClient(u, true)
	soapClient.DefaultTransport().TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
	c, err := vim25.NewClient(ctx, soapClient)
	if err != nil {
		return 0, 0, err
	}
	sm := session.NewManager(c)
	if err := sm.Login(ctx, u.User); err != nil {
		return 0, 0, err
	}
	defer func() { _ = sm.Logout(ctx) }()

	am := object.NewAuthorizationManager(c)
	roles, err := am.RoleList(ctx)
	if err != nil {
		return 0, 0, err
	}
	role := roles.ByName(roleName)
	if role == nil {
		return 0, 0, fmt.Errorf("no role %s", roleName)
	}

	finder := find.NewFinder(c, false)
	dc, err := finder.Datacenter(ctx, dcPath)
	if err != nil {
		return 0, 0, err
	}
	f, err := finder.Folder(ctx, folderPath)
	if err != nil {
		return 0, 0, err
	}
	m := view.NewManager(c)
	v, err := m.CreateContainerView(ctx, f.Reference(), []string{"VirtualMachine"}, true)
	if err != nil {
		return 0, 0, err
	}
	vms, err := v.Find(ctx, []string{"VirtualMachine"}, nil)
	_ = v.Destroy(ctx)
	if err != nil {
		return 0, 0, err
	}

	objects := append([]types.ManagedObjectReference{dc.Reference()}, vms...)
	perm := types.Permission{Principal: principal, RoleId: role.RoleId, Propagate: false}
	for _, obj := range objects {
		if remove {
			// Ignores NotFound: an object without the permission is already reset.
			_, _ = methods.RemoveEntityPermission(ctx, c, &types.RemoveEntityPermission{
				This: *c.ServiceContent.AuthorizationManager, Entity: obj, User: principal,
			})
			continue
		}
		_, err := methods.SetEntityPermissions(ctx, c, &types.SetEntityPermissions{
			This:       *c.ServiceContent.AuthorizationManager,
			Entity:     obj,
			Permission: []types.Permission{perm},
		})
		if err != nil {
			return 0, 0, fmt.Errorf("SetEntityPermissions %s: %w", obj.Value, err)
		}
	}
	return len(objects), time.Since(start).Seconds(), nil
}
