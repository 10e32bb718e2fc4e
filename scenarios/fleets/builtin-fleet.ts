/**
 * The built-in mixed fleet used when `osqsim simulate --hosts N` runs without a scenario.
 *
 * About 45% macOS, 40% Windows and 15% Linux, in three groups per platform: a well-managed group
 * that passes the hardening policies of scenarios/policies/, and two groups that each fail a
 * different, realistic subset of them (an unmanaged/out-of-date group and a developer or contractor
 * group). Every policy fixture therefore has passing and failing hosts, for a reason a reader can
 * find in the settings below; host-tables.ts turns the settings into osquery's rows.
 *
 * The groups use `weight`, so the fleet scales to any host count.
 */
import type { FleetGroupSpec, FleetSpec, TableRow } from '../../contract/fleet-spec.js';
import { deb, linuxTables, macTables, rpm, windowsTables, type MacOptions, type Tables, type WindowsOptions } from './host-tables.js';
import { cisRows } from './cis/rows.js';
import type { CisFamily } from './cis/policies.js';
import { softwareTables, type SoftwareFamily, type SoftwareOptions } from './software-rows.js';
import { orbitInfo } from './fleetd-tables.js';
import { settingKey, settingsRows } from './settings-rows.js';

// --- the managed baselines the other groups depart from -----------------------------------

const MAC_MANAGED: MacOptions = {
  version: '14.6.1', build: '23G93', osquery: '5.13.1', filevault: true, firewall: 1, stealth: true, firewallLogging: true,
  screenlockGrace: 0, sip: true, gatekeeper: true, managedUpdates: true, guestDisabled: true, sharing: {}, extraApps: [],
  chromeVersion: '131.0.6778.86', secureBoot: 'Full Security', thirdPartyKexts: [], falcon: true, brew: [], vncOpen: false,
  blockedExtension: false, uptimeDays: 6,
};

const GOOD_CENTER = { firewall: 'Good', autoupdate: 'Good', antivirus: 'Good', user_account_control: 'Good' };

const WINDOWS_MANAGED: WindowsOptions = {
  edition: 'Microsoft Windows 11 Enterprise', version: '10.0.22631', build: '22631', revision: 4460, osquery: '5.13.1', bitlocker: true,
  center: GOOD_CENTER, signaturesUpToDate: true, smb1: false, profile: {}, inactivityTimeout: 900, rdpDenied: true, secureBoot: true, tpm: true,
  extraPrograms: [], firewallServiceRunning: true, remoteRegistryStart: 'DISABLED', wmiConsumer: false, updateFailed: false, vncOpen: false,
  blockedExtension: false, uptimeDays: 3,
};

// --- the fleet -------------------------------------------------------------------------------

const groups: FleetGroupSpec[] = [
  {
    name: 'macos-sonoma-managed', weight: 20, platform: 'darwin', os_version: '14.6.1', osquery_version: '5.13.1',
    tables: macTables(MAC_MANAGED),
  },
  {
    // Unmanaged laptops: no MDM profiles, an old macOS and osquery, FileVault and the firewall off.
    name: 'macos-ventura-unmanaged', weight: 12, platform: 'darwin', os_version: '13.6.9', osquery_version: '5.10.2',
    tables: macTables({
      ...MAC_MANAGED, version: '13.6.9', build: '22G830', osquery: '5.10.2', filevault: false, firewall: 0, stealth: false, firewallLogging: false,
      screenlockGrace: 300, gatekeeper: false, managedUpdates: false, guestDisabled: false, sharing: { screen_sharing: 1, remote_apple_events: 1 },
      extraApps: [{ name: 'TeamViewer.app', path: '/Applications/TeamViewer.app', bundle_identifier: 'com.teamviewer.TeamViewer', bundle_name: 'TeamViewer', bundle_short_version: '15.48.4', bundle_version: '15.48.4', bundle_package_type: 'APPL', minimum_system_version: '10.15', last_opened_time: 1731000000 }],
      chromeVersion: '118.0.5993.88', falcon: false, autoLoginUser: 'alex', blockedExtension: true, uptimeDays: 45,
    }),
  },
  {
    // Developers: current macOS, but SIP off for kernel work, SSH on, VirtualBox and old Homebrew formulae.
    name: 'macos-sequoia-developers', weight: 13, platform: 'darwin', os_version: '15.1.1', osquery_version: '5.14.1',
    tables: macTables({
      ...MAC_MANAGED, version: '15.1.1', build: '24B91', osquery: '5.14.1', stealth: false, sip: false, sharing: { remote_login: 1, internet_sharing: 1 },
      secureBoot: 'Reduced Security', falcon: false, vncOpen: true,
      thirdPartyKexts: [{ idx: 180, refs: 0, size: 393216, name: 'org.virtualbox.kext.VBoxDrv', version: '7.0.20', linked_against: '1 7', path: '/Library/Application Support/VirtualBox/VBoxDrv.kext' }],
      brew: [
        { name: 'git', path: '/opt/homebrew/Cellar/git/2.47.0', version: '2.47.0' },
        { name: 'node', path: '/opt/homebrew/Cellar/node/23.3.0', version: '23.3.0' },
        { name: 'openssl@1.1', path: '/opt/homebrew/Cellar/openssl@1.1/1.1.1w', version: '1.1.1w' },
      ],
    }),
  },
  {
    name: 'windows-11-managed', weight: 18, platform: 'windows', os_version: '10.0.22631', osquery_version: '5.13.1',
    tables: windowsTables(WINDOWS_MANAGED),
  },
  {
    // Windows 10 21H2 desktops that missed the upgrade: out of support and never hardened.
    name: 'windows-10-legacy', weight: 12, platform: 'windows', os_version: '10.0.19044', osquery_version: '5.9.1',
    tables: windowsTables({
      ...WINDOWS_MANAGED, edition: 'Microsoft Windows 10 Pro', version: '10.0.19044', build: '19044', revision: 3086, osquery: '5.9.1', bitlocker: false,
      center: { ...GOOD_CENTER, autoupdate: 'Poor' }, smb1: true,
      profile: { minimum_password_length: 8, lockout_bad_count: 0, enable_guest_account: 1, lsa_anonymous_name_lookup: 1, audit_logon_events: 0 },
      inactivityTimeout: undefined, rdpDenied: false, secureBoot: false, tpm: false, remoteRegistryStart: 'AUTO_START', vncOpen: true, uptimeDays: 40,
    }),
  },
  {
    // Contractor laptops: current Windows 11, but Defender snoozed, the firewall off and unwanted software.
    name: 'windows-11-contractors', weight: 10, platform: 'windows', os_version: '10.0.22631', osquery_version: '5.13.1',
    tables: windowsTables({
      ...WINDOWS_MANAGED, revision: 4317,
      center: { firewall: 'Poor', autoupdate: 'Good', antivirus: 'Snoozed', user_account_control: 'Poor' }, signaturesUpToDate: false,
      extraPrograms: [{ name: 'µTorrent', version: '3.6.0.47016', install_location: 'C:\\Users\\jsmith\\AppData\\Roaming\\uTorrent', install_source: '', language: '', publisher: 'BitTorrent Inc.', uninstall_string: '', install_date: '20240601', identifying_number: 'uTorrent' }],
      firewallServiceRunning: false, wmiConsumer: true, updateFailed: true, blockedExtension: true,
    }),
  },
  {
    name: 'ubuntu-22.04-servers', weight: 8, platform: 'ubuntu', os_version: '22.04.4', osquery_version: '5.13.1',
    tables: linuxTables({
      osVersion: { name: 'Ubuntu', version: '22.04.4 LTS (Jammy Jellyfish)', major: 22, minor: 4, patch: 0, build: '', platform: 'ubuntu', platform_like: 'debian', codename: 'jammy', arch: 'x86_64' },
      osquery: '5.13.1',
      packages: { table: 'deb_packages', rows: [deb('openssl', '3.0.2-0ubuntu1.18'), deb('openssh-server', '1:8.9p1-3ubuntu0.10', 1620, 'net'), deb('auditd', '1:3.0.7-1build1', 732, 'admin'), deb('sudo', '1.9.9-1ubuntu2.4', 2504, 'admin'), deb('curl', '7.81.0-1ubuntu1.18', 453, 'web')] },
      rootEncrypted: true, tmpPartition: true, sshd: { PermitRootLogin: 'no', PasswordAuthentication: 'no' }, inputPolicy: 'DROP',
      selinuxEnforcing: false, apparmorMode: 'enforce', maxPasswordAge: 90, sysctl: { 'net.ipv4.ip_forward': '0', 'kernel.randomize_va_space': '2' },
      sudoers: [], rootAuthorizedKey: false, modules: [], cron: [], telnetListening: false, blockedExtension: false, uptimeDays: 12,
    }),
  },
  {
    // An older RHEL 8 estate running containers: forwarding on, root SSH for automation, telnet kept around.
    name: 'rhel-8-servers', weight: 4, platform: 'rhel', os_version: '8.10', osquery_version: '5.8.2',
    tables: linuxTables({
      osVersion: { name: 'Red Hat Enterprise Linux', version: '8.10 (Ootpa)', major: 8, minor: 10, patch: 0, build: '', platform: 'rhel', platform_like: 'fedora', codename: '', arch: 'x86_64' },
      osquery: '5.8.2',
      packages: { table: 'rpm_packages', rows: [rpm('openssl', '1.1.1k', '12.el8_9', 1), rpm('openssh-server', '8.0p1', '24.el8'), rpm('audit', '3.1.2', '1.el8'), rpm('telnet', '0.17', '76.el8'), rpm('sudo', '1.9.5p2', '1.el8_9')] },
      rootEncrypted: false, tmpPartition: false, sshd: { PermitRootLogin: 'yes', PasswordAuthentication: 'no' }, inputPolicy: 'ACCEPT',
      selinuxEnforcing: true, apparmorMode: 'none', maxPasswordAge: 90, sysctl: { 'net.ipv4.ip_forward': '1', 'kernel.randomize_va_space': '2' },
      sudoers: [], rootAuthorizedKey: true, modules: [], cron: [], telnetListening: false, blockedExtension: false, uptimeDays: 120,
    }),
  },
  {
    // Engineers' Debian desktops: no disk encryption, password SSH, convenience sudo and a curl | sh cron job.
    name: 'debian-12-workstations', weight: 3, platform: 'debian', os_version: '12.8', osquery_version: '5.13.1',
    tables: linuxTables({
      osVersion: { name: 'Debian GNU/Linux', version: '12 (bookworm)', major: 12, minor: 0, patch: 0, build: '', platform: 'debian', platform_like: '', codename: 'bookworm', arch: 'x86_64' },
      osquery: '5.13.1',
      packages: { table: 'deb_packages', rows: [deb('openssl', '3.0.11-1~deb12u2'), deb('openssh-server', '1:9.2p1-2+deb12u3', 1813, 'net'), deb('telnet', '0.17+2.4-2+deb12u1', 160, 'net'), deb('telnetd', '0.17+2.4-2+deb12u1', 120, 'net'), deb('sudo', '1.9.13p3-1+deb12u1', 6044, 'admin')] },
      rootEncrypted: false, tmpPartition: true, sshd: { PermitRootLogin: 'no', PasswordAuthentication: 'yes' }, inputPolicy: 'none',
      selinuxEnforcing: false, apparmorMode: 'complain', maxPasswordAge: 99999, sysctl: { 'net.ipv4.ip_forward': '0', 'kernel.randomize_va_space': '1' },
      sudoers: [{ source: '/etc/sudoers.d/dev', header: 'dev', rule_details: 'ALL=(ALL) NOPASSWD: ALL' }], rootAuthorizedKey: false, modules: ['udf', 'hfsplus'],
      cron: [{ event: '', minute: '0', hour: '3', day_of_month: '*', month: '*', day_of_week: '*', command: 'curl -fsSL https://get.example.dev/update.sh | sh', path: '/var/spool/cron/crontabs/dev' }],
      telnetListening: true, blockedExtension: true, uptimeDays: 2,
    }),
  },
];

/**
 * Per group: its CIS-like compliance level (the share of the checks of scenarios/fleets/cis/ and of
 * the hardening settings of data/settings.ts it passes), its software (data/software.ts) and
 * whether its hosts run fleetd (orbit's tables then answer). Every built-in group runs fleetd, as most
 * Fleet deployments do; a scenario's own groups run plain osquery unless they fill `orbit_info`.
 */
interface GroupProfile {
  cis: CisFamily;
  level: number;
  software: SoftwareFamily;
  softwareOptions: SoftwareOptions;
  fleetd: boolean;
}

const PROFILES: Readonly<Record<string, GroupProfile>> = {
  'macos-sonoma-managed': { cis: 'darwin', level: 0.9, software: 'darwin', softwareOptions: { share: 0.55 }, fleetd: true },
  'macos-ventura-unmanaged': { cis: 'darwin', level: 0.45, software: 'darwin', softwareOptions: { share: 0.7 }, fleetd: true },
  'macos-sequoia-developers': { cis: 'darwin', level: 0.7, software: 'darwin', softwareOptions: { share: 0.8, homebrew: true }, fleetd: true },
  'windows-11-managed': { cis: 'windows', level: 0.9, software: 'windows', softwareOptions: { share: 0.55 }, fleetd: true },
  'windows-10-legacy': { cis: 'windows', level: 0.5, software: 'windows', softwareOptions: { share: 0.65 }, fleetd: true },
  'windows-11-contractors': { cis: 'windows', level: 0.65, software: 'windows', softwareOptions: { share: 0.8 }, fleetd: true },
  'ubuntu-22.04-servers': { cis: 'deb', level: 0.9, software: 'deb', softwareOptions: { share: 0.6, distro: 'ubuntu0.22.04' }, fleetd: true },
  'rhel-8-servers': { cis: 'rpm', level: 0.6, software: 'rpm', softwareOptions: { share: 0.7, distro: 'el8' }, fleetd: true },
  'debian-12-workstations': { cis: 'deb', level: 0.5, software: 'deb', softwareOptions: { share: 0.8, distro: '+deb12u' }, fleetd: true },
};

/** The built-in groups' mean compliance level: `compliance` moves every group by its difference. */
export const DEFAULT_COMPLIANCE = 0.68;

export interface BuiltinFleetOptions {
  /**
   * The fleet's compliance level, 0..1 (scenario key `fleet.compliance`): each group keeps its
   * offset from the default (managed groups comply more than unmanaged ones), clamped to 0..1.
   */
  compliance?: number;
}

function withProfile(group: FleetGroupSpec, compliance: number): FleetGroupSpec {
  const profile = PROFILES[group.name];
  if (!profile) return group;
  const level = Math.min(1, Math.max(0, profile.level + compliance - DEFAULT_COMPLIANCE));
  const tables: Tables = { ...group.tables };
  const add = (extra: Record<string, TableRow[]>): void => {
    for (const [table, rows] of Object.entries(extra)) tables[table] = [...(tables[table] ?? []), ...rows];
  };
  add(cisRows(profile.cis, group.name, level));
  // data/settings.ts adds only settings the group does not already report (file_lines: whole files).
  for (const [table, rows] of Object.entries(settingsRows(profile.cis, group.name, level, profile.fleetd))) {
    const have = new Set((tables[table] ?? []).map((row) => settingKey(table, row)));
    tables[table] = [...(tables[table] ?? []), ...rows.filter((row) => !have.has(settingKey(table, row)))];
  }
  // The group's own named apps / programs (policy fixtures look for them) stay; the software list
  // adds the rest without repeating a name.
  for (const [table, rows] of Object.entries(softwareTables(profile.software, group.name, profile.softwareOptions))) {
    const have = new Set((tables[table] ?? []).map((row) => String(row['name'])));
    tables[table] = [...(tables[table] ?? []), ...rows.filter((row) => !have.has(String(row['name'])))];
  }
  if (profile.fleetd) tables['orbit_info'] = [orbitInfo(group.platform)];
  return { ...group, tables };
}

/** The built-in fleet: 45% macOS, 40% Windows, 15% Linux by weight. */
export function builtinFleet(options: BuiltinFleetOptions = {}): FleetSpec {
  const compliance = options.compliance ?? DEFAULT_COMPLIANCE;
  if (!(compliance >= 0 && compliance <= 1)) throw new Error(`builtin fleet: compliance must be between 0 and 1, got ${compliance}`);
  return { groups: groups.map((group) => withProfile(group, compliance)) };
}

/** The built-in fleet at its default compliance level. */
export const BUILTIN_FLEET: FleetSpec = builtinFleet();
