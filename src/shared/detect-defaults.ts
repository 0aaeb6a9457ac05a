/**
 * Defaults of the DCE/RPC rules' lists (config-schema.ts and config.ts both need them; this file
 * stays free of zod so that a run without -c does not load it).
 */

/** winreg keys (prefixes, hive included: HKLM\…; `*` matches within one path part) whose writes SW-0007 reports */
export const DEFAULT_REGISTRY_KEYS = [
  'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run',
  'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\RunOnce',
  'HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Run',
  'HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\RunOnce',
  'HKU\\*\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run',
  'HKU\\*\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\RunOnce',
  'HKCU\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run',
  'HKCU\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\RunOnce',
  'HKLM\\SYSTEM\\*ControlSet*\\Services',
  'HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon',
  'HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Image File Execution Options',
  'HKLM\\SYSTEM\\*ControlSet*\\Control\\Lsa',
  'HKLM\\SOFTWARE\\Policies',
  'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies',
] as const;

/** the hives BaseRegSaveKey of which is credential theft (SW-0007 critical) */
export const DEFAULT_SAVE_KEYS = ['HKLM\\SAM', 'HKLM\\SECURITY', 'HKLM\\SYSTEM'] as const;

/** SamrAddMemberToAlias/Group targets that make SW-0011 fire (RIDs of well-known admin groups) */
export const DEFAULT_ADMIN_GROUPS = [
  'Administrators',
  'Domain Admins',
  'Enterprise Admins',
  'Schema Admins',
  'Account Operators',
  'Backup Operators',
  'Remote Desktop Users',
  'Remote Management Users',
] as const;

