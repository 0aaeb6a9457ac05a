/**
 * DCE/RPC interface names (UUID → the name Zeek's dce_rpc.log writes in `endpoint`) and operation
 * names (opnum → IDL name) for every interface sharewatch names.
 *
 * Source: Zeek's `scripts/base/protocols/dce-rpc/consts.zeek` (zeek/zeek a13de64f:
 * `uuid_endpoint_map` and `operations`, every entry, UUIDs lower-cased), then the IDL corrections
 * below. Interface names are Zeek's even where the MS-* specification names the interface
 * differently (Zeek: `netdfs` = MS-DFSNM, `IRemoteSCMActivator` = MS-DCOM ISystemActivator,
 * `IObjectExporter` = IOXIDResolver, `efsrpc2` = MS-EFSR over \pipe\lsarpc, `efsrpc` = MS-EFSR
 * over \pipe\efsrpc), because `dcerpc.interface.name` must agree with Zeek's `endpoint`.
 * Operation names are the specifications' IDL names: Zeek's except svcctl (MS-SCMR's R prefix) and
 * the few in IDL_CORRECTIONS. Unknown UUID → the UUID; unknown opnum → `opnum-N`.
 *
 * `returns` says how an operation's status is named by default (Win32 error, NTSTATUS, HRESULT):
 * MS-SAMR/MS-LSAD/MS-LSAT/MS-NRPC/MS-EVEN return NTSTATUS, DCOM interfaces and MS-TSCH's
 * ITaskSchedulerService HRESULT, the rest Win32 errors (NET_API_STATUS, DWORD, error_status_t).
 */
import type { InterfaceNames, ReturnKind } from './iface/types';

/** [uuid, Zeek endpoint name, default return kind, IDL names by opnum separated by spaces ('-': none)] */
type Row = readonly [string, string, ReturnKind, string];

const ROWS: readonly Row[] = [
  // svcctl: MS-SCMR's IDL names (the R prefix Zeek and tshark drop; see IDL_CORRECTIONS)
  ['367abb81-9844-35f1-ad32-98f038001003', 'svcctl', 'win32',
    'RCloseServiceHandle RControlService RDeleteService RLockServiceDatabase ' +
    'RQueryServiceObjectSecurity RSetServiceObjectSecurity RQueryServiceStatus RSetServiceStatus ' +
    'RUnlockServiceDatabase RNotifyBootConfigStatus ScSetServiceBitsW RChangeServiceConfigW ' +
    'RCreateServiceW REnumDependentServicesW REnumServicesStatusW ROpenSCManagerW ROpenServiceW ' +
    'RQueryServiceConfigW RQueryServiceLockStatusW RStartServiceW RGetServiceDisplayNameW ' +
    'RGetServiceKeyNameW ScSetServiceBitsA RChangeServiceConfigA RCreateServiceA ' +
    'REnumDependentServicesA REnumServicesStatusA ROpenSCManagerA ROpenServiceA ' +
    'RQueryServiceConfigA RQueryServiceLockStatusA RStartServiceA RGetServiceDisplayNameA ' +
    'RGetServiceKeyNameA ScGetCurrentGroupStateW REnumServiceGroupW RChangeServiceConfig2A ' +
    'RChangeServiceConfig2W RQueryServiceConfig2A RQueryServiceConfig2W RQueryServiceStatusEx ' +
    'REnumServicesStatusExA REnumServicesStatusExW ScSendTSMessage RCreateServiceWOW64A ' +
    'RCreateServiceWOW64W ScQueryServiceTagInfo RNotifyServiceStatusChange RGetNotifyResults ' +
    'RCloseNotifyHandle RControlServiceExA RControlServiceExW ScSendPnPMessage ' +
    'ScValidatePnPService ScOpenServiceStatusHandle - RQueryServiceConfigEx - - - ' +
    'RCreateWowService - - - ROpenSCManager2'],
  ['86d35949-83c9-4044-b424-db363231fd0c', 'ITaskSchedulerService', 'hresult',
    'SchRpcHighestVersion SchRpcRegisterTask SchRpcRetrieveTask SchRpcCreateFolder ' +
    'SchRpcSetSecurity SchRpcGetSecurity SchRpcEnumFolder SchRpcEnumTasks SchRpcEnumInstances ' +
    'SchRpcGetInstanceInfo SchRpcStopInstance SchRpcStop SchRpcRun SchRpcDelete SchRpcRename ' +
    'SchRpcScheduledRuntimes SchRpcGetLastRunInfo SchRpcGetTaskInfo SchRpcGetNumberOfMissedRuns ' +
    'SchRpcEnableTask'],
  ['378e52b0-c0a9-11cf-822d-00aa0051e40f', 'sasec', 'win32',
    'SASetAccountInformation SASetNSAccountInformation SAGetNSAccountInformation ' +
    'SAGetAccountInformation'],
  ['1ff70682-0a51-30e8-076d-740be8cee98b', 'atsvc', 'win32',
    'NetrJobAdd NetrJobDel NetrJobEnum NetrJobGetInfo'],
  ['0a74ef1c-41a4-4e06-83ae-dc74fb1cdd53', 'idletask', 'win32',
    'ItSrvRegisterIdleTask ItSrvUnregisterIdleTask ItSrvProcessIdleTasks ' +
    'ItSrvSetDetectionParameters'],
  ['906b0ce0-c70b-1067-b317-00dd010662da', 'IXnRemote', 'win32', ''],
  ['ae33069b-a2a8-46ee-a235-ddfd339be281', 'IRPCRemoteObject', 'win32', ''],
  ['0b6edbfa-4a24-4fc6-8a23-942b1eca65d1', 'IRPCAsyncNotify', 'win32', ''],
  ['afa8bd80-7d8a-11c9-bef4-08002b102989', 'mgmt', 'win32',
    'inq_if_ids inq_stats is_server_listening stop_server_listening inq_princ_name'],
  ['f5cc59b4-4264-101a-8c59-08002b2f8426', 'FrsRpc', 'win32',
    'FrsRpcSendCommPkt FrsRpcVerifyPromotionParent FrsRpcStartPromotionParent FrsNOP ' +
    'FrsBackupComplete FrsBackupComplete FrsBackupComplete FrsBackupComplete FrsBackupComplete ' +
    'FrsBackupComplete FrsRpcVerifyPromotionParentEx'],
  ['000001a0-0000-0000-c000-000000000046', 'IRemoteSCMActivator', 'hresult',
    'QueryInterfaceIRemoteSCMActivator AddRefIRemoteISCMActivator ReleaseIRemoteISCMActivator ' +
    'RemoteGetClassObject RemoteCreateInstance'],
  ['00000143-0000-0000-c000-000000000046', 'IRemUnknown2', 'hresult',
    'QueryInterface AddRef Release RemQueryInterface RemAddRef RemRelease RemQueryInterface2'],
  ['12345778-1234-abcd-ef00-0123456789ab', 'lsarpc', 'ntstatus',
    'LsarClose LsarDelete LsarEnumeratePrivileges LsarQuerySecurityObject LsarSetSecurityObject ' +
    'LsarChangePassword LsarOpenPolicy LsarQueryInformationPolicy LsarSetInformationPolicy ' +
    'LsarClearAuditLog LsarCreateAccount LsarEnumerateAccounts LsarCreateTrustedDomain ' +
    'LsarEnumerateTrustedDomains LsarLookupNames LsarLookupSids LsarCreateSecret LsarOpenAccount ' +
    'LsarEnumeratePrivilegesAccount LsarAddPrivilegesToAccount LsarRemovePrivilegesFromAccount ' +
    'LsarGetQuotasForAccount LsarSetQuotasForAccount LsarGetSystemAccessAccount ' +
    'LsarSetSystemAccessAccount LsarOpenTrustedDomain LsarQueryInfoTrustedDomain ' +
    'LsarSetInformationTrustedDomain LsarOpenSecret LsarSetSecret LsarQuerySecret ' +
    'LsarLookupPrivilegeValue LsarLookupPrivilegeName LsarLookupPrivilegeDisplayName ' +
    'LsarDeleteObject LsarEnumerateAccountsWithUserRight LsarEnumerateAccountRights ' +
    'LsarAddAccountRights LsarRemoveAccountRights LsarQueryTrustedDomainInfo ' +
    'LsarSetTrustedDomainInfo LsarDeleteTrustedDomain LsarStorePrivateData ' +
    'LsarRetrievePrivateData LsarOpenPolicy2 LsarGetUserName LsarQueryInformationPolicy2 ' +
    'LsarSetInformationPolicy2 LsarQueryTrustedDomainInfoByName LsarSetTrustedDomainInfoByName ' +
    'LsarEnumerateTrustedDomainsEx LsarCreateTrustedDomainEx LsarCloseTrustedDomainEx ' +
    'LsarQueryDomainInformationPolicy LsarSetDomainInformationPolicy LsarOpenTrustedDomainByName ' +
    'LsarTestCall LsarLookupSids2 LsarLookupNames2 LsarCreateTrustedDomainEx2 CredrWrite ' +
    'CredrRead CredrEnumerate CredrWriteDomainCredentials CredrReadDomainCredentials CredrDelete ' +
    'CredrGetTargetInfo CredrProfileLoaded LsarLookupNames3 CredrGetSessionTypes ' +
    'LsarRegisterAuditEvent LsarGenAuditEvent LsarUnregisterAuditEvent ' +
    'LsarQueryForestTrustInformation LsarSetForestTrustInformation CredrRename LsarLookupSids3 ' +
    'LsarLookupNames4 LsarOpenPolicySce LsarAdtRegisterSecurityEventSource ' +
    'LsarAdtUnregisterSecurityEventSource LsarAdtReportSecurityEvent CredrFindBestCredential ' +
    'LsarSetAuditPolicy LsarQueryAuditPolicy LsarEnumerateAuditPolicy ' +
    'LsarEnumerateAuditCategories LsarEnumerateAuditSubCategories LsarLookupAuditCategoryName ' +
    'LsarLookupAuditSubCategoryName LsarSetAuditSecurity LsarQueryAuditSecurity ' +
    'CredReadByTokenHandle CredrRestoreCredentials CredrBackupCredentials - - - - - - - - - - - - ' +
    '- - - - - - - - - - - - - - - - - - - - - - LsarCreateTrustedDomainEx3 LsarOpenPolicy3 - - ' +
    'LsarSetForestTrustInformation2'],
  ['76f03f96-cdfd-44fc-a22c-64950a001209', 'IRemoteWinspool', 'win32',
    'RpcAsyncOpenPrinter RpcAsyncAddPrinter RpcAsyncSetJob RpcAsyncGetJob RpcAsyncEnumJobs ' +
    'RpcAsyncAddJob RpcAsyncScheduleJob RpcAsyncDeletePrinter RpcAsyncSetPrinter ' +
    'RpcAsyncGetPrinter RpcAsyncStartDocPrinter RpcAsyncStartPagePrinter RpcAsyncWritePrinter ' +
    'RpcAsyncEndPagePrinter RpcAsyncEndDocPrinter RpcAsyncAbortPrinter RpcAsyncGetPrinterData ' +
    'RpcAsyncGetPrinterDataEx RpcAsyncSetPrinterData RpcAsyncSetPrinterDataEx ' +
    'RpcAsyncClosePrinter RpcAsyncAddForm RpcAsyncDeleteForm RpcAsyncGetForm RpcAsyncSetForm ' +
    'RpcAsyncEnumForms RpcAsyncGetPrinterDriver RpcAsyncEnumPrinterData RpcAsyncEnumPrinterDataEx ' +
    'RpcAsyncEnumPrinterKey RpcAsyncDeletePrinterData RpcAsyncDeletePrinterDataEx ' +
    'RpcAsyncDeletePrinterKey RpcAsyncXcvData RpcAsyncSendRecvBidiData RpcAsyncCreatePrinterIC ' +
    'RpcAsyncPlayGdiScriptOnPrinterIC RpcAsyncDeletePrinterIC RpcAsyncEnumPrinters ' +
    'RpcAsyncAddPrinterDriver RpcAsyncEnumPrinterDrivers RpcAsyncGetPrinterDriverDirectory ' +
    'RpcAsyncDeletePrinterDriver RpcAsyncDeletePrinterDriverEx RpcAsyncAddPrintProcessor ' +
    'RpcAsyncEnumPrintProcessors RpcAsyncGetPrintProcessorDirectory RpcAsyncEnumPorts ' +
    'RpcAsyncEnumMonitors RpcAsyncAddPort RpcAsyncSetPort RpcAsyncAddMonitor ' +
    'RpcAsyncDeleteMonitor RpcAsyncDeletePrintProcessor RpcAsyncEnumPrintProcessorDatatypes ' +
    'RpcAsyncAddPerMachineConnection RpcAsyncDeletePerMachineConnection ' +
    'RpcAsyncEnumPerMachineConnections RpcSyncRegisterForRemoteNotifications ' +
    'RpcSyncUnRegisterForRemoteNotifications RpcSyncRefreshRemoteNotifications ' +
    'RpcAsyncGetRemoteNotifications RpcAsyncInstallPrinterDriverFromPackage ' +
    'RpcAsyncUploadPrinterDriverPackage RpcAsyncGetCorePrinterDrivers ' +
    'RpcAsyncCorePrinterDriverInstalled RpcAsyncGetPrinterDriverPackagePath ' +
    'RpcAsyncDeletePrinterDriverPackage RpcAsyncReadPrinter RpcAsyncResetPrinter ' +
    'RpcAsyncGetJobNamedPropertyValue RpcAsyncSetJobNamedProperty RpcAsyncDeleteJobNamedProperty ' +
    'RpcAsyncEnumJobNamedProperties RpcAsyncLogJobInfoForBranchOffice'],
  ['12345678-1234-abcd-ef00-01234567cffb', 'netlogon', 'ntstatus',
    'NetrLogonUasLogon NetrLogonUasLogoff NetrLogonSamLogon NetrLogonSamLogoff ' +
    'NetrServerReqChallenge NetrServerAuthenticate NetrServerPasswordSet NetrDatabaseDeltas ' +
    'NetrDatabaseSync NetrAccountDeltas NetrAccountSync NetrGetDCName NetrLogonControl ' +
    'NetrGetAnyDCName NetrLogonControl2 NetrServerAuthenticate2 NetrDatabaseSync2 ' +
    'NetrDatabaseRedo NetrLogonControl2Ex NetrEnumerateTrustedDomains DsrGetDcName ' +
    'NetrLogonGetCapabilities NetrLogonSetServiceBits NetrLogonGetTrustRid ' +
    'NetrLogonComputeServerDigest NetrLogonComputeClientDigest NetrServerAuthenticate3 ' +
    'DsrGetDcNameEx DsrGetSiteName NetrLogonGetDomainInfo NetrServerPasswordSet2 ' +
    'NetrServerPasswordGet NetrLogonSendToSam DsrAddressToSiteNamesW DsrGetDcNameEx2 ' +
    'NetrLogonGetTimeServiceParentDomain NetrEnumerateTrustedDomainsEx DsrAddressToSiteNamesExW ' +
    'DsrGetDcSiteCoverageW NetrLogonSamLogonEx DsrEnumerateDomainTrusts ' +
    'DsrDeregisterDnsHostRecords NetrServerTrustPasswordsGet DsrGetForestTrustInformation ' +
    'NetrGetForestTrustInformation NetrLogonSamLogonWithFlags NetrServerGetTrustInfo unused ' +
    'DsrUpdateReadOnlyServerDnsRecords NetrChainSetClientAttributes'],
  ['e3514235-4b06-11d1-ab04-00c04fc2dcd2', 'drsuapi', 'win32',
    'DRSBind DRSUnbind DRSReplicaSync DRSGetNCChanges DRSUpdateRefs DRSReplicaAdd DRSReplicaDel ' +
    'DRSReplicaModify DRSVerifyNames DRSGetMemberships DRSInterDomainMove DRSGetNT4ChangeLog ' +
    'DRSCrackNames DRSWriteSPN DRSRemoveDsServer DRSRemoveDsDomain DRSDomainControllerInfo ' +
    'DRSAddEntry DRSExecuteKCC DRSGetReplInfo DRSAddSidHistory DRSGetMemberships2 ' +
    'DRSReplicaVerifyObjects DRSGetObjectExistence DRSQuerySitesByCost IDL_DRSInitDemotion ' +
    'IDL_DRSReplicaDemotion IDL_DRSFinishDemotion IDL_DRSAddCloneDC IDL_DRSWriteNgcKey ' +
    'IDL_DRSReadNgcKey'],
  ['5261574a-4572-206e-b268-6b199213b4e4', 'AsyncEMSMDB', 'win32', ''],
  ['4d9f4ab8-7d1c-11cf-861e-0020af6e7c57', 'IActivation', 'win32', 'RemoteActivation'],
  ['99fcfec4-5260-101b-bbcb-00aa0021347a', 'IObjectExporter', 'win32',
    'ResolveOxid SimplePing ComplexPing ServerAlive ResolveOxid2 ServerAlive2'],
  ['e1af8308-5d1f-11c9-91a4-08002b14a0fa', 'epmapper', 'win32',
    'ept_insert ept_delete ept_lookup ept_map ept_lookup_handle_free ept_inq_object ' +
    'ept_mgmt_delete ept_map_auth ept_map_auth_async'],
  ['12345778-1234-abcd-ef00-0123456789ac', 'samr', 'ntstatus',
    'SamrConnect SamrCloseHandle SamrSetSecurityObject SamrQuerySecurityObject ' +
    'SamrShutdownSamServer SamrLookupDomainInSamServer SamrEnumerateDomainsInSamServer ' +
    'SamrOpenDomain SamrQueryInformationDomain SamrSetInformationDomain SamrCreateGroupInDomain ' +
    'SamrEnumerateGroupsInDomain SamrCreateUserInDomain SamrEnumerateUsersInDomain ' +
    'SamrCreateAliasInDomain SamrEnumerateAliasesInDomain SamrGetAliasMembership ' +
    'SamrLookupNamesInDomain SamrLookupIdsInDomain SamrOpenGroup SamrQueryInformationGroup ' +
    'SamrSetInformationGroup SamrAddMemberToGroup SamrDeleteGroup SamrRemoveMemberFromGroup ' +
    'SamrGetMembersInGroup SamrSetMemberAttributesOfGroup SamrOpenAlias SamrQueryInformationAlias ' +
    'SamrSetInformationAlias SamrDeleteAlias SamrAddMemberToAlias SamrRemoveMemberFromAlias ' +
    'SamrGetMembersInAlias SamrOpenUser SamrDeleteUser SamrQueryInformationUser ' +
    'SamrSetInformationUser SamrChangePasswordUser SamrGetGroupsForUser ' +
    'SamrQueryDisplayInformation SamrGetDisplayEnumerationIndex SamrTestPrivateFunctionsDomain ' +
    'SamrTestPrivateFunctionsUser SamrGetUserDomainPasswordInformation ' +
    'SamrRemoveMemberFromForeignDomain SamrQueryInformationDomain2 SamrQueryInformationUser2 ' +
    'SamrQueryDisplayInformation2 SamrGetDisplayEnumerationIndex2 SamrCreateUser2InDomain ' +
    'SamrQueryDisplayInformation3 SamrAddMultipleMembersToAlias ' +
    'SamrRemoveMultipleMembersFromAlias SamrOemChangePasswordUser2 SamrUnicodeChangePasswordUser2 ' +
    'SamrGetDomainPasswordInformation SamrConnect2 SamrSetInformationUser2 ' +
    'SamrSetBootKeyInformation SamrGetBootKeyInformation SamrConnect3 SamrConnect4 ' +
    'SamrUnicodeChangePasswordUser3 SamrConnect5 SamrRidToSid SamrSetDSRMPassword ' +
    'SamrValidatePassword SamrQueryLocalizableAccountsInDomain SamrPerformGenericOperation - - - ' +
    'SamrUnicodeChangePasswordUser4'],
  ['4b324fc8-1670-01d3-1278-5a47bf6ee188', 'srvsvc', 'win32',
    'NetrCharDevEnum NetrCharDevGetInfo NetrCharDevControl NetrCharDevQEnum NetrCharDevQGetInfo ' +
    'NetrCharDevQSetInfo NetrCharDevQPurge NetrCharDevQPurgeSelf NetrConnectionEnum NetrFileEnum ' +
    'NetrFileGetInfo NetrFileClose NetrSessionEnum NetrSessionDel NetrShareAdd NetrShareEnum ' +
    'NetrShareGetInfo NetrShareSetInfo NetrShareDel NetrShareDelSticky NetrShareCheck ' +
    'NetrServerGetInfo NetrServerSetInfo NetrServerDiskEnum NetrServerStatisticsGet ' +
    'NetrServerTransportAdd NetrServerTransportEnum NetrServerTransportDel NetrRemoteTOD ' +
    'NetrServerSetServiceBits NetprPathType NetprPathCanonicalize NetprPathCompare ' +
    'NetprNameValidate NetprNameCanonicalize NetprNameCompare NetrShareEnumSticky ' +
    'NetrShareDelStart NetrShareDelCommit NetrpGetFileSecurity NetrpSetFileSecurity ' +
    'NetrServerTransportAddEx NetrServerSetServiceBitsEx NetrDfsGetVersion ' +
    'NetrDfsCreateLocalPartition NetrDfsDeleteLocalPartition NetrDfsSetLocalVolumeState ' +
    'NetrDfsSetServerInfo NetrDfsCreateExitPoint NetrDfsDeleteExitPoint NetrDfsModifyPrefix ' +
    'NetrDfsFixLocalVolume NetrDfsManagerReportSiteInfo NetrServerTransportDelEx - ' +
    'NetrServerAliasEnum NetrServerAliasDel NetrShareDelEx'],
  ['45f52c28-7f9f-101a-b52b-08002b2efabe', 'winspipe', 'win32',
    'R_WinsRecordAction R_WinsStatus R_WinsTrigger R_WinsDoStaticInit R_WinsDoScavenging ' +
    'R_WinsGetDbRecs R_WinsTerm R_WinsBackup R_WinsDelDbRecs R_WinsPullRange ' +
    'R_WinsSetPriorityClass R_WinsResetCounters R_WinsWorkerThdUpd R_WinsGetNameAndAdd ' +
    'R_WinsGetBrowserNames_Old R_WinsDeleteWins R_WinsSetFlags R_WinsGetBrowserNames ' +
    'R_WinsGetDbRecsByName R_WinsStatusNew R_WinsStatusWHdl R_WinsDoScavengingNew'],
  ['6bffd098-a112-3610-9833-46c3f87e345a', 'wkssvc', 'win32',
    'NetrWkstaGetInfo NetrWkstaSetInfo NetrWkstaUserEnum NetrWkstaUserGetInfo ' +
    'NetrWkstaUserSetInfo NetrWkstaTransportEnum NetrWkstaTransportAdd NetrWkstaTransportDel ' +
    'NetrUseAdd NetrUseGetInfo NetrUseDel NetrUseEnum NetrMessageBufferSend ' +
    'NetrWorkstationStatisticsGet NetrLogonDomainNameAdd NetrLogonDomainNameDel NetrJoinDomain ' +
    'NetrUnjoinDomain NetrValidateName NetrRenameMachineInDomain NetrGetJoinInformation ' +
    'NetrGetJoinableOUs NetrJoinDomain2 NetrUnjoinDomain2 NetrRenameMachineInDomain2 ' +
    'NetrValidateName2 NetrGetJoinableOUs2 NetrAddAlternateComputerName ' +
    'NetrRemoveAlternateComputerName NetrSetPrimaryComputerName NetrEnumerateComputerNames ' +
    'NetrWorkstationResetDfsCache'],
  ['3919286a-b10c-11d0-9ba8-00c04fd92ef5', 'dssetup', 'win32',
    'DsRolerGetPrimaryDomainInformation DsRolerDnsNameToFlatName DsRolerDcAsDc DsRolerDcAsReplica ' +
    'DsRolerDemoteDc DsRolerGetDcOperationProgress DsRolerGetDcOperationResults DsRolerCancel ' +
    'DsRolerServerSaveStateForUpgrade DsRolerUpgradeDownlevelServer ' +
    'DsRolerAbortDownlevelServerUpgrade'],
  ['12345678-1234-abcd-ef00-0123456789ab', 'spoolss', 'win32',
    'RpcEnumPrinters RpcOpenPrinter RpcSetJob RpcGetJob RpcEnumJobs RpcAddPrinter ' +
    'RpcDeletePrinter RpcSetPrinter RpcGetPrinter RpcAddPrinterDriver RpcEnumPrinterDrivers ' +
    'RpcGetPrinterDriver RpcGetPrinterDriverDirectory RpcDeletePrinterDriver RpcAddPrintProcessor ' +
    'RpcEnumPrintProcessors RpcGetPrintProcessorDirectory RpcStartDocPrinter RpcStartPagePrinter ' +
    'RpcWritePrinter RpcEndPagePrinter RpcAbortPrinter RpcReadPrinter RpcEndDocPrinter RpcAddJob ' +
    'RpcScheduleJob RpcGetPrinterData RpcSetPrinterData RpcWaitForPrinterChange RpcClosePrinter ' +
    'RpcAddForm RpcDeleteForm RpcGetForm RpcSetForm RpcEnumForms RpcEnumPorts RpcEnumMonitors ' +
    'RpcAddPort RpcConfigurePort RpcDeletePort RpcCreatePrinterIC RpcPlayGdiScriptOnPrinterIC ' +
    'RpcDeletePrinterIC RpcAddPrinterConnection RpcDeletePrinterConnection RpcPrinterMessageBox ' +
    'RpcAddMonitor RpcDeleteMonitor RpcDeletePrintProcessor RpcAddPrintProvidor ' +
    'RpcDeletePrintProvidor RpcEnumPrintProcessorDatatypes RpcResetPrinter RpcGetPrinterDriver2 ' +
    'RpcClientFindFirstPrinterChangeNotification RpcFindNextPrinterChangeNotification ' +
    'RpcFindClosePrinterChangeNotification RpcRouterFindFirstPrinterChangeNotificationOld ' +
    'RpcReplyOpenPrinter RpcRouterReplyPrinter RpcReplyClosePrinter RpcAddPortEx ' +
    'RpcRemoteFindFirstPrinterChangeNotification RpcSpoolerInit RpcResetPrinterEx ' +
    'RpcRemoteFindFirstPrinterChangeNotificationEx RpcRouterReplyPrinterEx ' +
    'RpcRouterRefreshPrinterChangeNotification RpcSetAllocFailCount RpcSplOpenPrinter ' +
    'RpcAddPrinterEx RpcSetPort RpcEnumPrinterData RpcDeletePrinterData RpcClusterSplOpen ' +
    'RpcClusterSplClose RpcClusterSplIsAlive RpcSetPrinterDataEx RpcGetPrinterDataEx ' +
    'RpcEnumPrinterDataEx RpcEnumPrinterKey RpcDeletePrinterDataEx RpcDeletePrinterKey ' +
    'RpcSeekPrinter RpcDeletePrinterDriverEx RpcAddPerMachineConnection ' +
    'RpcDeletePerMachineConnection RpcEnumPerMachineConnections RpcXcvData RpcAddPrinterDriverEx ' +
    'RpcSplOpenPrinter RpcGetSpoolFileInfo RpcCommitSpoolData RpcCloseSpoolFileHandle ' +
    'RpcFlushPrinter RpcSendRecvBidiData RpcAddDriverCatalog RpcAddPrinterConnection2 ' +
    'RpcDeletePrinterConnection2 RpcInstallPrinterDriverFromPackage RpcUploadPrinterDriverPackage ' +
    'RpcGetCorePrinterDrivers RpcCorePrinterDriverInstalled RpcGetPrinterDriverPackagePath ' +
    'RpcReportJobProcessingProgress - - - - - RpcGetJobNamedPropertyValue RpcSetJobNamedProperty ' +
    'RpcDeleteJobNamedProperty RpcEnumJobNamedProperties - - RpcLogJobInfoForBranchOffice'],
  ['1544f5e0-613c-11d1-93df-00c04fd7bd09', 'exchange_rfr', 'win32', ''],
  ['f5cc5a18-4264-101a-8c59-08002b2f8426', 'nspi', 'win32',
    'NspiBind NspiUnbind NspiUpdateStat NspiQueryRows NspiSeekEntries NspiGetMatches ' +
    'NspiResortRestriction NspiDNToEph NspiGetPropList NspiGetProps NspiCompareMIds NspiModProps ' +
    'NspiGetSpecialTable NspiGetTemplateInfo NspiModLinkAtt - NspiQueryColumns ' +
    'NspiGetNamesFromIDs NspiGetIDsFromNames NspiResolveNames NspiResolveNamesW'],
  ['a4f1db00-ca47-1067-b31f-00dd010662da', 'exchange_mapi', 'win32',
    'EcDoConnect EcDoDisconnect EcDoRpc EcGetMoreRpc EcRRegisterPushNotification ' +
    'EcRUnregisterPushNotification EcDummyRpc EcRGetDCName EcRNetGetDCName EcDoRpcExt ' +
    'EcDoConnectEx EcDoRpcExt2 EcUnknown0xC EcUnknown0xD EcDoAsyncConnectEx'],
  ['9556dc99-828c-11cf-a37e-00aa003240c7', 'IWbemServices', 'hresult',
    '- - - OpenNamespace CancelAsyncCall QueryObjectSink GetObject GetObjectAsync PutClass ' +
    'PutClassAsync DeleteClass DeleteClassAsync CreateClassEnum CreateClassEnumAsync PutInstance ' +
    'PutInstanceAsync DeleteClass DeleteClassAsync CreateInstanceEnum CreateInstanceEnumAsync ' +
    'ExecQuery ExecQueryAsync ExecNotificationQuery ExecNotificationQueryAsync ExecMethod ' +
    'ExecMethodAsync'],
  ['f309ad18-d86a-11d0-a075-00c04fb68820', 'IWbemLevel1Login', 'hresult',
    '- - - EstablishPosition RequestChallenge WBEMLogin NTLMLogin'],
  ['d4781cd6-e5d3-44df-ad94-930efe48a887', 'IWbemLoginClientID', 'hresult', ''],
  ['44aca674-e8fc-11d0-a07c-00c04fb68820', 'IWbemContext interface', 'hresult', ''],
  ['674b6698-ee92-11d0-ad71-00c04fd8fdff', 'IWbemContext unmarshaler', 'hresult', ''],
  ['dc12a681-737f-11cf-884d-00aa004b2e24', 'IWbemClassObject interface', 'hresult', ''],
  ['4590f812-1d3a-11d0-891f-00aa004b2e24', 'IWbemClassObject unmarshaler', 'hresult', ''],
  ['9a653086-174f-11d2-b5f9-00104b703efd', 'IWbemClassObject interface', 'hresult', ''],
  ['c49e32c6-bc8b-11d2-85d4-00105a1f8304', 'IWbemBackupRestoreEx interface', 'hresult', ''],
  ['7c857801-7381-11cf-884d-00aa004b2e24', 'IWbemObjectSink interface', 'hresult', ''],
  ['027947e1-d731-11ce-a357-000000000001', 'IEnumWbemClassObject interface', 'hresult',
    '- - - Reset Next NextAsync Clone Skip'],
  ['44aca675-e8fc-11d0-a07c-00c04fb68820', 'IWbemCallResult interface', 'hresult', ''],
  ['c49e32c7-bc8b-11d2-85d4-00105a1f8304', 'IWbemBackupRestore interface', 'hresult', ''],
  ['a359dec5-e813-4834-8a2a-ba7f1d777d76', 'IWbemBackupRestoreEx interface', 'hresult', ''],
  ['f1e9c5b2-f59b-11d2-b362-00105a1f8177', 'IWbemRemoteRefresher interface', 'hresult', ''],
  ['2c9273e0-1dc3-11d3-b364-00105a1f8177', 'IWbemRefreshingServices interface', 'hresult', ''],
  ['423ec01e-2e35-11d2-b604-00104b703efd', 'IWbemWCOSmartEnum interface', 'hresult', ''],
  ['1c1c45ee-4395-11d2-b60b-00104b703efd', 'IWbemFetchSmartEnum interface', 'hresult', ''],
  ['541679ab-2e5f-11d3-b34e-00104bcc4b4a', 'IWbemLoginHelper interface', 'hresult', ''],
  ['51c82175-844e-4750-b0d8-ec255555bc06', 'KMS', 'win32', ''],
  ['50abc2a4-574d-40b3-9d66-ee4fd5fba076', 'dnsserver', 'win32',
    'DnssrvOperation DnssrvQuery DnssrvComplexOperation DnssrvEnumRecords DnssrvUpdateRecord ' +
    'DnssrvOperation2 DnssrvQuery2 DnssrvComplexOperation2 DnssrvEnumRecords2 DnssrvUpdateRecord2 ' +
    'DnssrvUpdateRecord3 DnssrvEnumRecords3 DnssrvOperation3 DnssrvQuery3 DnssrvComplexOperation3 ' +
    'DnssrvOperation4 DnssrvQuery4 DnssrvUpdateRecord4 DnssrvEnumRecords4'],
  ['3faf4738-3a21-4307-b46c-fdda9bb8c0d5', 'AudioSrv', 'win32',
    'gfxCreateZoneFactoriesList gfxCreateGfxFactoriesList gfxCreateGfxList gfxRemoveGfx gfxAddGfx ' +
    'gfxModifyGx gfxOpenGfx gfxLogon gfxLogoff winmmRegisterSessionNotificationEvent ' +
    'winmmUnregisterSessionNotification winmmSessionConnectState wdmDriverOpenDrvRegKey ' +
    'winmmAdvisePreferredDeviceChange winmmGetPnpInfo'],
  ['c386ca3e-9061-4a72-821e-498d83be188f', 'AudioRpc', 'win32',
    'AudioServerConnect AudioServerDisconnect AudioServerInitialize AudioServerGetAudioSession ' +
    'AudioServerCreateStream AudioServerDestroyStream AudioServerGetStreamLatency ' +
    'AudioServerGetMixFormat AudioServerIsFormatSupported AudioServerGetDevicePeriod ' +
    'AudioVolumeGetMasterVolumeLevelScalar AudioSessionGetProcessId AudioSessionGetState ' +
    'AudioSessionGetLastActivation AudioSessionGetLastInactivation ' +
    'AudioSessionIsSystemSoundsSession AudioSessionGetDisplayName AudioSessionSetDisplayName ' +
    'AudioSessionGetSessionClass AudioSessionSetSessionClass AudioSessionGetVolume ' +
    'AudioSessionSetVolume AudioSessionGetMute AudioSessionSetMute AudioSessionGetChannelCount ' +
    'AudioSessionSetChannelVolume AudioSessionGetChannelVolume AudioSessionSetAllVolumes ' +
    'AudioSessionGetAllVolumes AudioServerDisconnect AudioServerGetMixFormat ' +
    'PolicyConfigGetDeviceFormat PolicyConfigSetDeviceFormat AudioServerGetDevicePeriod ' +
    'PolicyConfigSetProcessingPeriod PolicyConfigGetShareMode PolicyConfigSetShareMode ' +
    'GetAudioSessionManager AudioSessionManagerDestroy AudioSessionManagerGetAudioSession ' +
    'AudioSessionManagerGetCurrentSession AudioSessionManagerGetExistingSession ' +
    'AudioSessionManagerAddAudioSessionClientNotification ' +
    'AudioSessionManagerDeleteAudioSessionClientNotification ' +
    'AudioSessionManagerAddAudioSessionClientNotification AudioVolumeConnect ' +
    'AudioVolumeDisconnect AudioVolumeGetChannelCount AudioVolumeSetMasterVolumeLevel ' +
    'AudioVolumeSetMasterVolumeLevelScalar AudioVolumeGetMasterVolumeLevel ' +
    'AudioVolumeGetMasterVolumeLevelScalar AudioVolumeSetChannelVolumeLevel ' +
    'AudioVolumeSetChannelVolumeLevelScalar AudioVolumeGetChannelVolumeLevel ' +
    'AudioVolumeGetChannelVolumeLevelScalar AudioVolumeSetMute AudioSessionGetDisplayName ' +
    'AudioVolumeAddMasterVolumeNotification AudioVolumeDeleteMasterVolumeNotification ' +
    'AudioMeterGetAverageRMS AudioMeterGetChannelsRMS AudioMeterGetPeakValue ' +
    'AudioMeterGetChannelsPeakValues AudioVolumeGetStepInfo AudioVolumeStepUp AudioVolumeStepDown'],
  ['6bffd098-a112-3610-9833-012892020162', 'browser', 'win32',
    'BrowserrServerEnum BrowserrDebugCall BrowserrQueryOtherDomains BrowserrResetNetlogonState ' +
    'BrowserrDebugTrace BrowserrQueryStatistics BrowserrResetStatistics ' +
    'NetrBrowserStatisticsClear NetrBrowserStatisticsGet BrowserrSetNetlogonState ' +
    'BrowserrQueryEmulatedDomains BrowserrServerEnumEx'],
  ['91ae6020-9e3c-11cf-8d7c-00aa00c091be', 'ICertPassage', 'win32', 'CertServerRequest'],
  ['c8cb7687-e6d3-11d2-a958-00c04f682e16', 'DAV RPC SERVICE', 'win32', ''],
  ['82273fdc-e32a-18c3-3f78-827929dc23ea', 'eventlog', 'ntstatus',
    'ElfrClearELFW ElfrBackupELFW ElfrCloseEL ElfrDeregisterEventSource ElfrNumberOfRecords ' +
    'ElfrOldestRecord ElfrChangeNotify ElfrOpenELW ElfrRegisterEventSourceW ElfrOpenBELW ' +
    'ElfrReadELW ElfrReportEventW ElfrClearELFA ElfrBackupELFA ElfrOpenELA ' +
    'ElfrRegisterEventSourceA ElfrOpenBELA ElfrReadELA ElfrReportEventA ElfrRegisterClusterSvc ' +
    'ElfrDeregisterClusterSvc ElfrWriteClusterEvents ElfrGetLogInformation ElfrFlushEL ' +
    'ElfrReportEventAndSourceW ElfrReportEventExW ElfrReportEventExA'],
  ['3d267954-eeb7-11d1-b94e-00c04fa3080d', 'HydraLsPipe', 'win32', ''],
  ['894de0c0-0d55-11d3-a322-00c04fa321a1', 'InitShutdown', 'win32',
    'BaseInitiateShutdown BaseAbortShutdown BaseInitiateShutdownEx'],
  ['d95afe70-a6d5-4259-822e-2c84da1ddb0d', 'WindowsShutdown', 'win32',
    'WsdrInitiateShutdown WsdrAbortShutdown'],
  ['8d0ffe72-d252-11d0-bf8f-00c04fd9126b', 'IKeySvc', 'win32',
    'KeyrOpenKeyService KeyrEnumerateProviders KeyrEnumerateProviderTypes ' +
    'KeyrEnumerateProvContainers KeyrCloseKeyService KeyrGetDefaultProvider ' +
    'KeyrSetDefaultProvider KeyrEnroll KeyrExportCert KeyrImportCert ' +
    'KeyrEnumerateAvailableCertTypes KeyrEnumerateCAs KeyrEnroll_V2 KeyrQueryRequestStatus'],
  ['68b58241-c259-4f03-a2e5-a2651dcbc930', 'IKeySvc2', 'win32', 'KSrSubmitRequest KSrGetTemplates KSrGetCAs'],
  ['0d72a7d4-6148-11d1-b4aa-00c04fb66ea0', 'ICertProtect', 'win32', 'SSCertProtectFunction'],
  ['f50aac00-c7f3-428e-a022-a6b71bfb9d43', 'ICatDBSvc', 'win32',
    'SSCatDBAddCatalog SSCatDBDeleteCatalog SSCatDBEnumCatalogs ' +
    'SSCatDBRegisterForChangeNotification KeyrCloseKeyService SSCatDBRebuildDatabase'],
  ['338cd001-2244-31f1-aaaa-900038001003', 'winreg', 'win32',
    'OpenClassesRoot OpenCurrentUser OpenLocalMachine OpenPerformanceData OpenUsers ' +
    'BaseRegCloseKey BaseRegCreateKey BaseRegDeleteKey BaseRegDeleteValue BaseRegEnumKey ' +
    'BaseRegEnumValue BaseRegFlushKey BaseRegGetKeySecurity BaseRegLoadKey ' +
    'BaseRegNotifyChangeKeyValue BaseRegOpenKey BaseRegQueryInfoKey BaseRegQueryValue ' +
    'BaseRegReplaceKey BaseRegRestoreKey BaseRegSaveKey BaseRegSetKeySecurity BaseRegSetValue ' +
    'BaseRegUnLoadKey BaseInitiateSystemShutdown BaseAbortSystemShutdown BaseRegGetVersion ' +
    'OpenCurrentConfig OpenDynData BaseRegQueryMultipleValues BaseInitiateSystemShutdownEx ' +
    'BaseRegSaveKeyEx OpenPerformanceText OpenPerformanceNlsText BaseRegQueryMultipleValues2 ' +
    'BaseRegDeleteKeyEx'],
  ['3dde7c30-165d-11d1-ab8f-00805f14db40', 'BackupKey', 'win32', 'bkrp_BackupKey'],
  ['3c4728c5-f0ab-448b-bda1-6ce01eb0a6d5', 'RpcSrvDHCPC', 'win32',
    'RpcSrvEnableDhcp RpcSrvRenewLease RpcSrvRenewLeaseByBroadcast RpcSrvReleaseLease ' +
    'RpcSrvSetFallbackParams RpcSrvGetFallbackParams RpcSrvFallbackRefreshParams ' +
    'RpcSrvStaticRefreshParams RpcSrvRemoveDnsRegistrations RpcSrvRequestParams ' +
    'RpcSrvPersistentRequestParams RpcSrvRegisterParams RpcSrvDeRegisterParams ' +
    'RpcSrvEnumInterfaces RpcSrvQueryLeaseInfo RpcSrvSetClassId RpcSrvGetClassId ' +
    'RpcSrvSetClientId RpcSrvGetClientId RpcSrvNotifyMediaReconnected RpcSrvGetOriginalSubnetMask ' +
    'RpcSrvSetMSFTVendorSpecificOptions RpcSrvRequestCachedParams ' +
    'RpcSrvRegisterConnectionStateNotification RpcSrvDeRegisterConnectionStateNotification ' +
    'RpcSrvGetNotificationStatus RpcSrvGetDhcpServicedConnections'],
  ['3c4728c5-f0ab-448b-bda1-6ce01eb0a6d6', 'dhcpcsvc6', 'win32',
    'RpcSrvRequestPrefix RpcSrvRenewPrefix RpcSrvReleasePrefix RpcSrvRequestParams'],
  ['2f59a331-bf7d-48cb-9ec5-7c090d76e8b8', 'lcrpc', 'win32',
    'RpcLicensingOpenServer RpcLicensingCloseServer RpcLicensingLoadPolicy ' +
    'RpcLicensingUnloadPolicy RpcLicensingSetPolicy RpcLicensingGetAvailablePolicyIds ' +
    'RpcLicensingGetPolicy RpcLicensingGetPolicyInformation RpcLicensingDeactivateCurrentPolicy'],
  ['5ca4a760-ebb1-11cf-8611-00a0245420ed', 'winstation_rpc', 'win32',
    'RpcWinStationOpenServer RpcWinStationCloseServer RpcIcaServerPing RpcWinStationEnumerate ' +
    'RpcWinStationRename RpcWinStationQueryInformation RpcWinStationSetInformation ' +
    'RpcWinStationSendMessage RpcLogonIdFromWinStationName RpcWinStationNameFromLogonId ' +
    'RpcWinStationConnect RpcWinStationVirtualOpen RpcWinStationBeepOpen RpcWinStationDisconnect ' +
    'RpcWinStationReset RpcWinStationShutdownSystem RpcWinStationWaitSystemEvent ' +
    'RpcWinStationShadow RpcWinStationShadowTargetSetup RpcWinStationShadowTarget ' +
    'RpcWinStationGenerateLicense RpcWinStationInstallLicense RpcWinStationEnumerateLicenses ' +
    'RpcWinStationActivateLicense RpcWinStationRemoveLicense RpcWinStationQueryLicense ' +
    'RpcWinStationSetPoolCount RpcWinStationQueryUpdateRequired RpcWinStationCallback ' +
    'RpcWinStationGetApplicationInfo RpcWinStationReadRegistry RpcWinStationWaitForConnect ' +
    'RpcWinStationNotifyLogon RpcWinStationNotifyLogoff RpcWinStationEnumerateProcesses ' +
    'RpcWinStationAnnoyancePopup RpcWinStationEnumerateProcesses RpcWinStationTerminateProcess ' +
    'RpcServerNWLogonSetAdmin RpcServerNWLogonQueryAdmin RpcWinStationNtsdDebug ' +
    'RpcWinStationBreakPoint RpcWinStationCheckForApplicationName RpcWinStationGetAllProcesses ' +
    'RpcWinStationGetProcessSid RpcWinStationGetTermSrvCountersValue ' +
    'RpcWinStationReInitializeSecurity RpcWinStationBroadcastSystemMessage ' +
    'RpcWinStationSendWindowMessage RpcWinStationNotifyNewSession ' +
    'RpcServerGetInternetConnectorStatus RpcServerSetInternetConnectorStatus ' +
    'RpcServerQueryInetConnectorInformation RpcWinStationGetLanAdapterName ' +
    'RpcWinStationUpdateUserConfig RpcWinStationQueryLogonCredentials ' +
    'RpcWinStationRegisterConsoleNotification RpcWinStationUnRegisterConsoleNotification ' +
    'RpcWinStationUpdateSettings RpcWinStationShadowStop RpcWinStationCloseServerEx ' +
    'RpcWinStationIsHelpAssistantSession RpcWinStationGetMachinePolicy ' +
    'RpcWinStationUpdateClientCachedCredentials RpcWinStationFUSCanRemoteUserDisconnect ' +
    'RpcWinStationCheckLoopBack RpcConnectCallback RpcWinStationNotifyDisconnectPipe ' +
    'RpcWinStationSessionInitialized RpcRemoteAssistancePrepareSystemRestore ' +
    'RpcWinStationGetAllProcesses_NT6 RpcWinStationRegisterNotificationEvent ' +
    'RpcWinStationUnRegisterNotificationEvent RpcWinStationAutoReconnect RpcWinStationCheckAccess ' +
    'RpcWinStationOpenSessionDirectory'],
  ['12b81e99-f207-4a4c-85d3-77b42f76fd14', 'ISeclogon', 'win32',
    'SeclCreateProcessWithLogonW SeclCreateProcessWithLogonExW'],
  ['d6d70ef0-0e3b-11cb-acc3-08002b1d29c3', 'NsiS', 'win32', 'nsi_binding_export nsi_binding_unexport'],
  ['d3fbb514-0e3b-11cb-8fad-08002b1d29c3', 'NsiC', 'win32',
    'nsi_binding_lookup_begin nsi_binding_lookup_done nsi_binding_lookup_next ' +
    'nsi_mgmt_handle_set_exp_age'],
  ['d6d70ef0-0e3b-11cb-acc3-08002b1d29c4', 'NsiM', 'win32',
    'nsi_group_delete nsi_group_mbr_add nsi_group_mbr_remove nsi_group_mbr_inq_begin ' +
    'nsi_group_mbr_inq_next nsi_group_mbr_inq_done nsi_profile_delete nsi_profile_elt_add ' +
    'nsi_profile_elt_remove nsi_profile_elt_inq_begin nsi_profile_elt_inq_next ' +
    'nsi_profile_elt_inq_done nsi_entry_object_inq_begin nsi_entry_object_inq_next ' +
    'nsi_entry_object_inq_done nsi_entry_expand_name nsi_mgmt_binding_unexport ' +
    'nsi_mgmt_entry_delete nsi_mgmt_entry_create nsi_mgmt_entry_inq_if_ids nsi_mgmt_inq_exp_age ' +
    'nsi_mgmt_inq_set_age'],
  ['17fdd703-1827-4e34-79d4-24a55c53bb37', 'msgsvc', 'win32',
    'NetrMessageNameAdd NetrMessageNameEnum NetrMessageNameGetInfo NetrMessageNameDel'],
  ['5a7b91f8-ff00-11d0-a9b2-00c04fb6e6fc', 'msgsvcsend', 'win32', 'NetrSendMessage'],
  ['8d9f4e40-a03d-11ce-8f69-08003e30051b', 'pnp', 'win32',
    'PNP_Disconnect PNP_Connect PNP_GetVersion PNP_GetGlobalState PNP_InitDetection ' +
    'PNP_ReportLogOn PNP_ValidateDeviceInstance PNP_GetRootDeviceInstance ' +
    'PNP_GetRelatedDeviceInstance PNP_EnumerateSubKeys PNP_GetDeviceList PNP_GetDeviceListSize ' +
    'PNP_GetDepth PNP_GetDeviceRegProp PNP_SetDeviceRegProp PNP_GetClassInstance PNP_CreateKey ' +
    'PNP_DeleteRegistryKey PNP_GetClassCount PNP_GetClassName PNP_DeleteClassKey ' +
    'PNP_GetInterfaceDeviceAlias PNP_GetInterfaceDeviceList PNP_GetInterfaceDeviceListSize ' +
    'PNP_RegisterDeviceClassAssociation PNP_UnregisterDeviceClassAssociation PNP_GetClassRegProp ' +
    'PNP_SetClassRegProp PNP_CreateDevInst PNP_DeviceInstanceAction PNP_GetDeviceStatus ' +
    'PNP_SetDeviceProblem PNP_DisableDevInst PNP_UninstallDevInst PNP_AddID PNP_RegisterDriver ' +
    'PNP_QueryRemove PNP_RequestDeviceEject PNP_IsDockStationPresent PNP_RequestEjectPC ' +
    'PNP_HwProfFlags PNP_GetHwProfInfo PNP_AddEmptyLogConf PNP_FreeLogConf PNP_GetFirstLogConf ' +
    'PNP_GetNextLogConf PNP_GetLogConfPriority PNP_AddResDes PNP_FreeResDes PNP_GetNextResDes ' +
    'PNP_GetResDesData PNP_GetResDesDataSize PNP_ModifyResDes PNP_DetectResourceConflict ' +
    'PNP_QueryResConfList PNP_SetHwProf PNP_QueryArbitratorFreeData PNP_QueryArbitratorFreeSize ' +
    'PNP_RunDetection PNP_RegisterNotification PNP_UnregisterNotification PNP_GetCustomDevProp ' +
    'PNP_GetVersionInternal PNP_GetBlockedDriverInfo PNP_GetServerSideDeviceInstallFlags ' +
    'PNP_GetObjectPropKeys PNP_GetObjectProp PNP_SetObjectProp PNP_InstallDevInst ' +
    'PNP_ApplyPowerSettings PNP_DriverStoreAddDriverPackage PNP_DriverStoreDeleteDriverPackage ' +
    'PNP_RegisterServiceNotification PNP_SetActiveService PNP_DeleteServiceDevices'],
  ['57674cd0-5200-11ce-a897-08002b2e9c6d', 'lls_license', 'win32', 'LlsrLicenseRequestW LlsrLicenseFree'],
  ['342cfd40-3c6c-11ce-a893-08002b2e9c6d', 'llsrpc', 'win32',
    'LlsrConnect LlsrClose LlsrLicenseEnumW LlsrLicenseEnumA LlsrLicenseAddW LlsrLicenseAddA ' +
    'LlsrProductEnumW LlsrProductEnumA LlsrProductAddW LlsrProductAddA LlsrProductUserEnumW ' +
    'LlsrProductUserEnumA LlsrProductServerEnumW LlsrProductServerEnumA LlsrProductLicenseEnumW ' +
    'LlsrProductLicenseEnumA LlsrUserEnumW LlsrUserEnumA LlsrUserInfoGetW LlsrUserInfoGetA ' +
    'LlsrUserInfoSetW LlsrUserInfoSetA LlsrUserDeleteW LlsrUserDeleteA LlsrUserProductEnumW ' +
    'LlsrUserProductEnumA LlsrUserProductDeleteW LlsrUserProductDeleteA LlsrMappingEnumW ' +
    'LlsrMappingEnumA LlsrMappingInfoGetW LlsrMappingInfoGetA LlsrMappingInfoSetW ' +
    'LlsrMappingInfoSetA LlsrMappingUserEnumW LlsrMappingUserEnumA LlsrMappingUserAddW ' +
    'LlsrMappingUserAddA LlsrMappingUserDeleteW LlsrMappingUserDeleteA LlsrMappingAddW ' +
    'LlsrMappingAddA LlsrMappingDeleteW LlsrMappingDeleteA LlsrServerEnumW LlsrServerEnumA ' +
    'LlsrServerProductEnumW LlsrServerProductEnumA LlsrLocalProductEnumW LlsrLocalProductEnumA ' +
    'LlsrLocalProductInfoGetW LlsrLocalProductInfoGetA LlsrLocalProductInfoSetW ' +
    'LlsrLocalProductInfoSetA LlsrServiceInfoGetW LlsrServiceInfoGetA LlsrServiceInfoSetW ' +
    'LlsrServiceInfoSetA LlsrReplConnect LlsrReplClose LlsrReplicationRequestW ' +
    'LlsrReplicationServerAddW LlsrReplicationServerServiceAddW LlsrReplicationServiceAddW ' +
    'LlsrReplicationUserAddW LlsrProductSecurityGetW LlsrProductSecurityGetA ' +
    'LlsrProductSecuritySetW LlsrProductSecuritySetA LlsrProductLicensesGetA ' +
    'LlsrProductLicensesGetW LlsrCertificateClaimEnumA LlsrCertificateClaimEnumW ' +
    'LlsrCertificateClaimAddCheckA LlsrCertificateClaimAddCheckW LlsrCertificateClaimAddA ' +
    'LlsrCertificateClaimAddW LlsrReplicationCertDbAddW LlsrReplicationProductSecurityAddW ' +
    'LlsrReplicationUserAddExW LlsrCapabilityGet LlsrLocalServiceEnumW LlsrLocalServiceEnumA ' +
    'LlsrLocalServiceAddA LlsrLocalServiceAddW LlsrLocalServiceInfoSetW LlsrLocalServiceInfoSetA ' +
    'LlsrLocalServiceInfoGetW LlsrLocalServiceInfoGetA LlsrCloseEx'],
  ['4fc742e0-4a10-11cf-8273-00aa004ae673', 'netdfs', 'win32',
    'NetrDfsManagerGetVersion NetrDfsAdd NetrDfsRemove NetrDfsSetInfo NetrDfsGetInfo NetrDfsEnum ' +
    'NetrDfsRename NetrDfsMove NetrDfsManagerGetConfigInfo NetrDfsManagerSendSiteInfo ' +
    'NetrDfsAddFtRoot NetrDfsRemoveFtRoot NetrDfsAddStdRoot NetrDfsRemoveStdRoot ' +
    'NetrDfsManagerInitialize NetrDfsAddStdRootForced NetrDfsGetDcAddress NetrDfsSetDcAddress ' +
    'NetrDfsFlushFtTable NetrDfsAdd2 NetrDfsRemove2 NetrDfsEnumEx NetrDfsSetInfo2 ' +
    'NetrDfsAddRootTarget NetrDfsRemoveRootTarget NetrDfsGetSupportedNamespaceVersion'],
  ['83da7c00-e84f-11d2-9807-00c04f8ec850', 'sfcapi', 'win32',
    'SfcSrv_GetNextProtectedFile SfcSrv_IsFileProtected SfcSrv_FileException SfcSrv_InitiateScan ' +
    'SfcSrv_PurgeCache SfcSrv_SetCacheSize SfcSrv_SetDisable SfcSrv_InstallProtectedFiles'],
  ['2f5f3220-c126-1076-b549-074d078619da', 'nddeapi', 'win32',
    'NDdeShareAddW NDdeShareDelA NDdeShareDelW NDdeGetShareSecurityA NDdeGetShareSecurityW ' +
    'NDdeSetShareSecurityA NDdeSetShareSecurityW NDdeShareEnumA NDdeShareEnumW NDdeShareGetInfoW ' +
    'NDdeShareSetInfoW NDdeSetTrustedShareA NDdeSetTrustedShareW NDdeGetTrustedShareA ' +
    'NDdeGetTrustedShareW NDdeTrustedShareEnumA NDdeTrustedShareEnumW - NDdeSpecialCommand'],
  ['0b1c2170-5732-4e0e-8cd3-d9b16f3b84d7', 'authzr', 'win32',
    'AuthzrFreeContext AuthzrInitializeContextFromSid AuthrzInitializeCompoundContext ' +
    'AuthrzAccessCheck AuthrzGetInformationFromContext AuthrzModifyClaims AuthrzModifySids'],
  ['e3d0d746-d2af-40fd-8a7a-0d7078bb7092', 'BitsPeerAuth', 'win32', 'ExchangePublicKeys'],
  ['b97db8b2-4c63-11cf-bff6-08002be23f2f', 'clusapi', 'win32',
    'ApiOpenCluster ApiCloseCluster ApiSetClusterName ApiGetClusterName ApiGetClusterVersion ' +
    'ApiGetQuorumResource ApiSetQuorumResource ApiCreateEnum ApiOpenResource ApiCreateResource ' +
    'ApiDeleteResource ApiCloseResource ApiGetResourceState ApiSetResourceName ApiGetResourceId ' +
    'ApiGetResourceType ApiFailResource ApiOnlineResource ApiOfflineResource ' +
    'ApiAddResourceDependency ApiRemoveResourceDependency ApiCanResourceBeDependent ' +
    'ApiCreateResEnum ApiAddResourceNode ApiRemoveResourceNode ApiChangeResourceGroup ' +
    'ApiCreateResourceType ApiDeleteResourceType ApiGetRootKey ApiCreateKey ApiOpenKey ApiEnumKey ' +
    'ApiSetValue ApiDeleteValue ApiQueryValue ApiDeleteKey ApiEnumValue ApiCloseKey ' +
    'ApiQueryInfoKey ApiSetKeySecurity ApiGetKeySecurity ApiOpenGroup ApiCreateGroup ' +
    'ApiDeleteGroup ApiCloseGroup ApiGetGroupState ApiSetGroupName ApiGetGroupId ApiGetNodeId ' +
    'ApiOnlineGroup ApiOfflineGroup ApiMoveGroup ApiMoveGroupToNode ApiCreateGroupResourceEnum ' +
    'ApiSetGroupNodeList ApiCreateNotify ApiCloseNotify ApiAddNotifyCluster ApiAddNotifyNode ' +
    'ApiAddNotifyGroup ApiAddNotifyResource ApiAddNotifyKey ApiReAddNotifyNode ' +
    'ApiReAddNotifyGroup ApiReAddNotifyResource ApiGetNotify ApiOpenNode ApiCloseNode ' +
    'ApiGetNodeState ApiPauseNode ApiResumeNode ApiEvictNode ApiNodeResourceControl ' +
    'ApiResourceControl ApiNodeResourceTypeControl ApiResourceTypeControl ApiNodeGroupControl ' +
    'ApiGroupControl ApiNodeNodeControl ApiNodeControl Opnum80NotUsedOnWire ApiOpenNetwork ' +
    'ApiCloseNetwork ApiGetNetworkState ApiSetNetworkName ApiCreateNetworkEnum ApiGetNetworkId ' +
    'ApiSetNetworkPriorityOrder ApiNodeNetworkControl ApiNetworkControl ApiAddNotifyNetwork ' +
    'ApiReAddNotifyNetwork ApiOpenNetInterface ApiCloseNetInterface ApiGetNetInterfaceState ' +
    'ApiGetNetInterface ApiGetNetInterfaceId ApiNodeNetInterfaceControl ApiNetInterfaceControl ' +
    'ApiAddNotifyNetInterface ApiReAddNotifyNetInterface ApiCreateNodeEnum ApiGetClusterVersion2 ' +
    'ApiCreateResTypeEnum ApiBackupClusterDatabase ApiNodeClusterControl ApiClusterControl ' +
    'ApiUnblockGetNotifyCall ApiSetServiceAccountPassword ApiSetResourceDependencyExpression ' +
    'ApiGetResourceDependencyExpression - ApiGetResourceNetworkName ApiExecuteBatch ' +
    'ApiCreateBatchPort ApiGetBatchNotification ApiCloseBatchPort ApiOpenClusterEx ApiOpenNodeEx ' +
    'ApiOpenGroupEx ApiOpenResourceEx ApiOpenNetworkEx ApiOpenNetInterfaceEx ApiChangeCsvState ' +
    'ApiCreateNodeEnumEx ApiCreateEnumEx ApiPauseNodeEx ApiPauseNodeWithDrainTarget ' +
    'ApiResumeNodeEx ApiCreateGroupEx ApiOnlineGroupEx ApiOfflineGroupEx ApiMoveGroupEx ' +
    'ApiMoveGroupToNodeEx ApiCancelClusterGroupOperation ApiOnlineResourceEx ApiOfflineResourceEx ' +
    'ApiCreateNotifyV2 ApiAddNotifyV2 ApiGetNotifyV2 - - - ApiCreateGroupEnum ' +
    'ApiCreateResourceEnum ApiExecuteReadBatch ApiRestartResource ApiGetNotifyAsync - - - - - - - ' +
    'ApiAddNotifyResourceTypeV2 - ApiExecuteReadBatchEx - - - - - ApiCreateGroupSet ' +
    'ApiOpenGroupSet ApiCloseGroupSet ApiDeleteGroupSet ApiAddGroupToGroupSet ' +
    'ApiRemoveGroupFromGroupSet ApiMoveGroupToGroupSet - ApiAddGroupSetDependency ' +
    'ApiAddGroupToGroupSetDependency ApiNodeGroupSetControl ApiGroupSetControl ' +
    'ApiSetGroupDependencyExpression ApiRemoveClusterGroupDependency ' +
    'ApiSetGroupSetDependencyExpression ApiRemoveGroupSetDependency ' +
    'ApiRemoveClusterGroupToGroupSetDependency ApiCreateGroupSetEnum ApiCreateNetInterfaceEnum ' +
    'ApiChangeCsvStateEx ApiAddGroupToGroupSetEx ApiChangeResourceGroupEx'],
  ['d61a27c6-8f53-11d0-bfa0-00a024151983', 'CNtmsSvr', 'win32', ''],
  ['6bffd098-a112-3610-9833-46c3f874532d', 'dhcpsrv', 'win32',
    'R_DhcpCreateSubnet R_DhcpSetSubnetInfo R_DhcpGetSubnetInfo R_DhcpEnumSubnets ' +
    'R_DhcpAddSubnetElement R_DhcpEnumSubnetElements R_DhcpRemoveSubnetElement R_DhcpDeleteSubnet ' +
    'R_DhcpCreateOption R_DhcpSetOptionInfo R_DhcpGetOptionInfo R_DhcpRemoveOption ' +
    'R_DhcpSetOptionValue R_DhcpGetOptionValue R_DhcpEnumOptionValues R_DhcpRemoveOptionValue ' +
    'R_DhcpCreateClientInfo R_DhcpSetClientInfo R_DhcpGetClientInfo R_DhcpDeleteClientInfo ' +
    'R_DhcpEnumSubnetClients R_DhcpGetClientOptions R_DhcpGetMibInfo R_DhcpEnumOptions ' +
    'R_DhcpSetOptionValues R_DhcpServerSetConfig R_DhcpServerGetConfig R_DhcpScanDatabase ' +
    'R_DhcpGetVersion R_DhcpAddSubnetElementV4 R_DhcpEnumSubnetElementsV4 ' +
    'R_DhcpRemoveSubnetElementV4 R_DhcpCreateClientInfoV4 R_DhcpSetClientInfoV4 ' +
    'R_DhcpGetClientInfoV4 R_DhcpEnumSubnetClientsV4 R_DhcpSetSuperScopeV4 ' +
    'R_DhcpGetSuperScopeInfoV4 R_DhcpDeleteSuperScopeV4 R_DhcpServerSetConfigV4 ' +
    'R_DhcpServerGetConfigV4 R_DhcpServerSetConfigVQ R_DhcpServerGetConfigVQ R_DhcpGetMibInfoVQ ' +
    'R_DhcpCreateClientInfoVQ R_DhcpSetClientInfoVQ R_DhcpGetClientInfoVQ ' +
    'R_DhcpEnumSubnetClientsVQ R_DhcpCreateSubnetVQ R_DhcpGetSubnetInfoVQ R_DhcpSetSubnetInfoVQ'],
  ['5b821720-f63b-11d0-aad2-00c04fc324db', 'dhcpsrv2', 'win32',
    'R_DhcpEnumSubnetClientsV5 R_DhcpSetMScopeInfo R_DhcpGetMScopeInfo R_DhcpEnumMScopes ' +
    'R_DhcpAddMScopeElement R_DhcpEnumMScopeElements R_DhcpRemoveMScopeElement R_DhcpDeleteMScope ' +
    'R_DhcpScanMDatabase R_DhcpCreateMClientInfo R_DhcpSetMClientInfo R_DhcpGetMClientInfo ' +
    'R_DhcpDeleteMClientInfo R_DhcpEnumMScopeClients R_DhcpCreateOptionV5 R_DhcpSetOptionInfoV5 ' +
    'R_DhcpGetOptionInfoV5 R_DhcpEnumOptionsV5 R_DhcpRemoveOptionV5 R_DhcpSetOptionValueV5 ' +
    'R_DhcpSetOptionValuesV5 R_DhcpGetOptionValueV5 R_DhcpEnumOptionValuesV5 ' +
    'R_DhcpRemoveOptionValueV5 R_DhcpCreateClass R_DhcpModifyClass R_DhcpDeleteClass ' +
    'R_DhcpGetClassInfo R_DhcpEnumClasses R_DhcpGetAllOptions R_DhcpGetAllOptionValues ' +
    'R_DhcpGetMCastMibInfo R_DhcpAuditLogSetParams R_DhcpAuditLogGetParams ' +
    'R_DhcpServerQueryAttribute R_DhcpServerQueryAttributes R_DhcpServerRedoAuthorization ' +
    'R_DhcpAddSubnetElementV5 R_DhcpEnumSubnetElementsV5 R_DhcpRemoveSubnetElementV5 ' +
    'R_DhcpGetServerBindingInfo R_DhcpSetServerBindingInfo R_DhcpQueryDnsRegCredentials ' +
    'R_DhcpSetDnsRegCredentials R_DhcpBackupDatabase R_DhcpRestoreDatabase ' +
    'R_DhcpGetServerSpecificStrings R_DhcpCreateOptionV6 R_DhcpSetOptionInfoV6 ' +
    'R_DhcpGetOptionInfoV6 R_DhcpEnumOptionsV6 R_DhcpRemoveOptionV6 R_DhcpSetOptionValueV6 ' +
    'R_DhcpEnumOptionValuesV6 R_DhcpRemoveOptionValueV6 R_DhcpGetAllOptionsV6 ' +
    'R_DhcpGetAllOptionValuesV6 R_DhcpCreateSubnetV6 R_DhcpEnumSubnetsV6 R_DhcpAddSubnetElementV6 ' +
    'R_DhcpEnumSubnetElementsV6 R_DhcpRemoveSubnetElementV6 R_DhcpDeleteSubnetV6 ' +
    'R_DhcpGetSubnetInfoV6 R_DhcpEnumSubnetClientsV6 R_DhcpServerSetConfigV6 ' +
    'R_DhcpServerGetConfigV6 R_DhcpGetMibInfoV6 - R_DhcpGetServerBindingInfoV6 ' +
    'R_DhcpSetServerBindingInfoV6 R_DhcpSetClientInfoV6 R_DhcpGetClientInfoV6 ' +
    'R_DhcpDeleteClientInfoV6 R_DhcpCreateClassV6 R_DhcpModifyClassV6 R_DhcpDeleteClassV6 ' +
    'R_DhcpEnumClassesV6 R_DhcpGetOptionValueV6 R_DhcpSetSubnetDelayOffer ' +
    'R_DhcpGetSubnetDelayOffer R_DhcpGetMibInfoV5 R_DhcpAddFilterV4 R_DhcpDeleteFilterV4 ' +
    'R_DhcpSetFilterV4 R_DhcpGetFilterV4 R_DhcpEnumFilterV4 R_DhcpSetDnsRegCredentialsV5 ' +
    'R_DhcpEnumSubnetClientsFilterStatusInfo R_DhcpV4FailoverCreateRelationship ' +
    'R_DhcpV4FailoverSetRelationship R_DhcpV4FailoverDeleteRelationship ' +
    'R_DhcpV4FailoverGetRelationship R_DhcpV4FailoverEnumRelationship ' +
    'R_DhcpV4FailoverAddScopeToRelationship R_DhcpV4FailoverDeleteScopeFromRelationship ' +
    'R_DhcpV4FailoverGetScopeRelationship R_DhcpV4FailoverGetScopeStatistics ' +
    'R_DhcpV4FailoverGetClientInfo R_DhcpV4FailoverGetSystemTime ' +
    'R_DhcpV4FailoverTriggerAddrAllocation R_DhcpV4SetOptionValue R_DhcpV4SetOptionValues ' +
    'R_DhcpV4GetOptionValue R_DhcpV4RemoveOptionValue R_DhcpV4GetAllOptionValues ' +
    'R_DhcpV4QueryPolicyEnforcement R_DhcpSetPolicyEnforcement R_DhcpV4CreatePolicy ' +
    'R_DhcpV4GetPolicy R_DhcpV4SetPolicy R_DhcpV4DeletePolicy R_DhcpV4EnumPolicies ' +
    'R_DhcpV4AddPolicyRange R_DhcpV4RemovePolicyRange R_DhcpV4EnumSubnetClients ' +
    'R_DhcpV6SetStatelessStoreParams R_DhcpV6GetStatelessStoreParams ' +
    'R_DhcpV6GetStatelessStatistics R_DhcpV4EnumSubnetReservations R_DhcpV4GetFreeIPAddress ' +
    'R_DhcpV6GetFreeIPAddress R_DhcpV4CreateClientInfo R_DhcpV4GetClientInfo ' +
    'R_DhcpV6CreateClientInfo R_DhcpV4FailoverGetAddressStatus R_DhcpV4CreatePolicyEx ' +
    'R_DhcpV4GetPolicyEx R_DhcpV4SetPolicyEx R_DhcpV4EnumPoliciesEx R_DhcpV4EnumSubnetClientsEx ' +
    'R_DhcpV4CreateClientInfoEx R_DhcpV4GetClientInfoEx'],
  ['8f09f000-b7ed-11ce-bbd2-00001a181cad', 'dimsvc', 'win32', ''],
  ['7c44d7d4-31d5-424c-bd5e-2b3e1f323d22', 'dsaop', 'win32', 'IDL_DSAPrepareScript IDL_DSAExecuteScript'],
  ['77df7a80-f298-11d0-8358-00a024c480a8', 'dscomm', 'win32',
    'S_DSCreateObject S_DSDeleteObject S_DSGetProps S_DSSetProps S_DSGetObjectSecurity ' +
    'S_DSSetObjectSecurity S_DSLookupBegin S_DSLookupNext S_DSLookupEnd Opnum9NotUsedOnWire ' +
    'S_DSDeleteObjectGuid S_DSGetPropsGuid S_DSSetPropsGuid S_DSGetObjectSecurityGuid ' +
    'S_DSSetObjectSecurityGuid Opnum15NotUsedOnWire Opnum16NotUsedOnWire Opnum17NotUsedOnWire ' +
    'Opnum18NotUsedOnWire S_DSQMSetMachineProperties S_DSCreateServersCache ' +
    'S_DSQMGetObjectSecurity S_DSValidateServer S_DSCloseServerHandle Opnum24NotUsedOnWire ' +
    'Opnum25NotUsedOnWire Opnum26NotUsedOnWire S_DSGetServerPort'],
  ['708cca10-9569-11d1-b2a5-0060977d8118', 'dscomm2', 'win32',
    'S_DSGetComputerSites S_DSGetPropsEx S_DSGetPropsGuidEx S_DSBeginDeleteNotification ' +
    'S_DSNotifyDelete S_DSEndDeleteNotification S_DSIsServerGC Opnum7NotUsedOnWire ' +
    'S_DSGetGCListInDomain'],
  ['df1941c5-fe89-4e79-bf10-463657acf44d', 'efsrpc', 'win32',
    'EfsRpcOpenFileRaw EfsRpcReadFileRaw EfsRpcWriteFileRaw EfsRpcCloseRaw EfsRpcEncryptFileSrv ' +
    'EfsDecryptFileSrv EfsRpcQueryUsersOnFile EfsRpcQueryRecoveryAgents EfsRpcRemoveUsersFromFile ' +
    'EfsRpcAddUsersToFile Opnum10NotUsedOnWire EfsRpcNotSupported EfsRpcFileKeyInfo ' +
    'EfsRpcDuplicateEncryptionInfoFile Opnum14NotUsedOnWire EfsRpcAddUsersToFileEx ' +
    'EfsRpcFileKeyInfoEx Opnum17NotUsedOnWire EfsRpcGetEncryptedFileMetadata ' +
    'EfsRpcSetEncryptedFileMetadata EfsRpcFlushEfsCache EfsRpcEncryptFileExServ ' +
    'EfsRpcQueryProtectors Opnum23NotUsedOnWire Opnum24NotUsedOnWire Opnum25NotUsedOnWire ' +
    'Opnum26NotUsedOnWire Opnum27NotUsedOnWire Opnum28NotUsedOnWire Opnum29NotUsedOnWire ' +
    'Opnum30NotUsedOnWire Opnum31NotUsedOnWire Opnum32NotUsedOnWire Opnum33NotUsedOnWire ' +
    'Opnum34NotUsedOnWire Opnum35NotUsedOnWire Opnum36NotUsedOnWire Opnum37NotUsedOnWire ' +
    'Opnum38NotUsedOnWire Opnum39NotUsedOnWire Opnum40NotUsedOnWire Opnum41NotUsedOnWire ' +
    'Opnum42NotUsedOnWire Opnum43NotUsedOnWire Opnum44NotUsedOnWire'],
  ['c681d488-d850-11d0-8c52-00c04fd90f7e', 'efsrpc2', 'win32',
    'EfsRpcOpenFileRaw EfsRpcReadFileRaw EfsRpcWriteFileRaw EfsRpcCloseRaw EfsRpcEncryptFileSrv ' +
    'EfsDecryptFileSrv EfsRpcQueryUsersOnFile EfsRpcQueryRecoveryAgents EfsRpcRemoveUsersFromFile ' +
    'EfsRpcAddUsersToFile Opnum10NotUsedOnWire EfsRpcNotSupported EfsRpcFileKeyInfo ' +
    'EfsRpcDuplicateEncryptionInfoFile Opnum14NotUsedOnWire EfsRpcAddUsersToFileEx ' +
    'EfsRpcFileKeyInfoEx Opnum17NotUsedOnWire EfsRpcGetEncryptedFileMetadata ' +
    'EfsRpcSetEncryptedFileMetadata EfsRpcFlushEfsCache EfsRpcEncryptFileExServ ' +
    'EfsRpcQueryProtectors Opnum23NotUsedOnWire Opnum24NotUsedOnWire Opnum25NotUsedOnWire ' +
    'Opnum26NotUsedOnWire Opnum27NotUsedOnWire Opnum28NotUsedOnWire Opnum29NotUsedOnWire ' +
    'Opnum30NotUsedOnWire Opnum31NotUsedOnWire Opnum32NotUsedOnWire Opnum33NotUsedOnWire ' +
    'Opnum34NotUsedOnWire Opnum35NotUsedOnWire Opnum36NotUsedOnWire Opnum37NotUsedOnWire ' +
    'Opnum38NotUsedOnWire Opnum39NotUsedOnWire Opnum40NotUsedOnWire Opnum41NotUsedOnWire ' +
    'Opnum42NotUsedOnWire Opnum43NotUsedOnWire Opnum44NotUsedOnWire'],
  ['ea0a3165-4834-11d2-a6f8-00c04fa346cc', 'fax', 'win32', ''],
  ['6099fc12-3eff-11d0-abd0-00c04fd91a4e', 'faxclient', 'win32', ''],
  ['a8e0653c-2744-4389-a61d-7373df8b2292', 'FileServerVssAgent', 'win32',
    'GetSupportedVersion SetContext StartShadowCopySet AddToShadowCopySet CommitShadowCopySet ' +
    'ExposeShadowCopySet RecoveryCompleteShadowCopySet AbortShadowCopySet IsPathSupported ' +
    'IsPathShadowCopied GetShareMapping DeleteShareMapping PrepareShadowCopy'],
  ['897e2e5f-93f3-4376-9c9c-fd2277495c27', 'FrsTransport', 'win32',
    'CheckConnectivity EstablishConnection EstablishSession RequestUpdates RequestVersionVector ' +
    'AsyncPoll RequestRecords UpdateCancel RawGetFileData RdcGetSignatures RdcPushSourceNeeds ' +
    'RdcGetFileData RdcClose InitializeFileTransferAsync Opnum14NotUsedOnWire RawGetFileDataAsync ' +
    'RdcGetFileDataAsync RdcFileDataTransferKeepAlive'],
  ['4bb8ab1d-9ef9-4100-8eb6-dd4b4e418b72', 'IADProxy', 'hresult',
    '- - - CreateObject DeleteObject ModifyObject'],
  ['c4b0c7d9-abe0-4733-a1e1-9fdedf260c7a', 'IADProxy2', 'hresult',
    '- - - - - - CreateObject DeleteObject ModifyObject'],
  ['03837516-098b-11d8-9414-505054503030', 'IAlertDataCollector', 'win32', ''],
  ['0383751a-098b-11d8-9414-505054503030', 'IApiTracingDataCollector', 'win32', ''],
  ['d99e6e71-fc88-11d0-b498-00a0c90312f3', 'ICertAdminD', 'hresult',
    '- - - SetExtension SetAttributes ResubmitRequest DenyRequest IsValidCertificate PublishCRL ' +
    'GetCRL RevokeCertificate EnumViewColumn GetViewDefaultColumnSet EnumAttributesOrExtensions ' +
    'OpenView EnumView CloseView ServerControl Ping GetServerState BackupPrepare BackupEnd ' +
    'BackupGetAttachmentInformation BackupGetBackupLogs BackupOpenFile BackupReadFile ' +
    'BackupCloseFile BackupTruncateLogs ImportCertificate BackupGetDynamicFiles ' +
    'RestoreGetDatabaseLocations'],
  ['7fe0d935-dda6-443f-85d0-1cfb58fe41dd', 'ICertAdminD2', 'hresult',
    '- - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - PublishCRLs GetCAProperty ' +
    'SetCAProperty GetCAPropertyInfo EnumViewColumnTable GetCASecurity SetCASecurity Ping2 ' +
    'GetArchivedKey GetAuditFilter SetAuditFilter GetOfficerRights SetOfficerRights ' +
    'GetConfigEntry SetConfigEntry ImportKey GetMyRoles DeleteRow'],
  ['d99e6e70-fc88-11d0-b498-00a0c90312f3', 'ICertRequestD', 'hresult', '- - - Request GetCACert Ping'],
  ['5422fd3a-d4b8-4cef-a12e-e87d4ca22e90', 'ICertRequestD2', 'hresult',
    '- - - Request GetCACert Ping Request2 GetCAProperty GetCAPropertyInfo Ping2'],
  ['879c8bbe-41b0-11d1-be11-00c04fb6bf70', 'IClientSink', 'win32', ''],
  ['03837514-098b-11d8-9414-505054503030', 'IConfigurationDataCollector', 'win32', ''],
  ['038374ff-098b-11d8-9414-505054503030', 'IDataCollector', 'win32', ''],
  ['03837502-098b-11d8-9414-505054503030', 'IDataCollectorCollection', 'win32', ''],
  ['03837520-098b-11d8-9414-505054503030', 'IDataCollectorSet', 'win32', ''],
  ['03837524-098b-11d8-9414-505054503030', 'IDataCollectorSetCollection', 'win32', ''],
  ['03837541-098b-11d8-9414-505054503030', 'IDataManager', 'win32', ''],
  ['00020400-0000-0000-c000-000000000046', 'IDispatch', 'hresult',
    '- - - GetTypeInfoCount GetTypeInfo GetIDsOfNames Invoke'],
  ['d2d79df7-3400-11d0-b40b-00aa005ff586', 'IDMNotify', 'hresult', '- - - ObjectsChanged'],
  ['3a410f21-553f-11d1-8e5e-00a0c92c9d5d', 'IDMRemoteServer', 'hresult', '- - - CreateRemoteObject'],
  ['00020404-0000-0000-c000-000000000046', 'IEnumVARIANT', 'hresult', ''],
  ['f6beaff7-1e19-4fbb-9f8f-b89e2018337c', 'IEventService', 'win32',
    'EvtRpcRegisterRemoteSubscription EvtRpcRemoteSubscriptionNextAsync ' +
    'EvtRpcRemoteSubscriptionNext EvtRpcRemoteSubscriptionWaitAsync ' +
    'EvtRpcRegisterControllableOperation EvtRpcRegisterLogQuery EvtRpcClearLog EvtRpcExportLog ' +
    'EvtRpcLocalizeExportLog EvtRpcMessageRender EvtRpcMessageRenderDefault EvtRpcQueryNext ' +
    'EvtRpcQuerySeek EvtRpcClose EvtRpcCancel EvtRpcAssertConfig EvtRpcRetractConfig ' +
    'EvtRpcOpenLogHandle EvtRpcGetLogFileInfo EvtRpcGetChannelList EvtRpcGetChannelConfig ' +
    'EvtRpcPutChannelConfig EvtRpcGetPublisherList EvtRpcGetPublisherListForChannel ' +
    'EvtRpcGetPublisherMetadata EvtRpcGetPublisherResourceMetadata EvtRpcGetEventMetadataEnum ' +
    'EvtRpcGetNextEventMetadata EvtRpcGetClassicLogDisplayName'],
  ['03837543-098b-11d8-9414-505054503030', 'IFolderAction', 'win32', ''],
  ['03837544-098b-11d8-9414-505054503030', 'IFolderActionCollection', 'win32', ''],
  ['7c4e1804-e342-483d-a43e-a850cfcc8d18', 'IIISApplicationAdmin', 'hresult',
    '- - - CreateApplication DeleteApplication CreateApplicationPool DeleteApplicationPool ' +
    'EnumerateApplicationsInPool RecycleApplicationPool GetProcessMode'],
  ['bd0c73bc-805b-4043-9c30-9a28d64dd7d2', 'IIISCertObj', 'hresult',
    '- - - - - - - Opnum7NotUsedOnWire Opnum8NotUsedOnWire Opnum9NotUsedOnWire InstanceName ' +
    'Opnum11NotUsedOnWire IsInstallRemote Opnum13NotUsedOnWire IsExportableRemote ' +
    'Opnum15NotUsedOnWire GetCertInfoRemote Opnum17NotUsedOnWire Opnum18NotUsedOnWire ' +
    'Opnum19NotUsedOnWire Opnum20NotUsedOnWire Opnum21NotUsedOnWire ImportFromBlob ' +
    'ImportFromBlobGetHash Opnum24NotUsedOnWire ExportToBlob'],
  ['e8fb8620-588f-11d2-9d61-00c04f79c5fe', 'IIisServiceControl', 'hresult',
    '- - - - - - - Stop Start Reboot Status Kill'],
  ['c3fcc19e-a970-11d2-8b5a-00a0c9b7c9c4', 'IManagedObject', 'hresult',
    '- - - GetSerializedBuffer GetObjectIdentify'],
  ['034634fd-ba3f-11d1-856a-00a0c944138c', 'IManageTelnetSessions', 'hresult',
    '- - - - - - - GetTelnetSessions TerminateSession SendMsgToASession'],
  ['081e7188-c080-4ff3-9238-29f66d6cabfd', 'IMessenger', 'win32', ''],
  ['8298d101-f992-43b7-8eca-5052d885b995', 'IMSAdminBase2W', 'hresult',
    '- - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - BackupWithPasswrd ' +
    'RestoreWithPasswrd Export Import RestoreHistory EnumHistory'],
  ['f612954d-3b0b-4c56-9563-227b7be624b4', 'IMSAdminBase3W', 'hresult',
    '- - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - ' +
    'GetChildPaths'],
  ['70b51430-b6ca-11d0-b9b9-00a0c922e750', 'IMSAdminBaseW', 'hresult',
    '- - - AddKey DeleteKey DeleteChildKEys EnumKeys CopyKey RenameKey R_SetData R_GetData ' +
    'DeleteDate R_EnumData R_GetAllData DeleteAllData CopyData GetDataPaths OpenKey CloseKey ' +
    'ChangePermissions SaveData GetHandleInfo GetSystemChangeNumber GetDataSetNumber ' +
    'SetLastChangeTime GetLastChangeTime R_KeyExchangePhase1 R_KeyExchangePhase2 Backup Restore ' +
    'EnumBackups DeleteBackup UnmarshalInterface R_GetServerGuid'],
  ['82ad4280-036b-11cf-972c-00aa006887b0', 'inetinfo', 'win32',
    'R_InetInfoGetVersion R_InetInfoGetAdminInformation R_InsetInfoGetSites ' +
    'R_InetInfoSetAdminInformation R_InetInfoGetGlobalAdminInformation ' +
    'R_InetInfoSetGlobalAdminInformation R_InetInfoQueryStatistics R_InetInfoClearStatistics ' +
    'R_InetInfoFlushMemoryCache R_InetInfoGetServerCapabilities R_W3QueryStatistics2 ' +
    'R_W3ClearStatistics2 R_FtpQueryStatistics2 R_FtpClearStatistics2 R_IISDEnumerateUsers ' +
    'R_IISDisconnectedUser Opnum16NotUsedOnWire Opnum17NotUsedOnWire'],
  ['4e934f30-341a-11d1-8fb1-00a024cb6019', 'INtmsLibraryControl1', 'win32', ''],
  ['db90832f-6910-4d46-9f5e-9fd6bfa73903', 'INtmsLibraryControl2', 'win32', ''],
  ['d02e4be0-3419-11d1-8fb1-00a024cb6019', 'INtmsMediaServices1', 'win32', ''],
  ['bb39332c-bfee-4380-ad8a-badc8aff5bb6', 'INtmsNotifySink', 'win32', ''],
  ['69ab7050-3059-11d1-8faf-00a024cb6019', 'INtmsObjectInfo1', 'win32', ''],
  ['b057dc50-3059-11d1-8faf-00a024cb6019', 'INtmsObjectManagement1', 'win32', ''],
  ['895a2c86-270d-489d-a6c0-dc2a9b35280e', 'INtmsObjectManagement2', 'win32', ''],
  ['3bbed8d9-2c9a-4b21-8936-acb2f995be6c', 'INtmsObjectManagement3', 'win32', ''],
  ['8da03f40-3419-11d1-8fb1-00a024cb6019', 'INtmsSession1', 'win32', ''],
  ['784b693d-95f3-420b-8126-365c098659f2', 'IOCSPAdminD', 'win32', ''],
  ['833e4100-aff7-4ac3-aac2-9f24c1457bce', 'IPCHCollection', 'win32', ''],
  ['833e4200-aff7-4ac3-aac2-9f24c1457bce', 'IPCHService', 'win32', ''],
  ['03837506-098b-11d8-9414-505054503030', 'IPerformanceCounterDataCollector', 'win32', ''],
  ['f120a684-b926-447f-9df4-c966cb785648', 'IRASrv', 'win32', ''],
  ['6619a740-8154-43be-a186-0319578e02db', 'IRemoteDispatch', 'hresult',
    '- - - - - - - RemoteDispatchAutoDone RemoteDispatchNotAutoDone'],
  ['66a2db22-d706-11d0-a37b-00c04fc9da04', 'IRemoteICFICSConfig', 'win32', ''],
  ['6139d8a4-e508-4ebb-bac7-d7f275145897', 'IRemoteIPV6Config', 'win32', ''],
  ['66a2db1b-d706-11d0-a37b-00c04fc9da04', 'IRemoteNetworkConfig', 'win32', ''],
  ['66a2db20-d706-11d0-a37b-00c04fc9da04', 'IRemoteRouterRestart', 'win32', ''],
  ['66a2db21-d706-11d0-a37b-00c04fc9da04', 'IRemoteSetDnsConfig', 'win32', ''],
  ['5ff9bdf6-bd91-4d8b-a614-d6317acc8dd8', 'IRemoteSstpCertCheck', 'win32', ''],
  ['67e08fc2-2984-4b62-b92e-fc1aae64bbbb', 'IRemoteStringIdConfig', 'win32', ''],
  ['00000131-0000-0000-c000-000000000046', 'IRemUnknown', 'hresult',
    '- - - RemQueryInterface RemAddRef RemRelease'],
  ['c5cebee2-9df5-4cdd-a08c-c2471bc144b4', 'IResourceManager', 'hresult',
    '- - - - - - - RetrieveEventList GetSystemAffinity ImportXMLFiles ExportXMLFiles ' +
    'RestoreXMLFiles GetDependencies GetServiceList GetllSAppPoolNames GetServerName ' +
    'GetCurrentMemory'],
  ['2a3eb639-d134-422d-90d8-aaa1b5216202', 'IResourceManager2', 'hresult',
    '- - - - - - - ExportObjects GetImportConflicts ImportXml ExportXml'],
  ['7d07f313-a53f-459a-bb12-012c15b1846e', 'IRobustNtmsMediaServices1', 'win32', ''],
  ['833e41aa-aff7-4ac3-aac2-9f24c1457bce', 'ISAFSession', 'win32', ''],
  ['0383753a-098b-11d8-9414-505054503030', 'ISchedule', 'win32', ''],
  ['0383753d-098b-11d8-9414-505054503030', 'IScheduleCollection', 'win32', ''],
  ['b9785960-524f-11df-8b6d-83dcded72085', 'ISDKey', 'win32', 'GetKey'],
  ['e65e8028-83e8-491b-9af7-aaf6bd51a0ce', 'IServerHealthReport', 'hresult',
    '- - - GetReport GetCompressedReport GetRawReportEx GetReferenceVersionVectors ' +
    'Opnum7NotUsedOnWire GetReferenceBacklogCounts'],
  ['20d15747-6c48-4254-a358-65039fd8c63c', 'IServerHealthReport2', 'hresult',
    '- - - - - - - - - GetReport - - - - - - GetCompressedReport'],
  ['8165b19e-8d3a-4d0b-80c8-97de310db583', 'IServicedComponentInfo', 'hresult', '- - - GetComponentInfo'],
  ['112b1dff-d9dc-41f7-869f-d67fee7cb591', 'ITpmVirtualSmartCardManager', 'hresult',
    '- - - CreateVirtualSmartCard DestroyVirtualSmartCard'],
  ['fdf8a2b9-02de-47f4-bc26-aa85ab5e5267', 'ITpmVirtualSmartCardManager2', 'hresult',
    '- - - - - CreateVirtualSmartCardWithPinPolicy'],
  ['3c745a97-f375-4150-be17-5950f694c699', 'ITpmVirtualSmartCardManager3', 'hresult',
    '- - - - - - CreateVirtualSmartCardWithAttestation'],
  ['1a1bb35f-abb8-451c-a1ae-33d98f1bef4a', 'ITpmVirtualSmartCardManagerStatusCallback', 'hresult',
    '- - - ReportProgress ReportError'],
  ['0383750b-098b-11d8-9414-505054503030', 'ITraceDataCollector', 'win32', ''],
  ['03837512-098b-11d8-9414-505054503030', 'ITraceDataProvider', 'win32', ''],
  ['03837510-098b-11d8-9414-505054503030', 'ITraceDataProviderCollection', 'win32', ''],
  ['00020403-0000-0000-c000-000000000046', 'ITypeComp', 'hresult', ''],
  ['00020401-0000-0000-c000-000000000046', 'ITypeInfo', 'hresult',
    '- - - GetTypeAttr GetTypeComp GetFuncDesc GetVarDesc GetNames GetRefTypeOfImplType ' +
    'GetImplTypeFlags - - GetDocumentation GetDllEntry GetRefTypeInfo - CreateInstance GetMops ' +
    'GetContainingTypeLib'],
  ['00020412-0000-0000-c000-000000000046', 'ITypeInfo2', 'hresult', ''],
  ['00020402-0000-0000-c000-000000000046', 'ITypeLib', 'hresult', ''],
  ['00020411-0000-0000-c000-000000000046', 'ITypeLib2', 'hresult', ''],
  ['00000000-0000-0000-c000-000000000046', 'IUnknown', 'hresult',
    'Opnum0NotUsedOnWire Opnum1NotUsedOnWire Opnum2NotUsedOnWire'],
  ['03837534-098b-11d8-9414-505054503030', 'IValueMap', 'win32', ''],
  ['03837533-098b-11d8-9414-505054503030', 'IValueMapItem', 'win32', ''],
  ['d2d79df5-3400-11d0-b40b-00aa005ff586', 'IVolumeClient', 'hresult',
    '- - - EnumDisksEx EnumDiskRegionsEx CreatePartition CreatePartitionAssignAndFormat ' +
    'CreatePartitionAssignandFormatEx DeletePartition WriteSignature MarkActivePartition Eject ' +
    'Opnum12NotUsedOnWire FTEnumVolumes FTEnumLogicalDiskMembers FTDeleteVolume FTBreakMirror ' +
    'FTResyncMirror FTRegenerateParityStripe FTReplaceMirrorPartition ' +
    'FTReplaceParityStripePartition EnumDriveLetters AssignDriveLetter FreeDriveLetter ' +
    'EnumLocalFileSystems GetInstalledFileSystems Format Opnum27NotUsedOnWire EnumVolumes ' +
    'EnumVolumeMembers CreateVolume CreateVolumeAssignAndFormat CreateVolumeAssignAndFormatEx ' +
    'GetVolumeMountName GrowVolume DeleteVolume AddMirror RemoveMirror SplitMirror ' +
    'InitializeDiskEx UninitializeDisk ReConnectDisk Opnum42NotUsedOnWire ImportDiskGroup ' +
    'DiskMergeQuery DiskMerge Opnum46NotUsedOnWire ReAttachDisk Opnum48NotUsedOnWire ' +
    'Opnum49NotUsedOnWire Opnum50NotUsedOnWire ReplaceRaid5Column RestartVolume ' +
    'GetEncapsulateDiskInfoEx EncapsulateDiskEx QueryChangePartitionNumbers ' +
    'DeletePartitionNumberInfoFromRegistry SetDontShow GetDontShow Opnum59NotUsedOnWire ' +
    'Opnum60NotUsedOnWire Opnum61NotUsedOnWire Opnum62NotUsedOnWire Opnum63NotUsedOnWire ' +
    'Opnum64NotUsedOnWire Opnum65NotUsedOnWire Opnum66NotUsedOnWire EnumTasks GetTaskDetail ' +
    'AbortTask HrGetErrorData Initialize Uninitialize Refresh RescanDisks RefreshFileSys ' +
    'SecureSystemPartition ShutDownSystem EnumAccessPath EnumAccessPathForVolume AddAccessPath ' +
    'DeleteAccessPath'],
  ['4bdafc52-fe6a-11d2-93f8-00105a11164a', 'IVolumeClient2', 'hresult', '- - - GetMaxAdjustedFreeSpace'],
  ['135698d2-3a37-4d26-99df-e2bb6ae3ac61', 'IVolumeClient3', 'hresult',
    '- - - EnumDisksEx EnumDiskRegionsEx CreatePartition CreatePartitionAssignAndFormat ' +
    'CreatePartitionAssignandFormatEx DeletePartition InitializeDiskStyle MarkActivePartition ' +
    'Eject Opnum12NotUsedOnWire FTEnumVolumes FTEnumLogicalDiskMembers FTDeleteVolume ' +
    'FTBreakMirror FTResyncMirror FTRegenerateParityStripe FTReplaceMirrorPartition ' +
    'FTReplaceParityStripePartition EnumDriveLetters AssignDriveLetter FreeDriveLetter ' +
    'EnumLocalFileSystems GetInstalledFileSystems Format EnumVolumes EnumVolumeMembers ' +
    'CreateVolume CreateVolumeAssignAndFormat CreateVolumeAssignAndFormatEx GetVolumeMountName ' +
    'GrowVolume DeleteVolume CreatePartitionsForVolume DeletePartitionsForVolume ' +
    'GetMaxAdjustedFreeSpace AddMirror RemoveMirror SplitMirror InitializeDiskEx UninitializeDisk ' +
    'ReConnectDisk ImportDiskGroup DiskMergeQuery DiskMerge ReAttachDisk ReplaceRaid5Column ' +
    'RestartVolume GetEncapsulateDiskInfoEx EncapsulateDiskEx QueryChangePartitionNumbers ' +
    'DeletePartitionNumberInfoFromRegistry SetDontShow GetDontShow Opnum56NotUsedOnWire ' +
    'Opnum57NotUsedOnWire Opnum58NotUsedOnWire Opnum59NotUsedOnWire Opnum60NotUsedOnWire ' +
    'Opnum61NotUsedOnWire Opnum62NotUsedOnWire Opnum63NotUsedOnWire EnumTasks GetTaskDetail ' +
    'AbortTask HrGetErrorData Initialize Uninitialize Refresh RescanDisks RefreshFileSys ' +
    'SecureSystemPartition ShutDownSystem EnumAccessPath EnumAccessPathForVolume AddAccessPath ' +
    'DeleteAccessPath'],
  ['deb01010-3a37-4d26-99df-e2bb6ae3ac61', 'IVolumeClient4', 'hresult',
    '- - - RefreshEx GetVolumeDeviceName'],
  ['214a0f28-b737-4026-b847-4f9e37d79529', 'IVssDifferentialSoftwareSnapshotMgmt', 'hresult',
    '- - - AddDiffArea ChangeDiffAreaMaximizeSize QueryVolumesSupportedForDiffAreas ' +
    'QueryDiffAreasForVolume QueryDiffAreaOnVolume Opnum08NotUsedOnWire'],
  ['01954e6b-9254-4e6e-808c-c9e05d007696', 'IVssEnumMgmtObject', 'hresult', '- - - Next Skip Reset Clone'],
  ['ae1c7110-2f60-11d3-8a39-00c04f72d8e3', 'IVssEnumObject', 'hresult', '- - - Next Skip Reset Clone'],
  ['fa7df749-66e7-4986-a27f-e2f04ae53772', 'IVssSnapshotMgmt', 'hresult',
    '- - - GetProviderMgmtInterface QueryVolumesSupportedForSnapshots QuerySnapshotsByVolume'],
  ['29822ab7-f302-11d0-9953-00c04fd919c1', 'IWamAdmin', 'hresult',
    '- - - AppCreate AppDelete AppUnLoad AppGetStatus AppDeleteRecoverable AppRecover'],
  ['29822ab8-f302-11d0-9953-00c04fd919c1', 'IWamAdmin2', 'hresult', '- - - - - - - - - AppCreate2'],
  ['4f7ca01c-a9e5-45b6-b142-2332a1339c1d', 'IWRMAccounting', 'hresult',
    '- - - - - - - CreateAccountingDb GetAccountingMetadata ExecuteAccountingQuery ' +
    'GetRawAccountingData GetNextAccountingDataBatch DeleteAccountingData DefragmentDB ' +
    'CancelAccountingQuery RegisterAccountingClient DumpAccountingData GetAccountingClients ' +
    'SetAccountingClientStatus CheckAccountingConnection SetClientPermissions'],
  ['481e06cf-ab04-4498-8ffe-124a0a34296d', 'IWRMCalendar', 'hresult',
    '- - - - - - - GetCalendarInfo CreateCalendar ModifyCalendar DeleteCalendar RenameCalendar ' +
    'ComputeEvents GetScheduleInfo CreateSchedule ModifySchedule DeleteSchedule RenameSchedule ' +
    'MoveBeforeCalendar MoveAfterCalendar GetServerTimeZone'],
  ['21546ae8-4da5-445e-987f-627fea39c5e8', 'IWRMConfig', 'hresult',
    '- - - - - - - GetConfig SetConfig IsEnabled EnableDisable GetExclusionList SetExclusionList ' +
    'WSRMActivate IsWSRMActivated RestoreExclusionList'],
  ['943991a5-b3fe-41fa-9696-7f7b656ee34b', 'IWRMMachineGroup', 'hresult',
    '- - - - - - - CreateMachineGroup GetMachineGroupInfo ModifyMachineGroup DeleteMachineGroup ' +
    'RenameMachineGroup AddMachine GetMachineInfo ModifyMachineInfo DeleteMachine'],
  ['59602eb6-57b0-4fd8-aa4b-ebf06971fe15', 'IWRMPolicy', 'hresult',
    '- - - - - - - GetPolicyInfo CreatePolicy ModifyPolicy DeletePolicy RenameAllocationPolicy ' +
    'MoveBefore MoveAfter SetCalDefaultPolicyName GetCalDefaultPolicyName GetProcessList ' +
    'GetCurrentPolicy SetCurrentPolicy GetCurrentStateAndActivePolicyName GetConditionalPolicy ' +
    'SetConditionalPolicy'],
  ['f31931a9-832d-481c-9503-887a0e6a79f0', 'IWRMProtocol', 'hresult', '- - - - - - - GetSupportedClient'],
  ['fc910418-55ca-45ef-b264-83d4ce7d30e0', 'IWRMRemoteSessionMgmt', 'hresult',
    '- - - - - - - GetRemoteUserCategories SetRemoteUserCategories RefreshRemoteSessionWeights'],
  ['bc681469-9dd9-4bf4-9b3d-709f69efe431', 'IWRMResourceGroup', 'hresult',
    '- - - - - - - GetResourceGroupInfo ModifyResourceGroup CreateResourceGroup ' +
    'DeleteResourceGroup RenameResourceGroup'],
  ['e33c0cc4-0482-101a-bc0c-02608c6ba218', 'locator', 'win32',
    'I_nsi_lookup_begin I_nsi_lookup_done I_nsi_lookup_next I_nsi_entry_object_inq_next ' +
    'I_nsi_ping_locator I_nsi_entry_object_inq_done I_nsi_entry_object_inq_begin'],
  ['afc07e2e-311c-4435-808c-c483ffeec7c9', 'lsacap', 'ntstatus', 'LsarGetAvailableCAPIDs'],
  ['22e5386d-8b12-4bf0-b0ec-6a1ea419e366', 'NetEventForwarder', 'win32',
    'RpcNetEventOpenSession RpcNetEventReceiveData RpcNetEventCloseSession'],
  ['d049b186-814f-11d1-9a3c-00c04fc9b232', 'NtFrsApi', 'win32',
    'Opnum0NotUsedOnWire Opnum1NotUsedOnWire Opnum2NotUsedOnWire Opnum3NotUsedOnWire ' +
    'NtFrsApi_Rpc_Set_DsPollingIntervalW NtFrsApi_Rpc_Get_DsPollingIntervalW Opnum6NotUsedOnWire ' +
    'NtFrsApi_Rpc_InfoW NtFrsApi_Rpc_IsPathReplicated NtFrsApi_Rpc_WriterCommand ' +
    'NtFrsApi_Rpc_ForceReplication'],
  ['da5a86c5-12c2-4943-ab30-7f74a813d853', 'PerflibV2', 'win32', ''],
  ['1088a980-eae5-11d0-8d9b-00a02453c337', 'qm2qm', 'win32', ''],
  ['fdb3a030-065f-11d1-bb9b-00a024ea5525', 'qmcomm', 'win32', ''],
  ['76d12b80-3467-11d3-91ff-0090272f9ea3', 'qmcomm2', 'win32', ''],
  ['41208ee0-e970-11d1-9b9e-00e02c064c39', 'qmmgmt', 'win32', ''],
  ['20610036-fa22-11cf-9823-00a0c911e5df', 'rasrpc', 'win32', ''],
  ['497d95a6-2d27-4bf5-9bbd-a6046957133c', 'RCMListener', 'win32',
    'RpcOpenListener RpcCloseListener RpcStopListener RpcStartListener RpcIsListening'],
  ['bde95fdf-eee0-45de-9e12-e5a61cd0d4fe', 'RCMPublic', 'win32',
    'RpcGetClientData RpcGetConfigData RpcGetProtocolStatus RpcGetLastInputTime ' +
    'RpcGetRemoteAddress Opnum5NotUsedOnWire Opnum6NotUsedOnWire Opnum7NotUsedOnWire ' +
    'RpcGetAllListeners RpcGetSessionProtocolLastInputTime RpcGetUserCertificates ' +
    'RpcQuerySessionData'],
  ['6b5bdd1e-528c-422c-af8c-a4079be4fe48', 'RemoteFW', 'win32',
    'RRPC_FWOpenPolicyStore RRPC_FWClosePolicyStore RRPC_FWRestoreDefaults RRPC_FWGetGlobalConfig ' +
    'RRPC_FWSetGlobalConfig RRPC_FWAddFirewallRule RRPC_FWSetFirewallRule ' +
    'RRPC_FWDeleteFirewallRule RRPC_FWDeleteAllFirewallRules RRPC_FWEnumFirewallRules ' +
    'RRPC_FWGetConfig RRPC_FWSetConfig RRPC_FWAddConnectionSecurityRule ' +
    'RRPC_FWSetConnectionSecurityRule RRPC_FWDeleteConnectionSecurityRule ' +
    'RRPC_FWEnumConnectionSecurityRules RRPC_FWEnumConnectionSecurityRules ' +
    'RRPC_FWAddAuthenticationSet RRPC_FWSetAuthenticationSet RRPC_FWDeleteAuthenticationSet ' +
    'RRPC_FWDeleteAllAuthenticationSets RRPC_FWEnumAuthenticationSets RRPC_FWAddCryptoSet ' +
    'RRPC_FWSetCryptoSet RRPC_FWDeleteCryptoSet RRPC_FWDeleteAllCryptoSets RRPC_FWEnumCryptoSets ' +
    'RRPC_FWEnumPhase1SAs RRPC_FWEnumPhase2SAs RRPC_FWDeletePhase1SAs RRPC_FWDeletePhase2SAs ' +
    'RRPC_FWEnumProducts RRPC_FWAddMainModeRule RRPC_FWSetMainModeRule RRPC_FWDeleteMainModeRule ' +
    'RRPC_FWDeleteAllMainModeRules RRPC_FWEnumMainModeRules RRPC_FWQueryFirewallRules ' +
    'RRPC_FWQueryConnectionSecurityRules RRPC_FWQueryMainModeRules RRPC_FWQueryAuthenticationSets ' +
    'RRPC_FWQueryCryptoSets RRPC_FWEnumNetworks RRPC_FWEnumAdapters RRPC_FWGetGlobalConfig2_10 ' +
    'RRPC_FWGetConfig2_10 RRPC_FWAddFirewallRule2_10 RRPC_FWSetFirewallRule2_10 ' +
    'RRPC_FWEnumFirewallRules2_10 RRPC_FWAddConnectionSecurityRule2_10 ' +
    'RRPC_FWSetConnectionSecurityRule2_10 RRPC_FWEnumConnectionSecurityRules2_10 ' +
    'RRPC_FWAddAuthenticationSet2_10 RRPC_FWSetAuthenticationSet2_10 ' +
    'RRPC_FWEnumAuthenticationSets2_10 RRPC_FWAddCryptoSet2_10 RRPC_FWSetCryptoSet2_10 ' +
    'RRPC_FWEnumCryptoSets2_10 RRPC_FWAddConnectionSecurityRule2_20 ' +
    'RRPC_FWSetConnectionSecurityRule2_20 RRPC_FWEnumConnectionSecurityRules2_20 ' +
    'RRPC_FWQueryConnectionSecurityRules2_20 RRPC_FWAddAuthenticationSet2_20 ' +
    'RRPC_FWEnumAuthenticationSets2_20 RRPC_FWQueryAuthenticationSets2_20 ' +
    'RRPC_FWAddFirewallRule2_20 RRPC_FWSetFirewallRule2_20 RRPC_FWEnumFirewallRules2_20 - ' +
    'RRPC_FWQueryFirewallRules2_20 RRPC_FWAddFirewallRule2_24 RRPC_FWSetFirewallRule2_24 ' +
    'RRPC_FWEnumFirewallRules2_24 RRPC_FWQueryFirewallRules2_24 RRPC_FWAddFirewallRule2_25 ' +
    'RRPC_FWSetFirewallRule2_25 RRPC_FWEnumFirewallRules2_25 RRPC_FWQueryFirewallRules2_25 ' +
    'RRPC_FWAddFirewallRule2_26 RRPC_FWSetFirewallRule2_26 RRPC_FWEnumFirewallRules2_26 ' +
    'RRPC_FWQueryFirewallRules2_26'],
  ['1a9134dd-7b39-45ba-ad88-44d01ca47f28', 'RemoteRead', 'win32', ''],
  ['2f5f6521-ca47-1068-b319-00dd010662db', 'remotesp', 'win32',
    'RemoteSPAttach RemoteSPEventProc RemoteSPDetach'],
  ['1257b580-ce2f-4109-82d6-a9459d0bf6bc', 'SessEnvPublicRpc', 'win32', 'RpcShadow2'],
  ['4b112204-0e19-11d3-b42b-0000f81feb9f', 'ssdpsrv', 'win32',
    'RegisterServiceRpc DeregisterServiceRpcByUSN DeregisterServiceRpc UpdateCacheRpc ' +
    'LookupCacheRpc CleanupCacheRpc InitializeSyncHandle RemoveSyncHandle RegisterNotificationRpc ' +
    'GetNotificationRpc WakeupGetNotificationRpc DeregisterNotificationRpc EnableDeviceHost ' +
    'DisableDeviceHost SetICSInterfaces SetICSOff'],
  ['2f5f6520-ca46-1067-b319-00dd010662da', 'tapsrv', 'win32', 'ClientAttach ClientRequest ClientDetach'],
  ['88143fd0-c28d-4b2b-8fef-8d882f6a9390', 'TermServEnumeration', 'win32',
    'RpcOpenEnum RpcCloseEnum RpcFilterByState RpcFilterByCallersName RpcEnumAddFilter ' +
    'RpcGetEnumResult RpcFilterBySessionType Opnum7NotUsedOnWire RpcGetSessionIds ' +
    'RpcGetEnumResultEx RpcGetAllSessions RpcGetAllSessionsEx'],
  ['11899a43-2b68-4a76-92e3-a3d6ad8c26ce', 'TermServNotification', 'win32',
    'RpcWaitForSessionState RpcRegisterAsyncNotification RpcWaitAsyncNotification ' +
    'RpcUnRegisterAsyncNotification'],
  ['484809d6-4239-471b-b5bc-61df8c23ac48', 'TermSrvSession', 'win32',
    'RpcWaitForSessionState RpcRegisterAsyncNotification RpcWaitAsyncNotification ' +
    'RpcUnRegisterAsyncNotification'],
  ['4da1c422-943d-11d1-acae-00c04fc2aa3f', 'trksvr', 'win32', 'LnkSvrMessage LnkSvrMessageCallback'],
  ['300f3532-38cc-11d0-a3f0-0020af6b0add', 'trkwks', 'win32',
    'Opnum0NotUsedOnWire Opnum1NotUsedOnWire Opnum2NotUsedOnWire Opnum3NotUsedOnWire ' +
    'Opnum4NotUsedOnWire Opnum5NotUsedOnWire Opnum6NotUsedOnWire Opnum7NotUsedOnWire ' +
    'Opnum8NotUsedOnWire Opnum9NotUsedOnWire Opnum10NotUsedOnWire Opnum11NotUsedOnWire ' +
    'LnkSearchMachine'],
  ['44e265dd-7daf-42cd-8560-3cdb6e7a2729', 'TsProxyRpcInterface', 'win32',
    'Opnum0NotUsedOnWire TsProxyCreateTunnel TsProxyAuthorizeTunnel TsProxyMakeTunnelCall ' +
    'TsProxyCreateChannel Opnum5NotUsedOnWire TsProxyCloseChannel TsProxyCloseTunnel ' +
    'TsProxySetupReceivePipe TsProxySendToServer'],
  ['53b46b02-c73b-4a3e-8dee-b16b80672fc0', 'TSVIPPublic', 'win32', 'RpcGetSessionIP'],
  ['8fb6d884-2388-11d0-8c35-00c04fda2795', 'W32Time', 'win32',
    'W32TimeSync W32TimeGetNetlogonServiceBits W32TimeQueryProviderStatus W32TimeQuerySource ' +
    'W32TimeQueryProviderConfiguration W32TimeQueryConfiguration W32TimeQueryStatus W32TimeLog'],
  ['1a927394-352e-4553-ae3f-7cf4aafca620', 'WdsRpcInterface', 'win32', 'WdsRpcMessage'],
  ['811109bf-a4e1-11d1-ab54-00a0c91e9b45', 'winsi2', 'win32', 'R_WinsTombstoneDbRecs R_WinsCheckAccess'],
  ['ccd8c074-d0e5-4a40-92b4-d074faa6ba28', 'Witness', 'win32',
    'WitnessrGetInterfaceList WitnessrRegister WitnessrUnRegister WitnessrAsyncNotify ' +
    'WitnessrRegisterEx'],
];

/**
 * Where the IDL name differs from Zeek's `operations` table: [uuid, opnum, IDL name, Zeek's name,
 * source]. (svcctl is listed whole above: Zeek and tshark write `CreateServiceW`, MS-SCMR and the
 * contract `RCreateServiceW`; Zeek's opnum 48 `GetNotifyResult` is MS-SCMR's `RGetNotifyResults`.)
 */
export const IDL_CORRECTIONS: ReadonlyArray<readonly [string, number, string, string, string]> = [
  ['c681d488-d850-11d0-8c52-00c04fd90f7e', 5, 'EfsRpcDecryptFileSrv', 'EfsDecryptFileSrv', 'MS-EFSR 3.1.4.2.6'],
  ['df1941c5-fe89-4e79-bf10-463657acf44d', 5, 'EfsRpcDecryptFileSrv', 'EfsDecryptFileSrv', 'MS-EFSR 3.1.4.2.6'],
  ['c681d488-d850-11d0-8c52-00c04fd90f7e', 21, 'EfsRpcEncryptFileExSrv', 'EfsRpcEncryptFileExServ', 'MS-EFSR 3.1.4.2.16'],
  ['df1941c5-fe89-4e79-bf10-463657acf44d', 21, 'EfsRpcEncryptFileExSrv', 'EfsRpcEncryptFileExServ', 'MS-EFSR 3.1.4.2.16'],
  ['9556dc99-828c-11cf-a37e-00aa003240c7', 16, 'DeleteInstance', 'DeleteClass', 'MS-WMI 3.1.4.3.14 (DeleteClass is opnum 10)'],
  ['9556dc99-828c-11cf-a37e-00aa003240c7', 17, 'DeleteInstanceAsync', 'DeleteClassAsync', 'MS-WMI 3.1.4.3.15 (DeleteClassAsync is opnum 11)'],
  ['12345678-1234-abcd-ef00-0123456789ab', 69, 'RpcOpenPrinterEx', 'RpcSplOpenPrinter', 'MS-RPRN 3.1.4.2.14'],
  ['4b324fc8-1670-01d3-1278-5a47bf6ee188', 54, 'NetrServerAliasAdd', '(none)', 'MS-SRVS 3.1.4.40'],
];

/** UUIDs of the interfaces the argument decoders and rules refer to. */
export const UUID = {
  svcctl: '367abb81-9844-35f1-ad32-98f038001003',
  atsvc: '1ff70682-0a51-30e8-076d-740be8cee98b',
  ITaskSchedulerService: '86d35949-83c9-4044-b424-db363231fd0c',
  winreg: '338cd001-2244-31f1-aaaa-900038001003',
  srvsvc: '4b324fc8-1670-01d3-1278-5a47bf6ee188',
  wkssvc: '6bffd098-a112-3610-9833-46c3f87e345a',
  samr: '12345778-1234-abcd-ef00-0123456789ac',
  lsarpc: '12345778-1234-abcd-ef00-0123456789ab',
  netlogon: '12345678-1234-abcd-ef00-01234567cffb',
  drsuapi: 'e3514235-4b06-11d1-ab04-00c04fc2dcd2',
  /** MS-EFSR over \pipe\efsrpc (Zeek: efsrpc) */
  efsrpc: 'df1941c5-fe89-4e79-bf10-463657acf44d',
  /** MS-EFSR over \pipe\lsarpc, PetitPotam's (Zeek: efsrpc2) */
  efsrpcLsarpc: 'c681d488-d850-11d0-8c52-00c04fd90f7e',
  spoolss: '12345678-1234-abcd-ef00-0123456789ab',
  /** MS-DFSNM (Zeek: netdfs) */
  dfsnm: '4fc742e0-4a10-11cf-8273-00aa004ae673',
  epmapper: 'e1af8308-5d1f-11c9-91a4-08002b14a0fa',
  /** MS-DCOM ISystemActivator (Zeek: IRemoteSCMActivator) */
  ISystemActivator: '000001a0-0000-0000-c000-000000000046',
  IRemUnknown: '00000131-0000-0000-c000-000000000046',
  IRemUnknown2: '00000143-0000-0000-c000-000000000046',
  /** MS-DCOM IOXIDResolver (Zeek: IObjectExporter) */
  IOXIDResolver: '99fcfec4-5260-101b-bbcb-00aa0021347a',
  IWbemServices: '9556dc99-828c-11cf-a37e-00aa003240c7',
  IWbemLevel1Login: 'f309ad18-d86a-11d0-a075-00c04fb68820',
} as const;

function build(): InterfaceNames[] {
  const byUuid = new Map<string, { uuid: string; name: string; returns: ReturnKind; ops: Record<number, string> }>();
  for (const [uuid, name, returns, list] of ROWS) {
    const ops: Record<number, string> = {};
    if (list) list.split(' ').forEach((op, i) => { if (op !== '-') ops[i] = op; });
    byUuid.set(uuid, { uuid, name, returns, ops }); // a repeated UUID: the later row wins, as in Zeek
  }
  for (const [uuid, opnum, name] of IDL_CORRECTIONS) byUuid.get(uuid)!.ops[opnum] = name;
  return [...byUuid.values()];
}

/** Every interface: names.ts's part of the registry (registry.ts joins the decoders). */
export const INTERFACE_NAMES: readonly InterfaceNames[] = build();

const BY_UUID = new Map<string, InterfaceNames>(INTERFACE_NAMES.map((n) => [n.uuid, n]));

/** The names of an interface by abstract syntax UUID (any case), or undefined. */
export function interfaceNames(uuid: string): InterfaceNames | undefined {
  return BY_UUID.get(uuid) ?? BY_UUID.get(uuid.toLowerCase());
}

/** The contract's `dcerpc.interface.name`: Zeek's name, or the UUID when unknown. */
export function interfaceName(uuid: string): string {
  return interfaceNames(uuid)?.name ?? uuid.toLowerCase();
}

/** The contract's `dcerpc.operation` by UUID: the IDL name, or `opnum-N`. */
export function operationNameByUuid(uuid: string, opnum: number): string {
  return interfaceNames(uuid)?.ops[opnum] ?? `opnum-${opnum}`;
}
