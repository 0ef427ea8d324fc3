/**
 * Creates a VM on a lab over SOAP (CreateVM_Task), for tests that need the inventory
 * to change under drperm (e.g. drift: a tenant VM added after apply). VimClient has
 * no method for it on purpose (drperm never creates VMs), so the request is built here
 * by hand and sent on a session of its own.
 */
import type { LabInfo } from './lab-info';
import { silentLogger } from '../../src/util/log';
import { VimClient } from '../../src/vsphere/client';
import { returnsNothing, returnsOne, serviceContent } from '../../src/vsphere/decode';
import * as rq from '../../src/vsphere/requests';
import { toSearchIndexPath } from '../../src/model/paths';
import { SoapConnection } from '../../src/vsphere/soap';
import { trustPolicyFrom } from '../../src/net/tls';
import { HttpsTransport } from '../../src/vsphere/transport';
import { envelope, escapeXml, moRefEl } from '../../src/vsphere/xml-build';

export interface CreateVmOptions {
  /** Folder path, e.g. /DC0/vm/contoso. */
  folder: string;
  name: string;
  /** Resource pool path, e.g. /DC0/host/DC0_C0/Resources/contoso-rp. */
  pool: string;
  /** Datastore name for the VM files, e.g. LocalDS_0. */
  datastore: string;
}

/** Creates the VM and waits until the inventory shows it; returns its managed object id. */
export async function createVm(lab: LabInfo, vm: CreateVmOptions): Promise<string> {
  const connect = {
    url: lab.url,
    username: lab.username,
    password: lab.password,
    thumbprint: lab.thumbprintSha256,
  };
  const client = await VimClient.connect(connect, silentLogger);
  const transport = new HttpsTransport({
    url: new URL(lab.url),
    trust: trustPolicyFrom(connect),
    timeoutMs: 30000,
    maxInFlight: 2,
  });
  try {
    const folder = await client.findByInventoryPath(toSearchIndexPath(vm.folder));
    const pool = await client.findByInventoryPath(toSearchIndexPath(vm.pool));
    if (!folder || !pool) throw new Error(`createVm: ${!folder ? vm.folder : vm.pool} not found`);

    const soap = new SoapConnection(transport, silentLogger);
    const content = (await soap.call(rq.retrieveServiceContent(), returnsOne(serviceContent)))!;
    await soap.call(rq.login(content.sessionManager, lab.username, lab.password), returnsNothing);
    // VirtualMachineConfigSpec elements in WSDL order: name, guestId, files, numCPUs, memoryMB.
    const config =
      `<config><name>${escapeXml(vm.name)}</name><guestId>otherGuest</guestId>` +
      `<files><vmPathName>[${escapeXml(vm.datastore)}]</vmPathName></files>` +
      `<numCPUs>1</numCPUs><memoryMB>32</memoryMB></config>`;
    await soap.call(
      {
        method: 'CreateVM_Task',
        body: envelope('CreateVM_Task', folder, config + moRefEl('pool', pool)),
        readOnly: false,
      },
      returnsNothing,
    );
    await soap.call(rq.logout(content.sessionManager), returnsNothing).catch(() => undefined);

    const path = `${vm.folder.replace(/\/$/, '')}/${vm.name}`;
    for (let i = 0; i < 100; i++) {
      const ref = await client.findByInventoryPath(toSearchIndexPath(path));
      if (ref) return ref.value;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`createVm: ${path} did not appear in the inventory`);
  } finally {
    transport.close();
    await client.logout();
  }
}
