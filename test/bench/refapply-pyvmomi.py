#!/usr/bin/python3
# refapply-pyvmomi is the apply benchmark's reference named by issue 10: the sequential
# pyVmomi loop an administrator writes to onboard a tenant, doing what refapply/main.go does.
# Log in, look up the role id by name and the tenant's objects (the datacenter and the VM
# folder by inventory path, every VM below the folder through one container view), then one
# SetEntityPermissions per object, sequentially, without propagation; log out. No backup, no
# verification. It prints one JSON line for scripts/bench-apply.js. Run it with Debian's
# /usr/bin/python3 and python3-pyvmomi; the password comes from REFCLIENT_PASSWORD.
import argparse
import json
import os
import ssl
import sys
import time
import warnings
from urllib.parse import urlsplit

START = time.monotonic()

# pyVmomi 6.7.1 compiles with a SyntaxWarning on Python 3.8 and later; it is harmless.
warnings.filterwarnings("ignore", category=SyntaxWarning)
from pyVim.connect import Disconnect, SmartConnect  # noqa: E402
from pyVmomi import vim, vmodl  # noqa: E402


def main():
    p = argparse.ArgumentParser(description="One SetEntityPermissions per object, sequentially.")
    p.add_argument("-url", "--url", required=True, help="https://host:port/sdk")
    p.add_argument("-username", "--username", required=True)
    p.add_argument("-principal", "--principal", required=True, help="DOMAIN\\name")
    p.add_argument("-role", "--role", default="Azure_Site_Recovery")
    p.add_argument("-datacenter", "--datacenter", default="/DC0")
    p.add_argument("-folder", "--folder", required=True, help="VM folder path")
    args = p.parse_args()
    password = os.environ.get("REFCLIENT_PASSWORD", "")  # never on the command line

    u = urlsplit(args.url)
    # The lab's certificate is self-signed; the benchmark measures speed, not trust.
    context = ssl._create_unverified_context()
    si = SmartConnect(
        host=u.hostname,
        port=u.port or 443,
        path=u.path or "/sdk",
        user=args.username,
        pwd=password,
        sslContext=context,
    )
    try:
        content = si.RetrieveContent()
        am = content.authorizationManager
        role = next((r for r in am.roleList if r.name == args.role), None)
        if role is None:
            raise SystemExit("refapply-pyvmomi: no role %s" % args.role)

        # FindByInventoryPath takes paths without the leading slash.
        index = content.searchIndex
        dc = index.FindByInventoryPath(args.datacenter.lstrip("/"))
        folder = index.FindByInventoryPath(args.folder.lstrip("/"))
        if not isinstance(dc, vim.Datacenter):
            raise SystemExit("refapply-pyvmomi: no datacenter %s" % args.datacenter)
        if not isinstance(folder, vim.Folder):
            raise SystemExit("refapply-pyvmomi: no folder %s" % args.folder)
        view = content.viewManager.CreateContainerView(folder, [vim.VirtualMachine], True)
        try:
            vms = list(view.view)
        finally:
            view.Destroy()

        objects = [dc] + vms
        perm = vim.AuthorizationManager.Permission(
            principal=args.principal, roleId=role.roleId, propagate=False, group=False
        )
        for obj in objects:
            am.SetEntityPermissions(entity=obj, permission=[perm])
    finally:
        Disconnect(si)
    out = {"client": "pyvmomi-loop", "objects": len(objects), "seconds": time.monotonic() - START}
    print(json.dumps(out))


if __name__ == "__main__":
    try:
        main()
    except vmodl.MethodFault as e:
        sys.exit("refapply-pyvmomi: %s: %s" % (type(e).__name__, e.msg))
