/** Container-view queries over raw SOAP, for asserting what the lab built. */
import type { ObjectProps, SoapSession } from './soap-session';
import { objectsOf } from './soap-session';

export const ROOT_FOLDER = 'group-d1';

export async function createView(session: SoapSession, type: string): Promise<string> {
  const reply = await session.call(
    'CreateContainerView',
    'ViewManager',
    'ViewManager',
    `<container type="Folder">${ROOT_FOLDER}</container><type>${type}</type><recursive>true</recursive>`,
  );
  const res = reply.body['CreateContainerViewResponse'] as { returnval: { '#text': string }[] };
  const view = res.returnval[0]?.['#text'];
  if (view === undefined) throw new Error(`CreateContainerView failed: ${reply.raw}`);
  return view;
}

export function viewSpec(view: string, type: string, paths: string[]): string {
  return (
    `<specSet><propSet><type>${type}</type>${paths.map((p) => `<pathSet>${p}</pathSet>`).join('')}</propSet>` +
    `<objectSet><obj type="ContainerView">${view}</obj><skip>true</skip>` +
    '<selectSet xsi:type="TraversalSpec"><name>view</name><type>ContainerView</type>' +
    '<path>view</path><skip>false</skip></selectSet></objectSet></specSet>'
  );
}

/** All objects of a type with the given properties, read in one RetrievePropertiesEx. */
export async function retrieveAll(
  session: SoapSession,
  type: string,
  paths: string[],
): Promise<ObjectProps[]> {
  const view = await createView(session, type);
  const reply = await session.call(
    'RetrievePropertiesEx',
    'PropertyCollector',
    'propertyCollector',
    viewSpec(view, type, paths) + '<options/>',
  );
  await session.call('DestroyView', 'ContainerView', view);
  const res = reply.body['RetrievePropertiesExResponse'] as
    { returnval?: Record<string, unknown>[] } | undefined;
  if (res === undefined) throw new Error(`RetrievePropertiesEx failed: ${reply.raw}`);
  return objectsOf(res.returnval?.[0]);
}

export function byName(objects: ObjectProps[], name: string): ObjectProps {
  const found = objects.find((o) => o.props['name'] === name);
  if (found === undefined) throw new Error(`no object named ${name}`);
  return found;
}
