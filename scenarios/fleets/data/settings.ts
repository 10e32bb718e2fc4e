/**
 * Hardening settings of the built-in fleet's hosts: what a host reports when it complies with a
 * common benchmark item (CIS for macOS, Windows and Linux) and, where a real host reports something
 * rather than nothing, what it reports when it does not. scenarios/fleets/settings-rows.ts draws,
 * per group and setting, whether the group complies (its compliance level) and emits the rows.
 * Plain data: add an item here to make the fleet answer one more kind of check.
 */
import type { TableRow } from '../../../contract/fleet-spec.js';

/** A configuration-profile key (`managed_policies`): domain, name, compliant value, and the value an unmanaged-but-set host reports (absent = no row). */
export type ManagedSetting = readonly [domain: string, name: string, value: string, otherwise?: string];

export const MAC_MANAGED_SETTINGS: readonly ManagedSetting[] = [
  ['com.apple.screensaver', 'askForPassword', '1'],
  ['com.apple.screensaver', 'askForPasswordDelay', '0', '300'],
  ['com.apple.screensaver', 'idleTime', '1200', '3600'],
  ['com.apple.SoftwareUpdate', 'AutomaticallyInstallMacOSUpdates', '1'],
  ['com.apple.SoftwareUpdate', 'AutomaticallyInstallAppUpdates', '1'],
  ['com.apple.SoftwareUpdate', 'RestrictSoftwareUpdateRequireAdminToInstall', '1'],
  ['com.apple.commerce', 'AutoUpdate', '1'],
  ['com.apple.security.firewall', 'EnableFirewall', '1'],
  ['com.apple.security.firewall', 'EnableStealthMode', '1'],
  ['com.apple.security.firewall', 'EnableLogging', '1'],
  ['com.apple.security.firewall', 'LoggingOption', 'detail', 'throttled'],
  ['com.apple.controlcenter', 'WiFi', '18'],
  ['com.apple.controlcenter', 'Bluetooth', '18'],
  ['com.apple.applicationaccess', 'allowAirDrop', '0'],
  ['com.apple.applicationaccess', 'allowCloudDocumentSync', '0'],
  ['com.apple.applicationaccess', 'allowUniversalControl', '0'],
  ['com.apple.applicationaccess', 'allowDiagnosticSubmission', '0'],
  ['com.apple.applicationaccess', 'forceOnDeviceOnlyDictation', '1'],
  ['com.apple.applicationaccess', 'allowPasswordSharing', '0'],
  ['com.apple.loginwindow', 'SHOWFULLNAME', '1'],
  ['com.apple.loginwindow', 'RetriesUntilHint', '0'],
  ['com.apple.loginwindow', 'LoginwindowText', 'Authorized use only. Activity may be monitored.'],
  ['com.apple.login.mcx.DisableAutoLoginClient', 'DisableAutoLoginClient', '1'],
  ['com.apple.MCX', 'dontAllowFDEDisable', '1'],
  ['com.apple.mDNSResponder', 'NoMulticastAdvertisements', '1'],
  ['com.apple.systempolicy.control', 'EnableAssessment', '1'],
  ['com.apple.systempolicy.control', 'AllowIdentifiedDevelopers', '1'],
  ['com.apple.timed', 'TMAutomaticTimeOnlyEnabled', '1'],
  ['com.apple.AdLib', 'allowApplePersonalizedAdvertising', '0'],
  ['com.apple.assistant.support', 'Siri Data Sharing Opt-In Status', '2'],
  ['com.apple.SubmitDiagInfo', 'AutoSubmit', '0'],
  ['com.apple.Terminal', 'SecureKeyboardEntry', '1'],
  ['com.apple.Safari', 'AutoOpenSafeDownloads', '0'],
  ['com.apple.Safari', 'WarnAboutFraudulentWebsites', '1'],
  ['com.apple.Safari', 'ShowFullURLInSmartSearchField', '1'],
  ['com.apple.mobiledevice.passwordpolicy', 'minLength', '15', '8'],
  ['com.apple.mobiledevice.passwordpolicy', 'requireAlphanumeric', '1'],
  ['com.apple.mobiledevice.passwordpolicy', 'maxFailedAttempts', '5', '10'],
  ['com.apple.mobiledevice.passwordpolicy', 'maxPINAgeInDays', '365'],
  ['com.apple.mobiledevice.passwordpolicy', 'pinHistory', '15'],
  ['com.apple.mobiledevice.passwordpolicy', 'minComplexChars', '1'],
  ['com.apple.preference.security', 'dontAllowPasswordResetUI', '1'],
  ['com.apple.icloud.managed', 'DisableFMMiCloudSetting', '1'],
];

/** A Windows registry value (HKEY_LOCAL_MACHINE\…): full path, compliant data, type, the data of a host left at another value (absent = value not set). */
export type RegistrySetting = readonly [path: string, data: string, type: 'REG_DWORD' | 'REG_SZ' | 'REG_MULTI_SZ', otherwise?: string];

const LSA = 'HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\Lsa';
const SYSTEM_POLICIES = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System';
const LANMAN_SERVER = 'HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\LanManServer\\Parameters';
const LANMAN_WORKSTATION = 'HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters';
const POLICIES = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft';

export const WINDOWS_REGISTRY_SETTINGS: readonly RegistrySetting[] = [
  [`${LSA}\\LmCompatibilityLevel`, '5', 'REG_DWORD', '3'],
  [`${LSA}\\NoLmHash`, '1', 'REG_DWORD'],
  [`${LSA}\\RestrictAnonymous`, '1', 'REG_DWORD', '0'],
  [`${LSA}\\RestrictAnonymousSAM`, '1', 'REG_DWORD'],
  [`${LSA}\\EveryoneIncludesAnonymous`, '0', 'REG_DWORD'],
  [`${LSA}\\ForceGuest`, '0', 'REG_DWORD'],
  [`${LSA}\\UseMachineId`, '1', 'REG_DWORD'],
  [`${LSA}\\LimitBlankPasswordUse`, '1', 'REG_DWORD'],
  [`${LSA}\\SCENoApplyLegacyAuditPolicy`, '1', 'REG_DWORD'],
  [`${LSA}\\RestrictRemoteSAM`, 'O:BAG:BAD:(A;;RC;;;BA)', 'REG_SZ'],
  [`${LSA}\\MSV1_0\\allownullsessionfallback`, '0', 'REG_DWORD'],
  [`${LSA}\\MSV1_0\\NTLMMinClientSec`, '537395200', 'REG_DWORD', '536870912'],
  [`${LSA}\\MSV1_0\\NTLMMinServerSec`, '537395200', 'REG_DWORD', '536870912'],
  [`${LSA}\\pku2u\\AllowOnlineID`, '0', 'REG_DWORD'],
  [`${LANMAN_SERVER}\\RestrictNullSessAccess`, '1', 'REG_DWORD'],
  [`${LANMAN_SERVER}\\RequireSecuritySignature`, '1', 'REG_DWORD', '0'],
  [`${LANMAN_SERVER}\\EnableSecuritySignature`, '1', 'REG_DWORD', '0'],
  [`${LANMAN_SERVER}\\NullSessionShares`, '', 'REG_MULTI_SZ'],
  [`${LANMAN_SERVER}\\AutoDisconnect`, '15', 'REG_DWORD'],
  [`${LANMAN_WORKSTATION}\\RequireSecuritySignature`, '1', 'REG_DWORD', '0'],
  [`${LANMAN_WORKSTATION}\\EnablePlainTextPassword`, '0', 'REG_DWORD'],
  ['HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\LDAP\\LDAPClientIntegrity', '1', 'REG_DWORD'],
  ['HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\WDigest\\UseLogonCredential', '0', 'REG_DWORD', '1'],
  ['HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters\\DisableIPSourceRouting', '2', 'REG_DWORD'],
  ['HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters\\EnableICMPRedirect', '0', 'REG_DWORD'],
  ['HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\Tcpip6\\Parameters\\DisableIPSourceRouting', '2', 'REG_DWORD'],
  ['HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\NetBT\\Parameters\\NoNameReleaseOnDemand', '1', 'REG_DWORD'],
  [`${SYSTEM_POLICIES}\\ConsentPromptBehaviorAdmin`, '2', 'REG_DWORD', '5'],
  [`${SYSTEM_POLICIES}\\ConsentPromptBehaviorUser`, '0', 'REG_DWORD', '3'],
  [`${SYSTEM_POLICIES}\\EnableInstallerDetection`, '1', 'REG_DWORD'],
  [`${SYSTEM_POLICIES}\\EnableSecureUIAPaths`, '1', 'REG_DWORD'],
  [`${SYSTEM_POLICIES}\\EnableVirtualization`, '1', 'REG_DWORD'],
  [`${SYSTEM_POLICIES}\\FilterAdministratorToken`, '1', 'REG_DWORD'],
  [`${SYSTEM_POLICIES}\\PromptOnSecureDesktop`, '1', 'REG_DWORD'],
  [`${SYSTEM_POLICIES}\\DontDisplayLastUserName`, '1', 'REG_DWORD', '0'],
  [`${SYSTEM_POLICIES}\\DisableCAD`, '0', 'REG_DWORD'],
  [`${SYSTEM_POLICIES}\\LegalNoticeCaption`, 'Authorized use only', 'REG_SZ'],
  [`${SYSTEM_POLICIES}\\MaxDevicePasswordFailedAttempts`, '10', 'REG_DWORD'],
  [`${SYSTEM_POLICIES}\\Kerberos\\Parameters\\SupportedEncryptionTypes`, '2147483640', 'REG_DWORD'],
  [`${POLICIES}\\Windows\\Personalization\\NoLockScreenCamera`, '1', 'REG_DWORD'],
  [`${POLICIES}\\Windows\\Personalization\\NoLockScreenSlideshow`, '1', 'REG_DWORD'],
  [`${POLICIES}\\Windows NT\\Terminal Services\\fDisableCdm`, '1', 'REG_DWORD'],
  [`${POLICIES}\\Windows NT\\Terminal Services\\fPromptForPassword`, '1', 'REG_DWORD'],
  [`${POLICIES}\\Windows NT\\Terminal Services\\fEncryptRPCTraffic`, '1', 'REG_DWORD'],
  [`${POLICIES}\\Windows NT\\Terminal Services\\MinEncryptionLevel`, '3', 'REG_DWORD', '2'],
  [`${POLICIES}\\Windows NT\\Terminal Services\\DisablePasswordSaving`, '1', 'REG_DWORD'],
  [`${POLICIES}\\Windows\\WindowsUpdate\\AU\\NoAutoUpdate`, '0', 'REG_DWORD', '1'],
  [`${POLICIES}\\Windows\\WindowsUpdate\\AU\\NoAutoRebootWithLoggedOnUsers`, '0', 'REG_DWORD'],
  [`${POLICIES}\\WindowsFirewall\\DomainProfile\\EnableFirewall`, '1', 'REG_DWORD', '0'],
  [`${POLICIES}\\WindowsFirewall\\PrivateProfile\\EnableFirewall`, '1', 'REG_DWORD', '0'],
  [`${POLICIES}\\WindowsFirewall\\PublicProfile\\EnableFirewall`, '1', 'REG_DWORD', '0'],
  [`${POLICIES}\\WindowsFirewall\\PublicProfile\\DefaultInboundAction`, '1', 'REG_DWORD'],
  [`${POLICIES}\\Windows Defender\\DisableAntiSpyware`, '0', 'REG_DWORD'],
  [`${POLICIES}\\Windows Defender\\Real-Time Protection\\DisableRealtimeMonitoring`, '0', 'REG_DWORD', '1'],
  [`${POLICIES}\\Windows Defender\\Spynet\\SpynetReporting`, '2', 'REG_DWORD'],
  [`${POLICIES}\\Windows\\System\\EnableSmartScreen`, '1', 'REG_DWORD'],
  [`${POLICIES}\\Windows\\PowerShell\\ScriptBlockLogging\\EnableScriptBlockLogging`, '1', 'REG_DWORD'],
  [`${POLICIES}\\Windows\\WinRM\\Client\\AllowBasic`, '0', 'REG_DWORD'],
  [`${POLICIES}\\Windows\\WinRM\\Client\\AllowUnencryptedTraffic`, '0', 'REG_DWORD'],
  [`${POLICIES}\\Windows\\WinRM\\Client\\AllowDigest`, '0', 'REG_DWORD'],
  [`${POLICIES}\\Windows\\WinRM\\Service\\AllowBasic`, '0', 'REG_DWORD'],
  [`${POLICIES}\\Windows\\WinRM\\Service\\AllowUnencryptedTraffic`, '0', 'REG_DWORD'],
  [`${POLICIES}\\Windows\\Explorer\\NoAutoplayfornonVolume`, '1', 'REG_DWORD'],
  ['HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\Explorer\\NoDriveTypeAutoRun', '255', 'REG_DWORD', '145'],
  ['HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\Explorer\\NoAutorun', '1', 'REG_DWORD'],
  [`${POLICIES}\\Windows\\EventLog\\Application\\MaxSize`, '32768', 'REG_DWORD'],
  [`${POLICIES}\\Windows\\EventLog\\Security\\MaxSize`, '196608', 'REG_DWORD'],
  [`${POLICIES}\\Windows\\EventLog\\System\\MaxSize`, '32768', 'REG_DWORD'],
  [`${POLICIES}\\Windows\\CloudContent\\DisableWindowsConsumerFeatures`, '1', 'REG_DWORD'],
  [`${POLICIES}\\Windows\\DeviceGuard\\EnableVirtualizationBasedSecurity`, '1', 'REG_DWORD'],
  [`${POLICIES}\\Windows\\Installer\\AlwaysInstallElevated`, '0', 'REG_DWORD'],
];

/** Rows of any table: the rows a complying host reports and, optionally, those of a host that does not. */
export interface RowSetting {
  table: string;
  comply: readonly TableRow[];
  otherwise?: readonly TableRow[];
}

export const MAC_ROW_SETTINGS: readonly RowSetting[] = [
  { table: 'plist', comply: [{ key: 'globalstate', subkey: '', value: '1', path: '/Library/Preferences/com.apple.alf.plist' }], otherwise: [{ key: 'globalstate', subkey: '', value: '0', path: '/Library/Preferences/com.apple.alf.plist' }] },
  { table: 'plist', comply: [{ key: 'loggingenabled', subkey: '', value: '1', path: '/Library/Preferences/com.apple.alf.plist' }, { key: 'loggingoption', subkey: '', value: '2', path: '/Library/Preferences/com.apple.alf.plist' }] },
  { table: 'plist', comply: [{ key: 'TypeToSiriEnabled', subkey: '', value: '0', path: '/Users/alex/Library/Preferences/com.apple.Siri.plist' }], otherwise: [{ key: 'TypeToSiriEnabled', subkey: '', value: '1', path: '/Users/alex/Library/Preferences/com.apple.Siri.plist' }] },
  { table: 'plist', comply: [{ key: 'StatusMenuVisible', subkey: '', value: '0', path: '/Users/alex/Library/Preferences/com.apple.Siri.plist' }], otherwise: [{ key: 'StatusMenuVisible', subkey: '', value: '1', path: '/Users/alex/Library/Preferences/com.apple.Siri.plist' }] },
  // orbit's tables (fleetd hosts only; settings-rows.ts skips them elsewhere)
  { table: 'nvram_info', comply: [{ amfi_enabled: 1 }], otherwise: [{ amfi_enabled: 0 }] },
  { table: 'csrutil_info', comply: [{ ssv_enabled: 1 }], otherwise: [{ ssv_enabled: 0 }] },
  { table: 'software_update', comply: [{ software_update_required: 0 }], otherwise: [{ software_update_required: 1 }] },
  { table: 'user_login_settings', comply: [{ password_hint_enabled: 0 }], otherwise: [{ password_hint_enabled: 1 }] },
  { table: 'icloud_private_relay', comply: [{ status_enabled: 0 }], otherwise: [{ status_enabled: 1 }] },
  { table: 'pwd_policy', comply: [{ max_failed_attempts: 5, expires_every_n_days: 365, days_to_expiration: 200, history_depth: 15, min_mixed_case_characters: 1 }], otherwise: [{ max_failed_attempts: 0, expires_every_n_days: 0, days_to_expiration: 0, history_depth: 0, min_mixed_case_characters: 0 }] },
  { table: 'file_lines', comply: [{ path: '/etc/security/audit_control', line: 'dir:/var/audit' }, { path: '/etc/security/audit_control', line: 'flags:-fm,ad,-ex,aa,-fr,lo,-fw' }, { path: '/etc/security/audit_control', line: 'expire-after:60d OR 5G' }], otherwise: [{ path: '/etc/security/audit_control', line: 'dir:/var/audit' }, { path: '/etc/security/audit_control', line: 'flags:lo,aa' }, { path: '/etc/security/audit_control', line: 'expire-after:10M' }] },
  { table: 'mdm', comply: [{ enrolled: 1, server_url: 'https://fleet.example.com/mdm/apple/mdm', checkin_url: 'https://fleet.example.com/mdm/apple/mdm', access_rights: '8191', install_date: '2024-03-12 10:00:00 +0000', payload_identifier: 'com.fleetdm.fleet.mdm.apple', topic: 'com.apple.mgmt.External.0f2b', sign_message: 0, identity_certificate_uuid: '', installed_from_dep: 1, user_approved: 1, dep_capable: 1, has_scep_payload: 1 }], otherwise: [{ enrolled: 0, server_url: '', checkin_url: '', access_rights: '', install_date: '', payload_identifier: '', topic: '', sign_message: 0, identity_certificate_uuid: '', installed_from_dep: 0, user_approved: 0, dep_capable: 1, has_scep_payload: 0 }] },
];

export const WINDOWS_ROW_SETTINGS: readonly RowSetting[] = [
  { table: 'cis_audit', comply: [{ item: '2.3.11.6', value: '1' }], otherwise: [{ item: '2.3.11.6', value: '0' }] },
  { table: 'cis_audit', comply: [{ item: '2.3.1.1', value: '1' }], otherwise: [{ item: '2.3.1.1', value: '0' }] },
  { table: 'mdm_bridge', comply: [{ enrollment_status: '1', enrolled_user: '', mdm_command_input: '', mdm_command_output: '', raw_mdm_command_output: '' }] },
];

export const LINUX_ROW_SETTINGS: readonly RowSetting[] = [
  ...[
    ['net.ipv4.conf.all.send_redirects', '0', '1'], ['net.ipv4.conf.default.send_redirects', '0', '1'], ['net.ipv4.conf.all.accept_redirects', '0', '1'],
    ['net.ipv4.conf.all.accept_source_route', '0', '1'], ['net.ipv4.conf.all.log_martians', '1', '0'], ['net.ipv4.conf.all.rp_filter', '1', '0'],
    ['net.ipv4.tcp_syncookies', '1', '0'], ['net.ipv4.icmp_echo_ignore_broadcasts', '1', '0'], ['net.ipv4.icmp_ignore_bogus_error_responses', '1', '0'],
    ['net.ipv6.conf.all.accept_ra', '0', '1'], ['net.ipv6.conf.all.accept_redirects', '0', '1'], ['fs.suid_dumpable', '0', '2'], ['kernel.yama.ptrace_scope', '1', '0'],
  ].map(([name = '', good = '', bad = '']): RowSetting => {
    const row = (value: string): TableRow => ({ name, oid: '', subsystem: name.split('.')[0] ?? '', current_value: value, config_value: value, type: 'int' });
    return { table: 'system_controls', comply: [row(good)], otherwise: [row(bad)] };
  }),
  { table: 'mounts', comply: [{ device: 'tmpfs', device_alias: 'tmpfs', path: '/dev/shm', type: 'tmpfs', blocks_size: 4096, blocks: 2048000, blocks_free: 2047000, blocks_available: 2047000, inodes: 2000000, inodes_free: 1999000, flags: 'rw,nosuid,nodev,noexec,relatime' }], otherwise: [{ device: 'tmpfs', device_alias: 'tmpfs', path: '/dev/shm', type: 'tmpfs', blocks_size: 4096, blocks: 2048000, blocks_free: 2047000, blocks_available: 2047000, inodes: 2000000, inodes_free: 1999000, flags: 'rw,nosuid,nodev' }] },
  ...[['auditd', 'Security Auditing Service'], ['chrony', 'chrony, an NTP client/server'], ['rsyslog', 'System Logging Service'], ['apparmor', 'Load AppArmor profiles'], ['cron', 'Regular background program processing daemon']].map(([id = '', description = '']): RowSetting => {
    const unit = (active: boolean): TableRow => ({ id: `${id}.service`, description, load_state: 'loaded', active_state: active ? 'active' : 'inactive', sub_state: active ? 'running' : 'dead', following: '', object_path: `/org/freedesktop/systemd1/unit/${id}_2eservice`, job_id: 0, job_type: '', job_path: '/', fragment_path: `/lib/systemd/system/${id}.service`, user: '', source_path: '' });
    return { table: 'systemd_units', comply: [unit(true)], otherwise: [unit(false)] };
  }),
  ...[['avahi-daemon', 'Avahi mDNS/DNS-SD Stack'], ['cups', 'CUPS Scheduler'], ['rpcbind', 'RPC bind portmap service'], ['nfs-server', 'NFS server and services']].map(([id = '', description = '']): RowSetting => ({
    table: 'systemd_units', comply: [], otherwise: [{ id: `${id}.service`, description, load_state: 'loaded', active_state: 'active', sub_state: 'running', following: '', object_path: `/org/freedesktop/systemd1/unit/${id}_2eservice`, job_id: 0, job_type: '', job_path: '/', fragment_path: `/lib/systemd/system/${id}.service`, user: '', source_path: '' }],
  })),
  { table: 'file_lines', comply: [{ path: '/etc/login.defs', line: 'PASS_MAX_DAYS\t365' }, { path: '/etc/login.defs', line: 'PASS_MIN_DAYS\t1' }, { path: '/etc/login.defs', line: 'PASS_WARN_AGE\t7' }], otherwise: [{ path: '/etc/login.defs', line: 'PASS_MAX_DAYS\t99999' }, { path: '/etc/login.defs', line: 'PASS_MIN_DAYS\t0' }, { path: '/etc/login.defs', line: 'PASS_WARN_AGE\t7' }] },
  { table: 'file_lines', comply: [{ path: '/etc/ssh/sshd_config', line: 'PermitRootLogin no' }, { path: '/etc/ssh/sshd_config', line: 'MaxAuthTries 4' }, { path: '/etc/ssh/sshd_config', line: 'ClientAliveInterval 300' }], otherwise: [{ path: '/etc/ssh/sshd_config', line: '#PermitRootLogin prohibit-password' }, { path: '/etc/ssh/sshd_config', line: 'MaxAuthTries 6' }] },
];
