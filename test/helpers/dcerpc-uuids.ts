/** Abstract syntax UUIDs of the interfaces the dcerpc tests name. */
export const UUIDS_BY_NAME: Record<string, string> = {
  svcctl: '367abb81-9844-35f1-ad32-98f038001003',
  winreg: '338cd001-2244-31f1-aaaa-900038001003',
  atsvc: '1ff70682-0a51-30e8-076d-740be8cee98b',
  ITaskSchedulerService: '86d35949-83c9-4044-b424-db363231fd0c',
  epmapper: 'e1af8308-5d1f-11c9-91a4-08002b14a0fa',
};
