/** ATT&CK techniques of the DCE/RPC rules and the lateral-movement chain. */
import type { Technique } from '../shared/records';

export const T1569_002: Technique = { id: 'T1569.002', name: 'Service Execution' };
export const T1543_003: Technique = { id: 'T1543.003', name: 'Windows Service' };
export const T1053_005: Technique = { id: 'T1053.005', name: 'Scheduled Task' };
export const T1053_002: Technique = { id: 'T1053.002', name: 'At' };
export const T1112: Technique = { id: 'T1112', name: 'Modify Registry' };
export const T1547_001: Technique = { id: 'T1547.001', name: 'Registry Run Keys / Startup Folder' };
export const T1003_002: Technique = { id: 'T1003.002', name: 'Security Account Manager' };
export const T1187: Technique = { id: 'T1187', name: 'Forced Authentication' };
export const T1003_006: Technique = { id: 'T1003.006', name: 'DCSync' };
export const T1210: Technique = { id: 'T1210', name: 'Exploitation of Remote Services' };
export const T1136_001: Technique = { id: 'T1136.001', name: 'Local Account' };
export const T1136_002: Technique = { id: 'T1136.002', name: 'Domain Account' };
export const T1098: Technique = { id: 'T1098', name: 'Account Manipulation' };
export const T1047: Technique = { id: 'T1047', name: 'Windows Management Instrumentation' };
export const T1021_003: Technique = { id: 'T1021.003', name: 'Distributed Component Object Model' };
export const T1547_012: Technique = { id: 'T1547.012', name: 'Print Processors' };
export const T1070_004: Technique = { id: 'T1070.004', name: 'File Deletion' };
