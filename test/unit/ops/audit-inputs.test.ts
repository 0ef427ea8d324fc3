import { documentedPrivilegeLabels, type AuditRole } from '../../../src/ops/audit';

describe('documentedPrivilegeLabels', () => {
  it('names privileges from the shipped CloudAdmin baseline, for servers that describe none', async () => {
    const labels = await documentedPrivilegeLabels();
    expect(labels.get('Datastore.Browse')).toBe('Datastore > Browse datastore');
    expect(labels.get('Alarm.Acknowledge')).toBe('Alarms > Acknowledge alarm');
  });

  it("prefers the role policy's labels, but not its placeholders or wildcard group labels", async () => {
    const role = {
      resolved: {
        details: [
          { id: 'Datastore.Browse', label: 'Datastore > Browse (from the role)' },
          { id: 'System.Read', label: '(Read-only clone)' },
          {
            id: 'VirtualMachine.Config.Rename',
            label: 'VM - Configuration: All',
            pattern: 'VirtualMachine.Config.*',
          },
          { id: 'Task.Create', label: 'Tasks > Create task' },
        ],
      },
    } as unknown as AuditRole;
    const labels = await documentedPrivilegeLabels(role);
    expect(labels.get('Datastore.Browse')).toBe('Datastore > Browse (from the role)');
    expect(labels.get('Task.Create')).toBe('Tasks > Create task');
    expect(labels.get('System.Read')).not.toBe('(Read-only clone)');
    expect(labels.get('VirtualMachine.Config.Rename')).not.toBe('VM - Configuration: All');
  });
});
