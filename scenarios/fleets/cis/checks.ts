/**
 * The CIS-like check tables: benchmark-style settings for macOS, Windows 11 and Linux (modelled on
 * the CIS benchmarks), one row per check, with the values a complying and a failing host hold.
 * Data only: cis/policies.ts turns each row into a policy (SQL, texts) and the osquery rows of a
 * host that passes or fails it.
 */

// --- macOS -----------------------------------------------------------------------------------

export interface ManagedSetting {
  domain: string;
  name: string;
  /** `= value`, or a range for numeric settings. */
  value: string | { max: number; good: number; bad: number } | { present: string };
  title: string;
  why: string;
}

export const MAC_MANAGED: readonly ManagedSetting[] = [
  { domain: 'com.apple.SoftwareUpdate', name: 'AutomaticallyInstallMacOSUpdates', value: '1', title: 'macOS updates install automatically', why: 'Security fixes in macOS point releases are applied without waiting for the user.' },
  { domain: 'com.apple.commerce', name: 'AutoUpdate', value: '1', title: 'App Store applications update automatically', why: 'App Store applications receive security fixes as soon as they are published.' },
  { domain: 'com.apple.SoftwareUpdate', name: 'restrict-software-update-require-admin-to-install', value: '1', title: 'Only administrators install software updates', why: 'Standard users cannot install or defer updates on their own.' },
  { domain: 'com.apple.screensaver', name: 'askForPassword', value: '1', title: 'Screen saver requires a password', why: 'An unattended Mac locks when the screen saver starts.' },
  { domain: 'com.apple.screensaver', name: 'askForPasswordDelay', value: '0', title: 'No grace period before the screen saver password', why: 'The password is required as soon as the screen saver starts.' },
  { domain: 'com.apple.screensaver', name: 'idleTime', value: { max: 1200, good: 600, bad: 3600 }, title: 'Screen saver starts within 20 minutes', why: 'An unattended session is protected after at most 20 minutes.' },
  { domain: 'com.apple.screensaver', name: 'loginWindowIdleTime', value: { max: 1200, good: 900, bad: 0 }, title: 'Login window screen saver within 20 minutes', why: 'The login window does not stay lit indefinitely.' },
  { domain: 'com.apple.loginwindow', name: 'SHOWFULLNAME', value: '1', title: 'Login window asks for name and password', why: 'The login window does not list the accounts on the Mac.' },
  { domain: 'com.apple.loginwindow', name: 'RetriesUntilHint', value: '0', title: 'Password hints are disabled', why: 'Hints often reveal the password.' },
  { domain: 'com.apple.loginwindow', name: 'DisableFDEAutoLogin', value: '1', title: 'FileVault unlock does not log in automatically', why: 'Unlocking the disk at boot still requires a separate login.' },
  { domain: 'com.apple.loginwindow', name: 'LoginwindowText', value: { present: 'Authorized use only. Activity may be monitored.' }, title: 'Login window shows an access warning', why: 'A legal notice is shown before login.' },
  { domain: 'com.apple.MCX', name: 'DisableGuestAccount', value: '1', title: 'Guest account disabled by MCX', why: 'No one can log in without an account.' },
  { domain: 'com.apple.MCX', name: 'EnableGuestAccount', value: '0', title: 'Guest account not enabled by MCX', why: 'No profile re-enables the guest account.' },
  { domain: 'com.apple.security.firewall', name: 'EnableFirewall', value: '1', title: 'Firewall enforced by profile', why: 'The user cannot turn the application firewall off.' },
  { domain: 'com.apple.security.firewall', name: 'EnableStealthMode', value: '1', title: 'Firewall stealth mode enforced by profile', why: 'The Mac does not answer probes of closed ports.' },
  { domain: 'com.apple.applicationaccess', name: 'allowAirDrop', value: '0', title: 'AirDrop disabled', why: 'Files cannot be received from nearby unknown devices.' },
  { domain: 'com.apple.applicationaccess', name: 'allowCloudDocumentSync', value: '0', title: 'iCloud Drive document sync disabled', why: 'Company documents do not sync to personal iCloud accounts.' },
  { domain: 'com.apple.applicationaccess', name: 'allowPasswordSharing', value: '0', title: 'Password sharing disabled', why: 'Passwords cannot be sent to nearby devices.' },
  { domain: 'com.apple.applicationaccess', name: 'allowPasswordProximityRequests', value: '0', title: 'Password proximity requests disabled', why: 'Nearby devices cannot request passwords.' },
  { domain: 'com.apple.applicationaccess', name: 'allowAssistant', value: '0', title: 'Siri disabled', why: 'Voice requests are not sent to Apple.' },
  { domain: 'com.apple.applicationaccess', name: 'allowDiagnosticSubmission', value: '0', title: 'Diagnostic submission disabled', why: 'Crash and usage data are not sent to Apple.' },
  { domain: 'com.apple.applicationaccess', name: 'allowEraseContentAndSettings', value: '0', title: 'Erase All Content and Settings disabled', why: 'Users cannot wipe a managed Mac themselves.' },
  { domain: 'com.apple.applicationaccess', name: 'forceOnDeviceOnlyDictation', value: '1', title: 'Dictation stays on the device', why: 'Dictated text is not processed by Apple servers.' },
  { domain: 'com.apple.applicationaccess', name: 'allowUniversalControl', value: '0', title: 'Universal Control disabled', why: 'Another device cannot take over keyboard and mouse.' },
  { domain: 'com.apple.applicationaccess', name: 'allowAutoUnlock', value: '0', title: 'Apple Watch auto-unlock disabled', why: 'The Mac cannot be unlocked by a nearby watch.' },
  { domain: 'com.apple.applicationaccess', name: 'allowContentCaching', value: '0', title: 'Content caching disabled', why: 'The Mac does not serve Apple content to other devices.' },
  { domain: 'com.apple.applicationaccess', name: 'allowCloudKeychainSync', value: '0', title: 'iCloud Keychain sync disabled', why: 'Work credentials do not sync to personal devices.' },
  { domain: 'com.apple.applicationaccess', name: 'allowCloudPhotoLibrary', value: '0', title: 'iCloud Photos disabled', why: 'Screenshots and photos do not leave the Mac.' },
  { domain: 'com.apple.assistant.support', name: 'Assistant Enabled', value: '0', title: 'Siri assistant support off', why: 'Siri cannot be turned back on by the user.' },
  { domain: 'com.apple.SubmitDiagInfo', name: 'AutoSubmit', value: '0', title: 'Diagnostics are not submitted automatically', why: 'No automatic crash reports to Apple.' },
  { domain: 'com.apple.Safari', name: 'AutoOpenSafeDownloads', value: '0', title: 'Safari does not open downloads automatically', why: 'Downloaded files are not opened without a decision.' },
  { domain: 'com.apple.Safari', name: 'WarnAboutFraudulentWebsites', value: '1', title: 'Safari warns about fraudulent websites', why: 'Known phishing sites are flagged.' },
  { domain: 'com.apple.Safari', name: 'ShowFullURLInSmartSearchField', value: '1', title: 'Safari shows the full URL', why: 'Users can see where a page really comes from.' },
  { domain: 'com.apple.Safari', name: 'SendDoNotTrackHTTPHeader', value: '1', title: 'Safari sends Do Not Track', why: 'Reduces tracking by third parties.' },
  { domain: 'com.apple.Safari', name: 'BlockStoragePolicy', value: '2', title: 'Safari blocks third-party cookies', why: 'Cross-site tracking cookies are refused.' },
  { domain: 'com.apple.Safari', name: 'ShowOverlayStatusBar', value: '1', title: 'Safari shows the status bar', why: 'Link targets are visible before clicking.' },
  { domain: 'com.apple.Terminal', name: 'SecureKeyboardEntry', value: '1', title: 'Terminal secure keyboard entry', why: 'Other applications cannot read keystrokes typed in Terminal.' },
  { domain: 'com.apple.timed', name: 'TMAutomaticTimeOnlyEnabled', value: '1', title: 'Time is set automatically', why: 'Accurate time keeps logs and certificates trustworthy.' },
  { domain: 'com.apple.systempolicy.control', name: 'EnableAssessment', value: '1', title: 'Gatekeeper enforced by profile', why: 'The user cannot turn Gatekeeper off.' },
  { domain: 'com.apple.systempolicy.control', name: 'AllowIdentifiedDevelopers', value: '1', title: 'Gatekeeper allows identified developers only', why: 'Unsigned applications are blocked.' },
  { domain: 'com.apple.systempolicy.managed', name: 'DisableOverride', value: '1', title: 'Gatekeeper overrides disabled', why: 'Users cannot bypass Gatekeeper with a right-click Open.' },
  { domain: 'com.apple.NetworkBrowser', name: 'DisableAirDrop', value: '1', title: 'AirDrop disabled in Finder', why: 'AirDrop is not offered in the Finder sidebar.' },
  { domain: 'com.apple.icloud.managed', name: 'DisableFMMiCloudSetting', value: '1', title: 'Find My Mac disabled', why: 'A personal Apple ID cannot lock a company Mac.' },
  { domain: 'com.apple.mDNSResponder', name: 'NoMulticastAdvertisements', value: '1', title: 'Bonjour advertising disabled', why: 'The Mac does not advertise its services on the network.' },
  { domain: 'com.apple.locationmenu', name: 'ShowSystemServices', value: '1', title: 'Location use shown in the menu bar', why: 'Users see when system services use their location.' },
  { domain: 'com.apple.TimeMachine', name: 'AutoBackup', value: '1', title: 'Time Machine backs up automatically', why: 'Data can be restored after loss or ransomware.' },
  { domain: 'com.apple.AdLib', name: 'allowApplePersonalizedAdvertising', value: '0', title: 'Personalized Apple ads disabled', why: 'No advertising profile is built from usage.' },
];

export interface AppFloor {
  bundle: string;
  name: string;
  floor: string;
  good: string;
  bad: string;
}

export const MAC_APPS: readonly AppFloor[] = [
  { bundle: 'org.mozilla.firefox', name: 'Firefox', floor: '132.0', good: '133.0.3', bad: '115.9.1' },
  { bundle: 'com.microsoft.edgemac', name: 'Microsoft Edge', floor: '131.0', good: '131.0.2903.70', bad: '119.0.2151.58' },
  { bundle: 'com.brave.Browser', name: 'Brave Browser', floor: '1.73', good: '1.73.97', bad: '1.61.101' },
  { bundle: 'com.microsoft.Word', name: 'Microsoft Word', floor: '16.91', good: '16.91', bad: '16.78' },
  { bundle: 'com.microsoft.Excel', name: 'Microsoft Excel', floor: '16.91', good: '16.91', bad: '16.78' },
  { bundle: 'com.microsoft.Powerpoint', name: 'Microsoft PowerPoint', floor: '16.91', good: '16.91', bad: '16.78' },
  { bundle: 'com.microsoft.Outlook', name: 'Microsoft Outlook', floor: '16.91', good: '16.91', bad: '16.78' },
  { bundle: 'com.1password.1password', name: '1Password', floor: '8.10.50', good: '8.10.54', bad: '8.9.14' },
  { bundle: 'com.docker.docker', name: 'Docker Desktop', floor: '4.36.0', good: '4.36.0', bad: '4.25.2' },
  { bundle: 'com.microsoft.VSCode', name: 'Visual Studio Code', floor: '1.95.0', good: '1.95.3', bad: '1.84.2' },
  { bundle: 'com.googlecode.iterm2', name: 'iTerm2', floor: '3.5.6', good: '3.5.10', bad: '3.4.23' },
  { bundle: 'org.videolan.vlc', name: 'VLC', floor: '3.0.21', good: '3.0.21', bad: '3.0.18' },
  { bundle: 'com.adobe.Reader', name: 'Adobe Acrobat Reader', floor: '24.004', good: '24.005.20307', bad: '23.006.20360' },
  { bundle: 'org.whispersystems.signal-desktop', name: 'Signal', floor: '7.34.0', good: '7.36.0', bad: '6.40.0' },
];

export const MAC_OS_FLOORS: ReadonlyArray<readonly [number, string]> = [[13, '13.7.1'], [14, '14.7.1'], [15, '15.1.1']];

// --- Windows ---------------------------------------------------------------------------------

export interface RegistrySetting {
  path: string;
  /** Compliant data: exact, or `>= n` / `<= n`, or a non-empty string. */
  rule: { eq: string; bad: string } | { gte: number; good: number; bad: number } | { lte: number; good: number; bad: number } | { present: string };
  title: string;
  level?: 2;
}

const LSA = 'HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\Lsa';
const SERVICES = 'HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services';
const SYSTEM_POLICY = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System';
const EXPLORER_POLICY = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\Explorer';
const POLICIES = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft';
const eq = (value: string, bad: string): RegistrySetting['rule'] => ({ eq: value, bad });

export const WINDOWS_REGISTRY: readonly RegistrySetting[] = [
  { path: `${LSA}\\LimitBlankPasswordUse`, rule: eq('1', '0'), title: 'Accounts with blank passwords cannot log on over the network' },
  { path: `${LSA}\\NoLMHash`, rule: eq('1', '0'), title: 'LAN Manager hashes are not stored' },
  { path: `${LSA}\\LmCompatibilityLevel`, rule: eq('5', '3'), title: 'Only NTLMv2 is sent; LM and NTLM are refused' },
  { path: `${LSA}\\RestrictAnonymous`, rule: eq('1', '0'), title: 'Anonymous enumeration of shares is not allowed' },
  { path: `${LSA}\\RestrictAnonymousSAM`, rule: eq('1', '0'), title: 'Anonymous enumeration of SAM accounts is not allowed' },
  { path: `${LSA}\\EveryoneIncludesAnonymous`, rule: eq('0', '1'), title: 'Everyone permissions do not apply to anonymous users' },
  { path: `${LSA}\\RunAsPPL`, rule: eq('1', '0'), title: 'LSA runs as a protected process' },
  { path: `${LSA}\\SCENoApplyLegacyAuditPolicy`, rule: eq('1', '0'), title: 'Audit subcategory settings override category settings' },
  { path: `${LSA}\\DisableDomainCreds`, rule: eq('1', '0'), title: 'Network credentials are not stored', level: 2 },
  { path: `${LSA}\\MSV1_0\\NTLMMinClientSec`, rule: eq('537395200', '536870912'), title: 'NTLM SSP clients require NTLMv2 and 128-bit encryption' },
  { path: `${LSA}\\MSV1_0\\NTLMMinServerSec`, rule: eq('537395200', '536870912'), title: 'NTLM SSP servers require NTLMv2 and 128-bit encryption' },
  { path: 'HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\WDigest\\UseLogonCredential', rule: eq('0', '1'), title: 'WDigest does not keep plaintext credentials in memory' },
  { path: `${SERVICES}\\LanmanWorkstation\\Parameters\\RequireSecuritySignature`, rule: eq('1', '0'), title: 'SMB client always signs communications' },
  { path: `${SERVICES}\\LanmanWorkstation\\Parameters\\EnablePlainTextPassword`, rule: eq('0', '1'), title: 'SMB client does not send unencrypted passwords' },
  { path: `${SERVICES}\\LanManServer\\Parameters\\RequireSecuritySignature`, rule: eq('1', '0'), title: 'SMB server always signs communications' },
  { path: `${SERVICES}\\LanManServer\\Parameters\\RestrictNullSessAccess`, rule: eq('1', '0'), title: 'Anonymous access to named pipes and shares is restricted' },
  { path: `${SERVICES}\\LanManServer\\Parameters\\SMB1`, rule: eq('0', '1'), title: 'SMBv1 server is disabled' },
  { path: `${SERVICES}\\mrxsmb10\\Start`, rule: eq('4', '2'), title: 'SMBv1 client driver is disabled' },
  { path: `${SERVICES}\\NetBT\\Parameters\\NodeType`, rule: eq('2', '8'), title: 'NetBT NodeType is P-node (no broadcast name resolution)' },
  { path: `${SERVICES}\\NetBT\\Parameters\\NoNameReleaseOnDemand`, rule: eq('1', '0'), title: 'NetBIOS name release requests are ignored' },
  { path: `${SERVICES}\\Tcpip\\Parameters\\DisableIPSourceRouting`, rule: eq('2', '0'), title: 'IPv4 source routing is disabled' },
  { path: `${SERVICES}\\Tcpip6\\Parameters\\DisableIPSourceRouting`, rule: eq('2', '0'), title: 'IPv6 source routing is disabled' },
  { path: `${SERVICES}\\Tcpip\\Parameters\\EnableICMPRedirect`, rule: eq('0', '1'), title: 'ICMP redirects cannot override OSPF routes' },
  { path: 'HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\SafeDllSearchMode', rule: eq('1', '0'), title: 'Safe DLL search mode is enabled' },
  { path: 'HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\ProtectionMode', rule: eq('1', '0'), title: 'Default permissions of internal system objects are strengthened' },
  { path: 'HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\kernel\\DisableExceptionChainValidation', rule: eq('0', '1'), title: 'Structured Exception Handling Overwrite Protection is on' },
  { path: 'HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\WinStations\\RDP-Tcp\\UserAuthentication', rule: eq('1', '0'), title: 'Remote Desktop requires Network Level Authentication' },
  { path: `${SYSTEM_POLICY}\\ConsentPromptBehaviorAdmin`, rule: eq('2', '5'), title: 'UAC prompts administrators for consent on the secure desktop' },
  { path: `${SYSTEM_POLICY}\\ConsentPromptBehaviorUser`, rule: eq('0', '3'), title: 'UAC automatically denies elevation requests from standard users' },
  { path: `${SYSTEM_POLICY}\\FilterAdministratorToken`, rule: eq('1', '0'), title: 'UAC Admin Approval Mode for the built-in Administrator' },
  { path: `${SYSTEM_POLICY}\\EnableInstallerDetection`, rule: eq('1', '0'), title: 'UAC detects application installations' },
  { path: `${SYSTEM_POLICY}\\EnableSecureUIAPaths`, rule: eq('1', '0'), title: 'UIAccess applications must run from secure locations' },
  { path: `${SYSTEM_POLICY}\\EnableVirtualization`, rule: eq('1', '0'), title: 'UAC virtualizes file and registry write failures' },
  { path: `${SYSTEM_POLICY}\\PromptOnSecureDesktop`, rule: eq('1', '0'), title: 'UAC prompts on the secure desktop' },
  { path: `${SYSTEM_POLICY}\\DontDisplayLastUserName`, rule: eq('1', '0'), title: 'Logon screen does not show the last user name' },
  { path: `${SYSTEM_POLICY}\\DisableCAD`, rule: eq('0', '1'), title: 'Ctrl+Alt+Del is required to log on' },
  { path: `${SYSTEM_POLICY}\\LegalNoticeCaption`, rule: { present: 'Authorized use only' }, title: 'Logon banner has a title' },
  { path: `${SYSTEM_POLICY}\\LegalNoticeText`, rule: { present: 'This system is for authorized users only. Activity may be monitored.' }, title: 'Logon banner has a message' },
  { path: `${SYSTEM_POLICY}\\MaxDevicePasswordFailedAttempts`, rule: { lte: 10, good: 10, bad: 0 }, title: 'Machine locks after 10 or fewer failed unlock attempts' },
  { path: `${SYSTEM_POLICY}\\LocalAccountTokenFilterPolicy`, rule: eq('0', '1'), title: 'Local accounts get filtered tokens over the network' },
  { path: `${EXPLORER_POLICY}\\NoDriveTypeAutoRun`, rule: eq('255', '145'), title: 'AutoRun is disabled for all drives' },
  { path: `${EXPLORER_POLICY}\\NoAutorun`, rule: eq('1', '0'), title: 'AutoRun commands are not executed' },
  { path: `${EXPLORER_POLICY}\\PreXPSP2ShellProtocolBehavior`, rule: eq('0', '1'), title: 'Shell protocol runs in protected mode' },
  { path: `${POLICIES}\\Windows\\Explorer\\NoAutoplayfornonVolume`, rule: eq('1', '0'), title: 'AutoPlay is disabled for non-volume devices' },
  { path: `${POLICIES}\\Windows\\Explorer\\NoDataExecutionPrevention`, rule: eq('0', '1'), title: 'Data Execution Prevention is not turned off for Explorer' },
  { path: `${POLICIES}\\Windows\\Explorer\\NoHeapTerminationOnCorruption`, rule: eq('0', '1'), title: 'Explorer terminates on heap corruption' },
  { path: `${POLICIES}\\Windows\\PowerShell\\ScriptBlockLogging\\EnableScriptBlockLogging`, rule: eq('1', '0'), title: 'PowerShell script block logging is on' },
  { path: `${POLICIES}\\Windows\\PowerShell\\Transcription\\EnableTranscripting`, rule: eq('1', '0'), title: 'PowerShell transcription is on', level: 2 },
  { path: `${POLICIES}\\Windows\\WinRM\\Client\\AllowBasic`, rule: eq('0', '1'), title: 'WinRM client does not use Basic authentication' },
  { path: `${POLICIES}\\Windows\\WinRM\\Client\\AllowUnencryptedTraffic`, rule: eq('0', '1'), title: 'WinRM client does not allow unencrypted traffic' },
  { path: `${POLICIES}\\Windows\\WinRM\\Client\\AllowDigest`, rule: eq('0', '1'), title: 'WinRM client does not use Digest authentication' },
  { path: `${POLICIES}\\Windows\\WinRM\\Service\\AllowBasic`, rule: eq('0', '1'), title: 'WinRM service does not use Basic authentication' },
  { path: `${POLICIES}\\Windows\\WinRM\\Service\\AllowUnencryptedTraffic`, rule: eq('0', '1'), title: 'WinRM service does not allow unencrypted traffic' },
  { path: `${POLICIES}\\Windows\\WinRM\\Service\\DisableRunAs`, rule: eq('1', '0'), title: 'WinRM service does not store RunAs credentials' },
  { path: `${POLICIES}\\Windows NT\\Terminal Services\\fDisableCdm`, rule: eq('1', '0'), title: 'Remote Desktop does not redirect drives' },
  { path: `${POLICIES}\\Windows NT\\Terminal Services\\fPromptForPassword`, rule: eq('1', '0'), title: 'Remote Desktop always prompts for a password' },
  { path: `${POLICIES}\\Windows NT\\Terminal Services\\fEncryptRPCTraffic`, rule: eq('1', '0'), title: 'Remote Desktop requires secure RPC' },
  { path: `${POLICIES}\\Windows NT\\Terminal Services\\MinEncryptionLevel`, rule: eq('3', '1'), title: 'Remote Desktop encryption level is High' },
  { path: `${POLICIES}\\Windows NT\\Terminal Services\\DisablePasswordSaving`, rule: eq('1', '0'), title: 'Remote Desktop clients cannot save passwords' },
  { path: `${POLICIES}\\Windows NT\\Printers\\RegisterSpoolerRemoteRpcEndPoint`, rule: eq('2', '1'), title: 'Print Spooler does not accept client connections' },
  { path: `${POLICIES}\\Windows NT\\Printers\\PointAndPrint\\RestrictDriverInstallationToAdministrators`, rule: eq('1', '0'), title: 'Only administrators install printer drivers (PrintNightmare)' },
  { path: `${POLICIES}\\Windows NT\\DNSClient\\EnableMulticast`, rule: eq('0', '1'), title: 'LLMNR multicast name resolution is off' },
  { path: `${POLICIES}\\Windows\\System\\EnableSmartScreen`, rule: eq('1', '0'), title: 'Windows Defender SmartScreen is on for Explorer' },
  { path: `${POLICIES}\\Windows\\System\\DontDisplayNetworkSelectionUI`, rule: eq('1', '0'), title: 'Network selection is hidden on the logon screen' },
  { path: `${POLICIES}\\Windows\\System\\EnumerateLocalUsers`, rule: eq('0', '1'), title: 'Local users are not enumerated on domain-joined computers' },
  { path: `${POLICIES}\\Windows\\System\\AllowDomainPINLogon`, rule: eq('0', '1'), title: 'Convenience PIN sign-in is off' },
  { path: `${POLICIES}\\Windows\\CredentialsDelegation\\AllowProtectedCreds`, rule: eq('1', '0'), title: 'Remote host allows delegation of non-exportable credentials' },
  { path: `${POLICIES}\\Windows\\DeviceGuard\\EnableVirtualizationBasedSecurity`, rule: eq('1', '0'), title: 'Virtualization-based security is on' },
  { path: `${POLICIES}\\Windows\\DeviceGuard\\HypervisorEnforcedCodeIntegrity`, rule: eq('1', '0'), title: 'Hypervisor-protected code integrity is on' },
  { path: `${POLICIES}\\Windows\\DeviceGuard\\LsaCfgFlags`, rule: eq('1', '0'), title: 'Credential Guard is on with UEFI lock' },
  { path: `${POLICIES}\\Windows\\Installer\\AlwaysInstallElevated`, rule: eq('0', '1'), title: 'Windows Installer never installs with elevated privileges' },
  { path: `${POLICIES}\\Windows\\Installer\\EnableUserControl`, rule: eq('0', '1'), title: 'Users cannot change installation options' },
  { path: `${POLICIES}\\Windows\\WindowsUpdate\\AU\\NoAutoUpdate`, rule: eq('0', '1'), title: 'Automatic Updates are not disabled by policy' },
  { path: `${POLICIES}\\Windows\\WindowsUpdate\\AU\\ScheduledInstallDay`, rule: eq('0', '3'), title: 'Updates install every day' },
  { path: `${POLICIES}\\Windows\\WindowsUpdate\\ManagePreviewBuildsPolicyValue`, rule: eq('1', '2'), title: 'Preview builds are disabled' },
  { path: `${POLICIES}\\Windows\\EventLog\\Application\\MaxSize`, rule: { gte: 32768, good: 32768, bad: 20480 }, title: 'Application event log is at least 32 MB' },
  { path: `${POLICIES}\\Windows\\EventLog\\Security\\MaxSize`, rule: { gte: 196608, good: 196608, bad: 20480 }, title: 'Security event log is at least 192 MB' },
  { path: `${POLICIES}\\Windows\\EventLog\\Setup\\MaxSize`, rule: { gte: 32768, good: 32768, bad: 1028 }, title: 'Setup event log is at least 32 MB' },
  { path: `${POLICIES}\\Windows\\EventLog\\System\\MaxSize`, rule: { gte: 32768, good: 32768, bad: 20480 }, title: 'System event log is at least 32 MB' },
  { path: `${POLICIES}\\Windows Defender\\DisableAntiSpyware`, rule: eq('0', '1'), title: 'Microsoft Defender Antivirus is not turned off by policy' },
  { path: `${POLICIES}\\Windows Defender\\PUAProtection`, rule: eq('1', '0'), title: 'Defender blocks potentially unwanted applications' },
  { path: `${POLICIES}\\Windows Defender\\Real-Time Protection\\DisableRealtimeMonitoring`, rule: eq('0', '1'), title: 'Defender real-time protection is not turned off' },
  { path: `${POLICIES}\\Windows Defender\\Real-Time Protection\\DisableBehaviorMonitoring`, rule: eq('0', '1'), title: 'Defender behavior monitoring is on' },
  { path: `${POLICIES}\\Windows Defender\\Real-Time Protection\\DisableScriptScanning`, rule: eq('0', '1'), title: 'Defender scans scripts' },
  { path: `${POLICIES}\\Windows Defender\\Real-Time Protection\\DisableIOAVProtection`, rule: eq('0', '1'), title: 'Defender scans downloaded files and attachments' },
  { path: `${POLICIES}\\Windows Defender\\Scan\\DisableRemovableDriveScanning`, rule: eq('0', '1'), title: 'Defender scans removable drives' },
  { path: `${POLICIES}\\Windows Defender\\Scan\\DisableEmailScanning`, rule: eq('0', '1'), title: 'Defender scans e-mail' },
  { path: `${POLICIES}\\Windows Defender\\Windows Defender Exploit Guard\\ASR\\ExploitGuard_ASR_Rules`, rule: eq('1', '0'), title: 'Attack Surface Reduction rules are configured' },
  { path: `${POLICIES}\\Windows Defender\\Windows Defender Exploit Guard\\Network Protection\\EnableNetworkProtection`, rule: eq('1', '0'), title: 'Defender network protection blocks dangerous websites' },
  { path: `${POLICIES}\\Windows Defender\\Spynet\\LocalSettingOverrideSpynetReporting`, rule: eq('0', '1'), title: 'Local settings cannot override MAPS reporting' },
  { path: `${POLICIES}\\WindowsFirewall\\DomainProfile\\EnableFirewall`, rule: eq('1', '0'), title: 'Firewall on for the domain profile' },
  { path: `${POLICIES}\\WindowsFirewall\\PrivateProfile\\EnableFirewall`, rule: eq('1', '0'), title: 'Firewall on for the private profile' },
  { path: `${POLICIES}\\WindowsFirewall\\PublicProfile\\EnableFirewall`, rule: eq('1', '0'), title: 'Firewall on for the public profile' },
  { path: `${POLICIES}\\WindowsFirewall\\DomainProfile\\DefaultInboundAction`, rule: eq('1', '0'), title: 'Domain profile blocks inbound connections by default' },
  { path: `${POLICIES}\\WindowsFirewall\\PrivateProfile\\DefaultInboundAction`, rule: eq('1', '0'), title: 'Private profile blocks inbound connections by default' },
  { path: `${POLICIES}\\WindowsFirewall\\PublicProfile\\DefaultInboundAction`, rule: eq('1', '0'), title: 'Public profile blocks inbound connections by default' },
  { path: `${POLICIES}\\WindowsFirewall\\PublicProfile\\AllowLocalPolicyMerge`, rule: eq('0', '1'), title: 'Public profile ignores local firewall rules' },
  { path: `${POLICIES}\\WindowsFirewall\\DomainProfile\\Logging\\LogDroppedPackets`, rule: eq('1', '0'), title: 'Domain profile logs dropped packets' },
  { path: `${POLICIES}\\WindowsFirewall\\PrivateProfile\\Logging\\LogDroppedPackets`, rule: eq('1', '0'), title: 'Private profile logs dropped packets' },
  { path: `${POLICIES}\\WindowsFirewall\\PublicProfile\\Logging\\LogDroppedPackets`, rule: eq('1', '0'), title: 'Public profile logs dropped packets' },
  { path: `${POLICIES}\\Windows\\CloudContent\\DisableWindowsConsumerFeatures`, rule: eq('1', '0'), title: 'Microsoft consumer experiences are off' },
  { path: `${POLICIES}\\Windows\\DataCollection\\AllowTelemetry`, rule: { lte: 1, good: 1, bad: 3 }, title: 'Diagnostic data is limited to required data' },
  { path: `${POLICIES}\\Windows\\DataCollection\\DoNotShowFeedbackNotifications`, rule: eq('1', '0'), title: 'Feedback notifications are off' },
  { path: `${POLICIES}\\Windows\\Personalization\\NoLockScreenCamera`, rule: eq('1', '0'), title: 'Camera is not available on the lock screen' },
  { path: `${POLICIES}\\Windows\\Personalization\\NoLockScreenSlideshow`, rule: eq('1', '0'), title: 'Lock screen slide show is off' },
  { path: `${POLICIES}\\Windows\\LanmanWorkstation\\AllowInsecureGuestAuth`, rule: eq('0', '1'), title: 'Insecure guest logons to SMB servers are off' },
  { path: `${POLICIES}\\Windows\\Network Connections\\NC_ShowSharedAccessUI`, rule: eq('0', '1'), title: 'Internet Connection Sharing cannot be turned on' },
  { path: `${POLICIES}\\Windows\\GameDVR\\AllowGameDVR`, rule: eq('0', '1'), title: 'Game recording and broadcasting is off', level: 2 },
  { path: `${POLICIES}\\Windows\\Windows Search\\AllowCortana`, rule: eq('0', '1'), title: 'Cortana is off' },
  { path: `${POLICIES}\\Windows\\Kernel DMA Protection\\DeviceEnumerationPolicy`, rule: eq('0', '2'), title: 'External devices incompatible with Kernel DMA Protection are blocked', level: 2 },
  { path: `${POLICIES}\\FVE\\RDVDenyWriteAccess`, rule: eq('1', '0'), title: 'Write access to removable drives not protected by BitLocker is denied', level: 2 },
  { path: `${POLICIES}\\Windows\\WcmSvc\\GroupPolicy\\fMinimizeConnections`, rule: eq('3', '0'), title: 'Simultaneous connections to the Internet or a domain are limited' },
];

export const WINDOWS_SERVICES: ReadonlyArray<readonly [string, string]> = [
  ['XblAuthManager', 'Xbox Live Auth Manager'], ['XblGameSave', 'Xbox Live Game Save'], ['XboxGipSvc', 'Xbox Accessory Management Service'],
  ['XboxNetApiSvc', 'Xbox Live Networking Service'], ['SSDPSRV', 'SSDP Discovery'], ['upnphost', 'UPnP Device Host'],
  ['WMPNetworkSvc', 'Windows Media Player Network Sharing Service'], ['icssvc', 'Windows Mobile Hotspot Service'], ['lfsvc', 'Geolocation Service'],
  ['MapsBroker', 'Downloaded Maps Manager'], ['SharedAccess', 'Internet Connection Sharing (ICS)'], ['irmon', 'Infrared monitor service'],
  ['RpcLocator', 'Remote Procedure Call (RPC) Locator'], ['RemoteAccess', 'Routing and Remote Access'], ['simptcp', 'Simple TCP/IP Services'],
  ['sacsvr', 'Special Administration Console Helper'], ['WMSvc', 'Web Management Service'], ['W3SVC', 'World Wide Web Publishing Service'],
  ['FTPSVC', 'Microsoft FTP Service'], ['sshd', 'OpenSSH SSH Server'], ['LxssManager', 'LxssManager'], ['Browser', 'Computer Browser'],
  ['PushToInstall', 'Windows PushToInstall Service'], ['WerSvc', 'Windows Error Reporting Service'],
];

export const WINDOWS_PROGRAMS: ReadonlyArray<readonly [string, string, string, string, string]> = [
  // name (LIKE prefix), floor, good, bad, publisher
  ['Mozilla Firefox', '132.0', '133.0.3', '115.9.1', 'Mozilla'],
  ['7-Zip', '24.08', '24.08', '19.00', 'Igor Pavlov'],
  ['Adobe Acrobat', '24.004', '24.005.20307', '23.006.20360', 'Adobe'],
  ['Notepad++', '8.7', '8.7.1', '8.5.8', 'Notepad++ Team'],
  ['VLC media player', '3.0.21', '3.0.21', '3.0.18', 'VideoLAN'],
  ['Microsoft Edge', '131.0', '131.0.2903.70', '119.0.2151.58', 'Microsoft Corporation'],
  ['Slack', '4.41', '4.41.105', '4.33.90', 'Slack Technologies Inc.'],
  ['PuTTY', '0.82', '0.82.0.0', '0.78.0.0', 'Simon Tatham'],
  ['WinSCP', '6.3.5', '6.3.6', '5.21.8', 'Martin Prikryl'],
  ['Git', '2.47.0', '2.47.1', '2.39.2', 'The Git Development Community'],
  ['Python 3.12', '3.12.7', '3.12.8', '3.12.1', 'Python Software Foundation'],
  ['Node.js', '22.11.0', '22.12.0', '18.17.1', 'Node.js Foundation'],
  ['Wireshark', '4.4.2', '4.4.2', '3.6.16', 'The Wireshark developer community'],
  ['KeePass Password Safe', '2.57', '2.57.1', '2.53', 'Dominik Reichl'],
  ['Microsoft Visual Studio Code', '1.95.0', '1.95.3', '1.84.2', 'Microsoft Corporation'],
  ['Docker Desktop', '4.36.0', '4.36.0', '4.25.2', 'Docker Inc.'],
  ['OpenVPN', '2.6.12', '2.6.12', '2.5.9', 'OpenVPN, Inc.'],
];

// --- Linux -----------------------------------------------------------------------------------

export const LINUX_SYSCTL: ReadonlyArray<readonly [string, string, string, string]> = [
  // name, compliant value, non-compliant value, what it does
  ['net.ipv4.conf.all.send_redirects', '0', '1', 'ICMP redirects are not sent'],
  ['net.ipv4.conf.default.send_redirects', '0', '1', 'ICMP redirects are not sent on new interfaces'],
  ['net.ipv4.conf.all.accept_redirects', '0', '1', 'ICMP redirects are not accepted'],
  ['net.ipv4.conf.default.accept_redirects', '0', '1', 'ICMP redirects are not accepted on new interfaces'],
  ['net.ipv4.conf.all.secure_redirects', '0', '1', 'Secure ICMP redirects are not accepted'],
  ['net.ipv4.conf.default.secure_redirects', '0', '1', 'Secure ICMP redirects are not accepted on new interfaces'],
  ['net.ipv4.conf.all.accept_source_route', '0', '1', 'Source-routed packets are not accepted'],
  ['net.ipv4.conf.default.accept_source_route', '0', '1', 'Source-routed packets are not accepted on new interfaces'],
  ['net.ipv4.conf.all.log_martians', '1', '0', 'Suspicious packets are logged'],
  ['net.ipv4.conf.default.log_martians', '1', '0', 'Suspicious packets are logged on new interfaces'],
  ['net.ipv4.icmp_echo_ignore_broadcasts', '1', '0', 'Broadcast ICMP requests are ignored'],
  ['net.ipv4.icmp_ignore_bogus_error_responses', '1', '0', 'Bogus ICMP error responses are ignored'],
  ['net.ipv4.conf.all.rp_filter', '1', '0', 'Reverse path filtering is on'],
  ['net.ipv4.conf.default.rp_filter', '1', '0', 'Reverse path filtering is on for new interfaces'],
  ['net.ipv4.tcp_syncookies', '1', '0', 'TCP SYN cookies are on'],
  ['net.ipv6.conf.all.accept_ra', '0', '1', 'IPv6 router advertisements are not accepted'],
  ['net.ipv6.conf.default.accept_ra', '0', '1', 'IPv6 router advertisements are not accepted on new interfaces'],
  ['net.ipv6.conf.all.accept_redirects', '0', '1', 'IPv6 redirects are not accepted'],
  ['net.ipv6.conf.default.accept_redirects', '0', '1', 'IPv6 redirects are not accepted on new interfaces'],
  ['net.ipv6.conf.all.accept_source_route', '0', '1', 'IPv6 source-routed packets are not accepted'],
  ['net.ipv6.conf.all.forwarding', '0', '1', 'IPv6 forwarding is off'],
  ['kernel.yama.ptrace_scope', '1', '0', 'ptrace is restricted to descendants'],
  ['fs.suid_dumpable', '0', '2', 'setuid programs do not dump core'],
  ['kernel.dmesg_restrict', '1', '0', 'Only privileged users read the kernel log'],
  ['kernel.kptr_restrict', '2', '0', 'Kernel pointers are hidden'],
  ['fs.protected_hardlinks', '1', '0', 'Hard links to files of other users are restricted'],
  ['fs.protected_symlinks', '1', '0', 'Symlinks in sticky directories are restricted'],
  ['kernel.unprivileged_bpf_disabled', '1', '0', 'Unprivileged BPF is off'],
  ['net.core.bpf_jit_harden', '2', '0', 'The BPF JIT is hardened'],
  ['kernel.sysrq', '0', '176', 'The magic SysRq key is off'],
];

export const SSHD_OPTIONS: ReadonlyArray<{ label: string; condition: string; good: string; bad: string; title: string }> = [
  { label: 'PermitEmptyPasswords', condition: "value = 'no'", good: 'no', bad: 'yes', title: 'SSH refuses empty passwords' },
  { label: 'IgnoreRhosts', condition: "value = 'yes'", good: 'yes', bad: 'no', title: 'SSH ignores .rhosts files' },
  { label: 'HostbasedAuthentication', condition: "value = 'no'", good: 'no', bad: 'yes', title: 'SSH host-based authentication is off' },
  { label: 'LoginGraceTime', condition: 'CAST(value AS INTEGER) BETWEEN 1 AND 60', good: '60', bad: '120', title: 'SSH login grace time is 60 seconds or less' },
  { label: 'ClientAliveInterval', condition: 'CAST(value AS INTEGER) BETWEEN 1 AND 900', good: '300', bad: '0', title: 'SSH idle sessions are probed' },
  { label: 'ClientAliveCountMax', condition: 'CAST(value AS INTEGER) BETWEEN 1 AND 3', good: '3', bad: '10', title: 'SSH drops unresponsive sessions after 3 probes' },
  { label: 'AllowTcpForwarding', condition: "value = 'no'", good: 'no', bad: 'yes', title: 'SSH TCP forwarding is off' },
  { label: 'LogLevel', condition: "value IN ('INFO', 'VERBOSE')", good: 'VERBOSE', bad: 'QUIET', title: 'SSH logs at INFO or VERBOSE' },
  { label: 'Banner', condition: "value != 'none' AND value != ''", good: '/etc/issue.net', bad: 'none', title: 'SSH shows a warning banner' },
  { label: 'MaxStartups', condition: "value = '10:30:60'", good: '10:30:60', bad: '100', title: 'SSH limits concurrent unauthenticated connections' },
  { label: 'MaxSessions', condition: 'CAST(value AS INTEGER) BETWEEN 1 AND 10', good: '10', bad: '64', title: 'SSH allows at most 10 sessions per connection' },
  { label: 'UsePAM', condition: "value = 'yes'", good: 'yes', bad: 'no', title: 'SSH uses PAM' },
  { label: 'PermitUserEnvironment', condition: "value = 'no'", good: 'no', bad: 'yes', title: 'SSH ignores user environment files' },
  { label: 'GSSAPIAuthentication', condition: "value = 'no'", good: 'no', bad: 'yes', title: 'SSH GSSAPI authentication is off' },
  { label: 'Ciphers', condition: "value NOT LIKE '%cbc%' AND value NOT LIKE '%arcfour%'", good: 'chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com', bad: 'aes256-cbc,aes128-cbc,aes256-ctr', title: 'SSH offers no CBC or RC4 ciphers' },
];

export const LINUX_MODULES: ReadonlyArray<readonly [string, string]> = [
  ['squashfs', 'squashfs filesystem'], ['usb_storage', 'USB mass storage'], ['dccp', 'DCCP protocol'], ['sctp', 'SCTP protocol'],
  ['rds', 'RDS protocol'], ['tipc', 'TIPC protocol'], ['firewire_core', 'FireWire'], ['cifs', 'CIFS/SMB client filesystem'],
];

export const LINUX_PACKAGES: ReadonlyArray<readonly [string, string, string]> = [
  // deb name, rpm name, what
  ['xinetd', 'xinetd', 'xinetd super-server'], ['nis', 'ypserv', 'NIS server'], ['rsh-server', 'rsh-server', 'rsh server'],
  ['talk', 'talk', 'talk client'], ['tftpd-hpa', 'tftp-server', 'TFTP server'], ['ldap-utils', 'openldap-clients', 'LDAP client tools'],
  ['avahi-daemon', 'avahi', 'Avahi mDNS daemon'], ['isc-dhcp-server', 'dhcp-server', 'DHCP server'], ['slapd', 'openldap-servers', 'LDAP server'],
  ['nfs-kernel-server', 'nfs-utils', 'NFS server'], ['bind9', 'bind', 'DNS server'], ['vsftpd', 'vsftpd', 'FTP server'],
  ['apache2', 'httpd', 'HTTP server'], ['dovecot-imapd', 'dovecot', 'IMAP server'], ['samba', 'samba', 'Samba server'],
  ['squid', 'squid', 'HTTP proxy'], ['snmpd', 'net-snmp', 'SNMP daemon'], ['xserver-xorg-core', 'xorg-x11-server-common', 'X Window server'],
  ['prelink', 'prelink', 'prelink'], ['rsync', 'rsync-daemon', 'rsync daemon'],
];

export const LINUX_UNITS: ReadonlyArray<{ deb: string; rpm: string; active: boolean; title: string }> = [
  { deb: 'auditd.service', rpm: 'auditd.service', active: true, title: 'Audit daemon running' },
  { deb: 'systemd-timesyncd.service', rpm: 'chronyd.service', active: true, title: 'Time synchronisation running' },
  { deb: 'rsyslog.service', rpm: 'rsyslog.service', active: true, title: 'rsyslog running' },
  { deb: 'cron.service', rpm: 'crond.service', active: true, title: 'cron running' },
  { deb: 'unattended-upgrades.service', rpm: 'dnf-automatic.timer', active: true, title: 'Automatic security updates running' },
  { deb: 'ufw.service', rpm: 'firewalld.service', active: true, title: 'Host firewall service running' },
  { deb: 'avahi-daemon.service', rpm: 'avahi-daemon.service', active: false, title: 'Avahi daemon not running' },
  { deb: 'cups.service', rpm: 'cups.service', active: false, title: 'CUPS print service not running' },
  { deb: 'rpcbind.service', rpm: 'rpcbind.service', active: false, title: 'rpcbind not running' },
  { deb: 'nfs-server.service', rpm: 'nfs-server.service', active: false, title: 'NFS server not running' },
];

export const MOUNT_OPTIONS: ReadonlyArray<readonly [string, string]> = [
  ['/dev/shm', 'nodev'], ['/dev/shm', 'nosuid'], ['/dev/shm', 'noexec'], ['/var/tmp', 'nodev'], ['/var/tmp', 'nosuid'], ['/var/tmp', 'noexec'],
];

export const FILE_MODES: ReadonlyArray<{ path: string; modes: readonly string[]; bad: string; gid?: number }> = [
  { path: '/etc/passwd', modes: ['0644'], bad: '0666' },
  { path: '/etc/passwd-', modes: ['0600', '0644'], bad: '0664' },
  { path: '/etc/group', modes: ['0644'], bad: '0664' },
  { path: '/etc/shadow', modes: ['0640', '0600', '0000'], bad: '0644', gid: 42 },
  { path: '/etc/gshadow', modes: ['0640', '0600', '0000'], bad: '0644', gid: 42 },
  { path: '/etc/ssh/sshd_config', modes: ['0600'], bad: '0644' },
  { path: '/etc/crontab', modes: ['0600'], bad: '0644' },
  { path: '/etc/issue', modes: ['0644'], bad: '0666' },
  { path: '/etc/issue.net', modes: ['0644'], bad: '0666' },
  { path: '/etc/sudoers', modes: ['0440'], bad: '0640' },
  { path: '/etc/security/opasswd', modes: ['0600'], bad: '0644' },
];
