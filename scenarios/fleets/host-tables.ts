/**
 * osquery's tables as they look on a macOS, Windows or Linux host with given settings: the rows a
 * group of the built-in fleet (builtin-fleet.ts) answers policies from. Columns are those of
 * osquery's tables (simulator/fleet/catalogue.ts); values are what osquery reports on such hosts.
 */
import type { TableRow } from '../../contract/fleet-spec.js';
import { fleetData, type Tables } from './data/load.js';

export type { Tables };

function uptime(days: number, hours = 3): TableRow {
  return { days, hours, minutes: 12, seconds: 40, total_seconds: days * 86400 + hours * 3600 + 12 * 60 + 40 };
}

function osqueryInfo(version: string, buildPlatform: string, buildDistro: string): TableRow {
  return { pid: 412, version, config_valid: 1, extensions: 'active', build_platform: buildPlatform, build_distro: buildDistro, start_time: 1732406400, watcher: 398, platform_mask: buildPlatform === 'windows' ? 2 : buildPlatform === 'darwin' ? 4 : 9 };
}

const BENIGN_EXTENSION: TableRow = {
  browser_type: 'chrome', uid: 501, name: '1Password – Password Manager', profile: 'Default', identifier: 'aeblfdkhhhdcdjpifhhbdiojplfjncoa',
  version: '8.10.48.25', from_webstore: 'true', state: '1', permissions: 'storage, tabs, webRequest', persistent: 0,
};
/** The Great Suspender after its sale: removed from the Web Store as malware, a classic blocklist entry. */
const BLOCKED_EXTENSION: TableRow = {
  browser_type: 'chrome', uid: 501, name: 'The Great Suspender', profile: 'Default', identifier: 'klbibkeccnjlkjkiokjodocebajanakg',
  version: '7.1.8', from_webstore: 'false', state: '1', permissions: 'tabs, storage, history', persistent: 0,
};

// --- macOS -----------------------------------------------------------------------------------

export interface MacOptions {
  version: string;
  build: string;
  osquery: string;
  filevault: boolean;
  firewall: 0 | 1 | 2;
  stealth: boolean;
  firewallLogging: boolean;
  screenlockGrace: number;
  sip: boolean;
  gatekeeper: boolean;
  managedUpdates: boolean;
  guestDisabled: boolean;
  sharing: Partial<Record<'screen_sharing' | 'remote_login' | 'remote_apple_events' | 'internet_sharing', 0 | 1>>;
  extraApps: TableRow[];
  chromeVersion: string;
  secureBoot: 'Full Security' | 'Reduced Security';
  thirdPartyKexts: TableRow[];
  falcon: boolean;
  brew: TableRow[];
  vncOpen: boolean;
  autoLoginUser?: string;
  blockedExtension: boolean;
  uptimeDays: number;
}

export function macTables(o: MacOptions): Tables {
  const [major = 0, minor = 0, patch = 0] = o.version.split('.').map(Number);
  const managed: TableRow[] = [];
  if (o.managedUpdates) {
    for (const name of ['AutomaticCheckEnabled', 'AutomaticDownload', 'CriticalUpdateInstall', 'ConfigDataInstall']) {
      managed.push({ domain: 'com.apple.SoftwareUpdate', uuid: '8B2A4F47-7C5E-4C11-9F59-1D1B3E3C6A01', name, value: '1', username: '', manual: 0 });
    }
  }
  if (o.guestDisabled) managed.push({ domain: 'com.apple.loginwindow', uuid: '5E8A0C1B-2D44-4E0F-A6B2-3F7C9D1E2B10', name: 'DisableGuestAccount', value: '1', username: '', manual: 0 });
  return {
    ...fleetData().vitals.darwin,
    os_version: [{ name: 'macOS', version: o.version, major, minor, patch, build: o.build, platform: 'darwin', platform_like: 'darwin', codename: '', arch: 'arm64' }],
    osquery_info: [osqueryInfo(o.osquery, 'darwin', '10.15')],
    system_info: [{ cpu_type: 'arm64e', cpu_brand: 'Apple M2 Pro', cpu_physical_cores: 10, cpu_logical_cores: 10, cpu_sockets: 1, physical_memory: 34359738368, hardware_vendor: 'Apple Inc.', hardware_model: 'Mac14,9', hardware_version: '' }],
    uptime: [uptime(o.uptimeDays)],
    users: [
      { uid: 501, gid: 20, uid_signed: 501, gid_signed: 20, username: 'alex', description: 'Alex Doe', directory: '/Users/alex', shell: '/bin/zsh', uuid: 'A1B2C3D4-0501-4000-8000-000000000501', is_hidden: 0 },
      { uid: 0, gid: 0, uid_signed: 0, gid_signed: 0, username: 'root', description: 'System Administrator', directory: '/var/root', shell: '/bin/sh', uuid: 'FFFFEEEE-DDDD-CCCC-BBBB-AAAA00000000', is_hidden: 1 },
    ],
    disk_encryption: [
      o.filevault
        ? { name: '/dev/disk3s1', uuid: '6A5F2E1B-8C3D-4B2A-9E1F-0D7C6B5A4321', encrypted: 1, type: 'APFS Encryption', encryption_status: 'encrypted', uid: '501', user_uuid: 'A1B2C3D4-0501-4000-8000-000000000501', filevault_status: 'on' }
        : { name: '/dev/disk3s1', uuid: '6A5F2E1B-8C3D-4B2A-9E1F-0D7C6B5A4321', encrypted: 0, type: '', encryption_status: 'not encrypted', uid: '', user_uuid: '', filevault_status: 'off' },
    ],
    alf: [{ allow_signed_enabled: 1, firewall_unload: 0, global_state: o.firewall, logging_enabled: o.firewallLogging ? 1 : 0, logging_option: 0, stealth_enabled: o.stealth ? 1 : 0, version: '1.6' }],
    alf_exceptions: [{ path: '/Applications/zoom.us.app/', state: 3 }],
    screenlock: [{ enabled: o.screenlockGrace >= 0 ? 1 : 0, grace_period: o.screenlockGrace }],
    sip_config: [
      { config_flag: 'sip', enabled: o.sip ? 1 : 0, enabled_nvram: o.sip ? 1 : 0 },
      { config_flag: 'allow_untrusted_kexts', enabled: o.sip ? 0 : 1, enabled_nvram: o.sip ? 0 : 1 },
      { config_flag: 'allow_task_for_pid', enabled: o.sip ? 0 : 1, enabled_nvram: o.sip ? 0 : 1 },
    ],
    gatekeeper: [{ assessments_enabled: o.gatekeeper ? 1 : 0, dev_id_enabled: 1, version: '181', opaque_version: '7.23' }],
    managed_policies: managed,
    sharing_preferences: [{ screen_sharing: 0, file_sharing: 0, printer_sharing: 0, remote_login: 0, remote_management: 0, remote_apple_events: 0, internet_sharing: 0, bluetooth_sharing: 0, disc_sharing: 0, content_caching: 0, ...o.sharing }],
    apps: [
      { name: 'Safari.app', path: '/Applications/Safari.app', bundle_identifier: 'com.apple.Safari', bundle_name: 'Safari', bundle_short_version: '17.6', bundle_version: '19618.3.11.11.5', bundle_package_type: 'APPL', minimum_system_version: '13.5', last_opened_time: 1732300000 },
      { name: 'Google Chrome.app', path: '/Applications/Google Chrome.app', bundle_identifier: 'com.google.Chrome', bundle_name: 'Chrome', bundle_short_version: o.chromeVersion, bundle_version: o.chromeVersion, bundle_package_type: 'APPL', minimum_system_version: '10.15', last_opened_time: 1732400000 },
      { name: 'Slack.app', path: '/Applications/Slack.app', bundle_identifier: 'com.tinyspeck.slackmacgap', bundle_name: 'Slack', bundle_short_version: '4.41.97', bundle_version: '441000097', bundle_package_type: 'APPL', minimum_system_version: '10.15', last_opened_time: 1732400100 },
      { name: 'zoom.us.app', path: '/Applications/zoom.us.app', bundle_identifier: 'us.zoom.xos', bundle_name: 'zoom.us', bundle_short_version: '6.2.5', bundle_version: '6.2.5 (41530)', bundle_package_type: 'APPL', minimum_system_version: '10.13', last_opened_time: 1732390000 },
      ...o.extraApps,
    ],
    secureboot: [{ secure_boot: 1, description: o.secureBoot, allow_kernel_extensions: o.secureBoot === 'Full Security' ? 0 : 1, allow_mdm_operations: 0 }],
    kernel_extensions: [
      { idx: 1, refs: 120, size: 0, name: 'com.apple.kpi.bsd', version: '23.6.0', linked_against: '', path: '' },
      { idx: 7, refs: 40, size: 0, name: 'com.apple.kpi.iokit', version: '23.6.0', linked_against: '', path: '' },
      ...o.thirdPartyKexts,
    ],
    system_extensions: o.falcon
      ? [{ path: '/Library/SystemExtensions/8A1C2E4F/com.crowdstrike.falcon.Agent.systemextension', UUID: '8A1C2E4F-33B1-4C2D-9E0A-6F5D4C3B2A19', state: 'activated_enabled', identifier: 'com.crowdstrike.falcon.Agent', version: '7.18/18705.0', category: 'com.apple.system_extension.endpoint_security', bundle_path: '/Applications/Falcon.app', team: 'X9E956P446' }]
      : [],
    homebrew_packages: o.brew,
    listening_ports: [
      { pid: 512, port: '5000', protocol: 6, family: 2, address: '127.0.0.1', fd: 12, socket: 0, path: '' },
      ...(o.vncOpen ? [{ pid: 733, port: '5900', protocol: 6, family: 2, address: '0.0.0.0', fd: 9, socket: 0, path: '' }] : []),
    ],
    plist: o.autoLoginUser
      ? [{ key: 'autoLoginUser', subkey: '', value: o.autoLoginUser, path: '/Library/Preferences/com.apple.loginwindow.plist' }]
      : [{ key: 'GuestEnabled', subkey: '', value: '0', path: '/Library/Preferences/com.apple.loginwindow.plist' }],
    chrome_extensions: o.blockedExtension ? [BENIGN_EXTENSION, BLOCKED_EXTENSION] : [BENIGN_EXTENSION],
  };
}

// --- Windows ---------------------------------------------------------------------------------

export interface WindowsOptions {
  edition: string;
  version: string;
  build: string;
  revision: number;
  osquery: string;
  bitlocker: boolean;
  center: Record<'firewall' | 'autoupdate' | 'antivirus' | 'user_account_control', string>;
  signaturesUpToDate: boolean;
  smb1: boolean;
  profile: Partial<Record<'minimum_password_length' | 'lockout_bad_count' | 'enable_guest_account' | 'lsa_anonymous_name_lookup' | 'audit_logon_events', number>>;
  inactivityTimeout?: number;
  rdpDenied: boolean;
  secureBoot: boolean;
  tpm: boolean;
  extraPrograms: TableRow[];
  firewallServiceRunning: boolean;
  remoteRegistryStart: 'DISABLED' | 'DEMAND_START' | 'AUTO_START';
  wmiConsumer: boolean;
  updateFailed: boolean;
  vncOpen: boolean;
  blockedExtension: boolean;
  uptimeDays: number;
}

export function windowsTables(o: WindowsOptions): Tables {
  const POLICY_KEY = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System';
  const TS_KEY = 'HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server';
  const registry: TableRow[] = [
    { key: TS_KEY, path: `${TS_KEY}\\fDenyTSConnections`, name: 'fDenyTSConnections', type: 'REG_DWORD', data: o.rdpDenied ? '1' : '0', mtime: 1730000000 },
    { key: POLICY_KEY, path: `${POLICY_KEY}\\EnableLUA`, name: 'EnableLUA', type: 'REG_DWORD', data: '1', mtime: 1730000000 },
  ];
  if (o.inactivityTimeout !== undefined) {
    registry.push({ key: POLICY_KEY, path: `${POLICY_KEY}\\InactivityTimeoutSecs`, name: 'InactivityTimeoutSecs', type: 'REG_DWORD', data: String(o.inactivityTimeout), mtime: 1730000000 });
  }
  return {
    ...fleetData().vitals.windows,
    os_version: [{ name: o.edition, version: o.version, major: 10, minor: 0, patch: 0, build: o.build, platform: 'windows', platform_like: 'windows', codename: o.edition, arch: '64-bit', install_date: '20240312', revision: o.revision }],
    osquery_info: [osqueryInfo(o.osquery, 'windows', '10')],
    system_info: [{ cpu_type: 'x86_64', cpu_brand: 'Intel(R) Core(TM) i7-1365U', cpu_physical_cores: 10, cpu_logical_cores: 12, cpu_sockets: 1, physical_memory: 17179869184, hardware_vendor: 'Dell Inc.', hardware_model: 'Latitude 7440', hardware_version: '' }],
    uptime: [uptime(o.uptimeDays)],
    users: [
      { uid: 1001, gid: 513, uid_signed: 1001, gid_signed: 513, username: 'jsmith', description: '', directory: 'C:\\Users\\jsmith', shell: 'C:\\Windows\\system32\\cmd.exe', uuid: 'S-1-5-21-3623811015-3361044348-30300820-1001', type: 'local' },
      { uid: 500, gid: 513, uid_signed: 500, gid_signed: 513, username: 'Administrator', description: 'Built-in account for administering the computer/domain', directory: '', shell: 'C:\\Windows\\system32\\cmd.exe', uuid: 'S-1-5-21-3623811015-3361044348-30300820-500', type: 'local' },
    ],
    bitlocker_info: [
      { device_id: '\\\\?\\Volume{7d1c3a2e-0000-0000-0000-100000000000}\\', drive_letter: 'C:', persistent_volume_id: o.bitlocker ? '{4B2E9A1C-6D3F-4E8A-B1C2-9F0E7D6C5B4A}' : '', conversion_status: o.bitlocker ? 1 : 0, protection_status: o.bitlocker ? 1 : 0, encryption_method: o.bitlocker ? 'XTS_AES_128' : 'None', version: o.bitlocker ? 2 : 0, percentage_encrypted: o.bitlocker ? 100 : 0, lock_status: 0 },
    ],
    windows_security_center: [{ ...o.center, antispyware: 'Good', internet_settings: 'Good', windows_security_center_service: 'Good' }],
    windows_security_products: [
      { type: 'Firewall', name: 'Windows Firewall', state: o.center.firewall === 'Good' ? 'On' : 'Off', state_timestamp: '', remediation_path: '%windir%\\system32\\Firewall.cpl', signatures_up_to_date: 0 },
      { type: 'Antivirus', name: 'Microsoft Defender Antivirus', state: o.center.antivirus === 'Good' ? 'On' : 'Snoozed', state_timestamp: 'Mon, 25 Nov 2024 08:12:44 GMT', remediation_path: 'windowsdefender://', signatures_up_to_date: o.signaturesUpToDate ? 1 : 0 },
    ],
    windows_optional_features: [
      { name: 'SMB1Protocol', caption: 'SMB 1.0/CIFS File Sharing Support', state: o.smb1 ? 1 : 2, statename: o.smb1 ? 'Enabled' : 'Disabled' },
      { name: 'Microsoft-Windows-Subsystem-Linux', caption: 'Windows Subsystem for Linux', state: 2, statename: 'Disabled' },
      { name: 'TelnetClient', caption: 'Telnet Client', state: 2, statename: 'Disabled' },
    ],
    security_profile_info: [{
      minimum_password_age: 1, maximum_password_age: 60, minimum_password_length: 14, password_complexity: 1, password_history_size: 24, lockout_bad_count: 5,
      logon_to_change_password: 0, force_logoff_when_expire: 0, new_administrator_name: 'Administrator', new_guest_name: 'Guest', clear_text_password: 0,
      lsa_anonymous_name_lookup: 0, enable_admin_account: 0, enable_guest_account: 0, audit_system_events: 3, audit_logon_events: 3, audit_object_access: 0,
      audit_privilege_use: 2, audit_policy_change: 1, audit_account_manage: 3, audit_process_tracking: 0, audit_ds_access: 0, audit_account_logon: 3,
      ...o.profile,
    }],
    registry,
    secureboot: [{ secure_boot: o.secureBoot ? 1 : 0, setup_mode: 0 }],
    tpm_info: [{ activated: o.tpm ? 1 : 0, enabled: o.tpm ? 1 : 0, owned: o.tpm ? 1 : 0, manufacturer_version: '7.2.3.1', manufacturer_id: 1398033696, manufacturer_name: 'STM', product_name: '', physical_presence_version: '1.3', spec_version: '2.0, 0, 1.59' }],
    programs: [
      { name: 'Google Chrome', version: '131.0.6778.86', install_location: 'C:\\Program Files\\Google\\Chrome\\Application', install_source: '', language: '', publisher: 'Google LLC', uninstall_string: '', install_date: '20241120', identifying_number: '{2B6B1F1D-BB4B-3B43-8C6B-8D9A3C2A1F00}' },
      { name: 'Microsoft 365 Apps for enterprise - en-us', version: '16.0.17928.20216', install_location: 'C:\\Program Files\\Microsoft Office', install_source: '', language: '', publisher: 'Microsoft Corporation', uninstall_string: '', install_date: '20241015', identifying_number: 'O365ProPlusRetail - en-us' },
      { name: 'Zoom Workplace (64-bit)', version: '6.2.5.50876', install_location: '', install_source: '', language: '1033', publisher: 'Zoom Video Communications, Inc.', uninstall_string: '', install_date: '20241002', identifying_number: '{C3E1A3F2-1B1A-4A6A-9C6D-2B3A4C5D6E7F}' },
      ...o.extraPrograms,
    ],
    services: [
      { name: 'mpssvc', service_type: 'SHARE_PROCESS', display_name: 'Windows Defender Firewall', status: o.firewallServiceRunning ? 'RUNNING' : 'STOPPED', pid: o.firewallServiceRunning ? 3140 : 0, start_type: o.firewallServiceRunning ? 'AUTO_START' : 'DISABLED', win32_exit_code: 0, service_exit_code: 0, path: 'C:\\Windows\\system32\\svchost.exe -k LocalServiceNoNetworkFirewall -p', module_path: '%SystemRoot%\\system32\\mpssvc.dll', description: '', user_account: 'NT Authority\\LocalService' },
      { name: 'WinDefend', service_type: 'OWN_PROCESS', display_name: 'Microsoft Defender Antivirus Service', status: 'RUNNING', pid: 4012, start_type: 'AUTO_START', win32_exit_code: 0, service_exit_code: 0, path: '"C:\\ProgramData\\Microsoft\\Windows Defender\\platform\\4.18.24090.11-0\\MsMpEng.exe"', module_path: '', description: '', user_account: 'LocalSystem' },
      { name: 'RemoteRegistry', service_type: 'SHARE_PROCESS', display_name: 'Remote Registry', status: o.remoteRegistryStart === 'AUTO_START' ? 'RUNNING' : 'STOPPED', pid: 0, start_type: o.remoteRegistryStart, win32_exit_code: 1077, service_exit_code: 0, path: 'C:\\Windows\\system32\\svchost.exe -k localService -p', module_path: '%SystemRoot%\\system32\\regsvc.dll', description: '', user_account: 'NT AUTHORITY\\LocalService' },
    ],
    wmi_cli_event_consumers: o.wmiConsumer
      ? [{ name: 'SCM Event Log Consumer', command_line_template: 'powershell.exe -nop -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAKQA=', executable_path: '', class: 'CommandLineEventConsumer', relative_path: 'CommandLineEventConsumer.Name="SCM Event Log Consumer"' }]
      : [],
    windows_update_history: [
      { client_app_id: 'UpdateOrchestrator', date: 1731405600, description: 'Install this update to resolve issues in Windows.', hresult: 0, operation: 'Installation', result_code: 'Succeeded', server_selection: 'WindowsUpdate', service_id: '', support_url: 'https://support.microsoft.com/help/5046633', title: '2024-11 Cumulative Update for Windows 11 Version 23H2 for x64-based Systems (KB5046633)', update_id: 'b2d6e1a4-3f0c-4e9b-8a1d-6c5e4f3a2b10', update_revision: 1 },
      ...(o.updateFailed
        ? [{ client_app_id: 'UpdateOrchestrator', date: 1732010400, description: 'Install this update to resolve issues in Windows.', hresult: -2145124329, operation: 'Installation', result_code: 'Failed', server_selection: 'WindowsUpdate', service_id: '', support_url: 'https://support.microsoft.com/help/5046732', title: '2024-11 Cumulative Update Preview for Windows 11 Version 23H2 for x64-based Systems (KB5046732)', update_id: 'e4a7c2b9-1d3f-4a6e-9b8c-2f1e0d9c8b70', update_revision: 1 }]
        : []),
    ],
    listening_ports: [
      { pid: 1060, port: '135', protocol: 6, family: 2, address: '0.0.0.0', fd: 0, socket: 0, path: '' },
      ...(o.vncOpen ? [{ pid: 5512, port: '5900', protocol: 6, family: 2, address: '0.0.0.0', fd: 0, socket: 0, path: '' }] : []),
    ],
    chrome_extensions: o.blockedExtension ? [BENIGN_EXTENSION, BLOCKED_EXTENSION] : [BENIGN_EXTENSION],
  };
}

// --- Linux -----------------------------------------------------------------------------------

export interface LinuxOptions {
  osVersion: TableRow;
  osquery: string;
  packages: { table: 'deb_packages' | 'rpm_packages'; rows: TableRow[] };
  rootEncrypted: boolean;
  tmpPartition: boolean;
  sshd: Record<'PermitRootLogin' | 'PasswordAuthentication', 'yes' | 'no'>;
  inputPolicy: 'DROP' | 'ACCEPT' | 'none';
  selinuxEnforcing: boolean;
  apparmorMode: 'enforce' | 'complain' | 'none';
  maxPasswordAge: number;
  sysctl: Record<'net.ipv4.ip_forward' | 'kernel.randomize_va_space', string>;
  sudoers: TableRow[];
  rootAuthorizedKey: boolean;
  modules: string[];
  cron: TableRow[];
  telnetListening: boolean;
  blockedExtension: boolean;
  uptimeDays: number;
}

export function deb(name: string, version: string, size = 1024, section = 'utils'): TableRow {
  return { name, version, source: '', size, arch: 'amd64', revision: version.split('-').pop() ?? '', status: 'install ok installed', maintainer: 'Ubuntu Developers <ubuntu-devel-discuss@lists.ubuntu.com>', section, priority: 'optional', admindir: '/var/lib/dpkg' };
}

export function rpm(name: string, version: string, release: string, epoch = 0): TableRow {
  return { name, version, release, source: `${name}-${version}-${release}.src.rpm`, size: 2048000, sha1: '', arch: 'x86_64', epoch, install_time: 1725000000, vendor: 'Red Hat, Inc.', package_group: 'Unspecified' };
}

export function linuxTables(o: LinuxOptions): Tables {
  const sshd = '/etc/ssh/sshd_config';
  const rootDevice = o.rootEncrypted ? '/dev/mapper/vg0-root' : '/dev/sda2';
  const rootAlias = o.rootEncrypted ? '/dev/dm-1' : '/dev/sda2';
  const iptables: TableRow[] = o.inputPolicy === 'none' ? [] : [
    { filter_name: 'filter', chain: 'INPUT', policy: o.inputPolicy, target: 'ACCEPT', protocol: 6, src_port: '0:65535', dst_port: '22', src_ip: '10.0.0.0', src_mask: '255.0.0.0', iniface: 'all', iniface_mask: '', dst_ip: '0.0.0.0', dst_mask: '0.0.0.0', outiface: 'all', outiface_mask: '', match: 'yes', packets: 18234, bytes: 1402331 },
    { filter_name: 'filter', chain: 'INPUT', policy: o.inputPolicy, target: 'ACCEPT', protocol: 0, src_port: '', dst_port: '', src_ip: '0.0.0.0', src_mask: '0.0.0.0', iniface: 'lo', iniface_mask: 'FFFF', dst_ip: '0.0.0.0', dst_mask: '0.0.0.0', outiface: 'all', outiface_mask: '', match: 'no', packets: 99120, bytes: 8123400 },
  ];
  return {
    ...fleetData().vitals.linux,
    os_version: [o.osVersion],
    osquery_info: [osqueryInfo(o.osquery, 'linux', String(o.osVersion['codename'] ?? 'centos7'))],
    system_info: [{ cpu_type: 'x86_64', cpu_brand: 'Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz', cpu_physical_cores: 8, cpu_logical_cores: 16, cpu_sockets: 1, physical_memory: 68719476736, hardware_vendor: 'Dell Inc.', hardware_model: 'PowerEdge R650', hardware_version: '' }],
    uptime: [uptime(o.uptimeDays)],
    users: [
      { uid: 0, gid: 0, uid_signed: 0, gid_signed: 0, username: 'root', description: 'root', directory: '/root', shell: '/bin/bash', uuid: '' },
      { uid: 1000, gid: 1000, uid_signed: 1000, gid_signed: 1000, username: 'ops', description: 'Operations', directory: '/home/ops', shell: '/bin/bash', uuid: '' },
    ],
    [o.packages.table]: o.packages.rows,
    mounts: [
      { device: rootDevice, device_alias: rootAlias, path: '/', type: 'ext4', blocks_size: 4096, blocks: 25600000, blocks_free: 14000000, blocks_available: 12700000, inodes: 6553600, inodes_free: 6100000, flags: 'rw,relatime' },
      { device: '/dev/sda1', device_alias: '/dev/sda1', path: '/boot', type: 'ext4', blocks_size: 4096, blocks: 262144, blocks_free: 180000, blocks_available: 166000, inodes: 65536, inodes_free: 65000, flags: 'rw,relatime' },
      ...(o.tmpPartition ? [{ device: 'tmpfs', device_alias: 'tmpfs', path: '/tmp', type: 'tmpfs', blocks_size: 4096, blocks: 1048576, blocks_free: 1040000, blocks_available: 1040000, inodes: 2000000, inodes_free: 1999000, flags: 'rw,nosuid,nodev,noexec' }] : []),
    ],
    disk_encryption: [
      o.rootEncrypted
        ? { name: '/dev/dm-1', uuid: 'c1b2a3d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d', encrypted: 1, type: 'aes-xts-plain64', encryption_status: 'encrypted' }
        : { name: '/dev/sda2', uuid: '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a', encrypted: 0, type: '', encryption_status: 'not encrypted' },
    ],
    augeas: [
      { node: `/files${sshd}/PermitRootLogin`, value: o.sshd.PermitRootLogin, label: 'PermitRootLogin', path: sshd },
      { node: `/files${sshd}/PasswordAuthentication`, value: o.sshd.PasswordAuthentication, label: 'PasswordAuthentication', path: sshd },
      { node: `/files${sshd}/X11Forwarding`, value: 'no', label: 'X11Forwarding', path: sshd },
      { node: `/files${sshd}/MaxAuthTries`, value: '4', label: 'MaxAuthTries', path: sshd },
    ],
    iptables,
    selinux_settings: o.selinuxEnforcing ? [{ scope: 'key', key: 'enforce', value: '1' }, { scope: 'key', key: 'policyvers', value: '33' }] : [],
    apparmor_profiles: o.apparmorMode === 'none' ? [] : [
      { path: '/usr/sbin/sshd', name: '/usr/sbin/sshd', attach: '/usr/sbin/sshd', mode: o.apparmorMode, sha1: '', sha256: '' },
      { path: 'lsb_release', name: 'lsb_release', attach: '/usr/bin/lsb_release', mode: o.apparmorMode, sha1: '', sha256: '' },
    ],
    shadow: [
      { password_status: 'active', hash_alg: 'SHA512', last_change: 19950, min: 1, max: o.maxPasswordAge, warning: 7, inactive: 30, expire: -1, flag: -1, username: 'ops' },
      { password_status: 'locked', hash_alg: '', last_change: 19800, min: 0, max: 99999, warning: 7, inactive: -1, expire: -1, flag: -1, username: 'root' },
    ],
    system_controls: Object.entries(o.sysctl).map(([name, value]) => ({ name, oid: '', subsystem: name.split('.')[0] ?? '', current_value: value, config_value: value, type: 'string' })),
    sudoers: [{ source: '/etc/sudoers', header: 'root', rule_details: 'ALL=(ALL:ALL) ALL' }, { source: '/etc/sudoers', header: '%sudo', rule_details: 'ALL=(ALL:ALL) ALL' }, ...o.sudoers],
    authorized_keys: [
      { uid: 1000, algorithm: 'ssh-ed25519', key: 'AAAAC3NzaC1lZDI1NTE5AAAAIFhJ9wQjq1cOp6kbdL5sXb5V7pW3YdE8s0mPqN2r4tUv', options: '', comment: 'ops@bastion', key_file: '/home/ops/.ssh/authorized_keys' },
      ...(o.rootAuthorizedKey ? [{ uid: 0, algorithm: 'ssh-rsa', key: 'AAAAB3NzaC1yc2EAAAADAQABAAABAQC7w2kq9Lm0XZqFJ1m3sN8rYt6uVb5pQ4eHn2cD', options: '', comment: 'deploy@ci', key_file: '/root/.ssh/authorized_keys' }] : []),
    ],
    kernel_modules: ['ext4', 'xfs', 'nf_tables', 'overlay', ...o.modules].map((name) => ({ name, size: 102400, used_by: '-', status: 'Live', address: '0x0000000000000000' })),
    crontab: [{ event: '', minute: '17', hour: '*', day_of_month: '*', month: '*', day_of_week: '*', command: 'root cd / && run-parts --report /etc/cron.hourly', path: '/etc/crontab' }, ...o.cron],
    listening_ports: [
      { pid: 812, port: '22', protocol: 6, family: 2, address: '0.0.0.0', fd: 3, socket: 23011, path: '' },
      ...(o.telnetListening ? [{ pid: 944, port: '23', protocol: 6, family: 2, address: '0.0.0.0', fd: 5, socket: 23890, path: '' }] : []),
    ],
    chrome_extensions: o.blockedExtension ? [BLOCKED_EXTENSION] : [],
  };
}
