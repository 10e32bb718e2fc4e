/**
 * The osquery tables a simulated host has, per platform, with their columns.
 *
 * Derived from osquery's published table specs (`specs/**\/*.table` in the osquery repository: the
 * folder gives the platforms — darwin/, windows/, linux/, posix/ = darwin+linux, the root and
 * utility/ = every platform — and `extended_schema(PLATFORM, …)` adds platform-only columns).
 * Hidden columns (`hidden=True`) are left out: `SELECT *` does not return them on a real host.
 * 'chrome' is Fleet's ChromeOS agent (fleetd-chrome), which implements a handful of the same tables.
 * osquery's DATETIME columns are stored here as BIGINT (epoch seconds), which is what hosts report.
 *
 * Why it matters: a table the scenario does not fill still exists on a real host when osquery has it
 * for that platform (so a policy over it returns no rows and fails), and a table osquery lacks on
 * that platform makes the query error with `no such table: …`.
 *
 * The data is a compact literal: `t(name, platforms, columns)`, where platforms is a string of
 * letters (d darwin, w windows, l linux, c chrome) and columns a space-separated list of
 * `name[:type][@platforms]` (type i INTEGER, b BIGINT, d DOUBLE; TEXT when omitted).
 */
import { fleetPlatformOf } from '../../contract/platforms.js';

export type Platform = 'darwin' | 'windows' | 'linux' | 'chrome';

export interface ColumnSpec {
  name: string;
  type: 'TEXT' | 'INTEGER' | 'BIGINT' | 'DOUBLE';
  /** Present when the column exists only on some of the table's platforms (osquery's extended_schema). */
  platforms?: readonly Platform[];
}

export interface TableSpec {
  name: string;
  platforms: readonly Platform[];
  columns: readonly ColumnSpec[];
}

const PLATFORM_LETTERS: Readonly<Record<string, Platform>> = { d: 'darwin', w: 'windows', l: 'linux', c: 'chrome' };
const TYPE_LETTERS: Readonly<Record<string, ColumnSpec['type']>> = { i: 'INTEGER', b: 'BIGINT', d: 'DOUBLE', t: 'TEXT' };

function platformsOf(letters: string, where: string): Platform[] {
  return [...letters].map((letter) => {
    const platform = PLATFORM_LETTERS[letter];
    if (!platform) throw new Error(`catalogue: unknown platform letter '${letter}' in ${where}`);
    return platform;
  });
}

function t(name: string, platforms: string, columns: string): TableSpec {
  const parsed = columns
    .trim()
    .split(/\s+/)
    .map((token): ColumnSpec => {
      const [head = '', only] = token.split('@');
      const [column = '', typeLetter = 't'] = head.split(':');
      const type = TYPE_LETTERS[typeLetter];
      if (!column || !type) throw new Error(`catalogue: bad column '${token}' in table ${name}`);
      return only ? { name: column, type, platforms: platformsOf(only, `${name}.${column}`) } : { name: column, type };
    });
  return { name, platforms: platformsOf(platforms, name), columns: parsed };
}

export const OSQUERY_TABLES: readonly TableSpec[] = [
  // --- every platform ------------------------------------------------------------------------
  t('os_version', 'dwlc', 'name version major:i minor:i patch:i build platform platform_like codename arch extra@d install_date@w revision:i@w'),
  t('system_info', 'dwlc', 'hostname uuid cpu_type cpu_subtype cpu_brand cpu_physical_cores:i cpu_logical_cores:i cpu_sockets:i cpu_microcode physical_memory:b hardware_vendor hardware_model hardware_version hardware_serial board_vendor board_model board_version board_serial computer_name local_hostname emulated_cpu_type'),
  t('osquery_info', 'dwlc', 'pid:i uuid instance_id version config_hash config_valid:i extensions build_platform build_distro start_time:i watcher:i platform_mask:i'),
  t('osquery_flags', 'dwl', 'name type description default_value value shell_only:i'),
  t('uptime', 'dwl', 'days:i hours:i minutes:i seconds:i total_seconds:b'),
  t('users', 'dwlc', 'uid:b gid:b uid_signed:b gid_signed:b username description directory shell uuid type@w is_hidden:i@d'),
  t('groups', 'dwl', 'gid:b gid_signed:b groupname group_sid@w comment@w is_hidden:i@d'),
  t('processes', 'dwl', 'pid:b name path cmdline state cwd root uid:b gid:b euid:b egid:b suid:b sgid:b on_disk:i wired_size:b resident_size:b total_size:b user_time:b system_time:b disk_bytes_read:b disk_bytes_written:b start_time:b parent:b pgroup:b threads:i nice:i upid:b@d uppid:b@d cpu_type:i@d cpu_subtype:i@d translated:i@d'),
  t('listening_ports', 'dwl', 'pid:i port protocol:i family:i address net_namespace fd:b socket:b path'),
  t('logged_in_users', 'dwl', 'type user tty host time:i pid:i sid@w registry_hive@w'),
  t('file', 'dwl', 'path directory filename inode:b uid:b gid:b mode device:b size:b block_size:i atime:b mtime:b ctime:b btime:b hard_links:i symlink:i type'),
  t('hash', 'dwl', 'path directory md5 sha1 sha256'),
  t('certificates', 'dwl', 'common_name subject subject2 issuer issuer2 ca:i self_signed:i not_valid_before:b not_valid_after:b signing_algorithm key_algorithm key_strength key_usage subject_key_id authority_key_id sha1 path serial sid@w store_location@w store@w username@w store_id@w'),
  t('chrome_extensions', 'dwlc', 'browser_type uid:b name profile profile_path referenced_identifier identifier version description default_locale current_locale update_url author persistent:i path permissions optional_permissions manifest_hash referenced:b from_webstore state install_time install_timestamp:b'),
  t('firefox_addons', 'dwl', 'uid:b name identifier creator type version description source_url visible:i active:i disabled:i autoupdate:i location path'),
  t('kernel_info', 'dwl', 'version arguments path device'),
  t('startup_items', 'dwl', 'name path args type source status username'),
  t('python_packages', 'dwl', 'name version summary author license path directory'),
  t('npm_packages', 'dwl', 'name version description author license homepage path directory depth:i'),
  t('vscode_extensions', 'dwl', 'name uuid version path publisher publisher_id installed_at:b prerelease:i uid:b vscode_edition'),
  t('secureboot', 'dwl', 'secure_boot:i secure_mode:i@d description@d allow_kernel_extensions:i@d allow_mdm_operations:i@d setup_mode:i@lw'),
  // osquery_registry: filled by the evaluator with the tables a host has (discovery queries read it).
  t('osquery_registry', 'dwlc', 'registry name owner_uuid:i internal:i active:i'),
  t('interface_details', 'dwl', 'interface mac type:i mtu:i metric:i flags:i ipackets:b opackets:b ibytes:b obytes:b ierrors:b oerrors:b idrops:b odrops:b collisions:b last_change:b link_speed:b pci_slot@l friendly_name@w description@w manufacturer@w connection_id@w connection_status@w enabled:i@w physical_adapter:i@w speed:i@w service@w dhcp_enabled:i@w dhcp_server@w dns_domain@w dns_host_name@w'),
  t('routes', 'dwl', 'destination netmask:i gateway source flags:i interface mtu:i metric:i type hopcount:i@dl'),
  t('interface_addresses', 'dwl', 'interface address mask broadcast point_to_point type'),
  t('etc_hosts', 'dwl', 'address hostnames'),
  t('osquery_schedule', 'dwl', 'name query interval:i executions:b last_executed:b output_size:b wall_time:b user_time:b system_time:b average_memory:b'),
  t('time', 'dwl', 'weekday year:i month:i day:i hour:i minutes:i seconds:i timezone local_time:i local_timezone unix_time:i timestamp datetime iso_8601 timestamp_sys100ns:b@w'),

  // --- macOS -----------------------------------------------------------------------------------
  t('alf', 'd', 'allow_signed_enabled:i firewall_unload:i global_state:i logging_enabled:i logging_option:i stealth_enabled:i version'),
  t('alf_exceptions', 'd', 'path state:i'),
  t('apps', 'd', 'name path bundle_executable bundle_identifier bundle_name bundle_short_version bundle_version bundle_package_type environment element compiler development_region display_name info_string minimum_system_version category applescript_enabled copyright last_opened_time:d'),
  t('screenlock', 'dc', 'enabled:i grace_period:i'),
  t('managed_policies', 'd', 'domain uuid name value username manual:i'),
  t('sip_config', 'd', 'config_flag enabled:i enabled_nvram:i'),
  t('gatekeeper', 'd', 'assessments_enabled:i dev_id_enabled:i version opaque_version'),
  t('xprotect_meta', 'd', 'identifier type developer_id min_version'),
  t('xprotect_entries', 'd', 'name launch_type identity filename filetype optional:i uses_pattern:i'),
  t('homebrew_packages', 'd', 'name path version'),
  t('launchd', 'd', 'path name label program run_at_load keep_alive on_demand disabled username groupname stdout_path stderr_path start_interval program_arguments watch_paths queue_directories inetd_compatibility start_on_mount root_directory working_directory process_type'),
  t('plist', 'd', 'key subkey value path'),
  t('password_policy', 'd', 'uid:b policy_identifier policy_content policy_description'),
  t('account_policy_data', 'd', 'uid:b creation_time:d failed_login_count:b failed_login_timestamp:d password_last_set_time:d is_hidden:i'),
  t('kernel_extensions', 'd', 'idx:i refs:i size:b name version linked_against path'),
  t('system_extensions', 'd', 'path UUID state identifier version category bundle_path team'),
  t('sharing_preferences', 'd', 'screen_sharing:i file_sharing:i printer_sharing:i remote_login:i remote_management:i remote_apple_events:i internet_sharing:i bluetooth_sharing:i disc_sharing:i content_caching:i'),
  t('package_receipts', 'd', 'package_id version location install_time:d installer_name path'),
  t('safari_extensions', 'd', 'name identifier version sdk update_url author description path'),
  t('location_services', 'd', 'enabled:i'),
  t('preferences', 'd', 'domain key subkey value forced:i username host'),
  t('signature', 'd', 'path arch signed:i identifier cdhash team_identifier authority entitlements'),
  t('time_machine_backups', 'd', 'destination_id backup_date:b'), // osquery specs/darwin/time_machine_backups.table
  t('time_machine_destinations', 'd', 'alias destination_id consistency_scan_date root_volume_uuid bytes_available bytes_used encryption'),

  t('battery', 'dw', 'manufacturer manufacture_date:i@d model serial_number cycle_count:i health condition@d state charging:i charged:i designed_capacity:i max_capacity:i current_capacity:i percent_remaining:i amperage:i voltage:i minutes_until_empty:i minutes_to_full_charge:i chemistry@w'),

  // --- macOS and Linux (osquery's posix specs) ------------------------------------------------
  t('disk_encryption', 'dl', 'name uuid encrypted:i type encryption_status uid@d user_uuid@d filevault_status@d'),
  t('mounts', 'dl', 'device device_alias path type blocks_size:b blocks:b blocks_free:b blocks_available:b inodes:b inodes_free:b flags'),
  t('sudoers', 'dl', 'source header rule_details'),
  t('crontab', 'dl', 'event minute hour day_of_month month day_of_week command path'),
  t('authorized_keys', 'dl', 'uid:b algorithm key options comment key_file'),
  t('augeas', 'dl', 'node value label path'),
  t('system_controls', 'dl', 'name oid subsystem current_value config_value type field_name@d'),
  t('ssh_configs', 'dl', 'uid:b block option ssh_config_file'),
  t('sshd_config', 'dl', 'keyword argument match path'),
  t('last', 'dl', 'username tty pid:i type:i time:i host'),
  t('suid_bin', 'dl', 'path username groupname permissions'),
  t('extended_attributes', 'dl', 'path directory key value base64:i'),
  t('user_groups', 'dl', 'uid:b gid:b'),
  t('dns_resolvers', 'dl', 'id:i type address netmask options:b'),
  t('usb_devices', 'dl', 'usb_address:i usb_port:i vendor vendor_id model model_id serial class subclass protocol removable:i'),
  t('docker_containers', 'dl', 'id name image image_id command created:b state status pid path config_entrypoint started_at finished_at privileged:i security_options env_variables cgroup_namespace@l ipc_namespace@l mnt_namespace@l net_namespace@l pid_namespace@l user_namespace@l uts_namespace@l'),

  // --- Linux -----------------------------------------------------------------------------------
  t('deb_packages', 'l', 'name version source size:b arch revision status maintainer section priority admindir'),
  t('rpm_packages', 'l', 'name version release source size:b sha1 arch epoch:i install_time:i vendor package_group'),
  t('apt_sources', 'l', 'name source base_uri release version maintainer components architectures'),
  t('yum_sources', 'l', 'name baseurl enabled gpgcheck'),
  t('iptables', 'l', 'filter_name chain policy target protocol:i src_port dst_port src_ip src_mask iniface iniface_mask dst_ip dst_mask outiface outiface_mask match packets:i bytes:i'),
  t('selinux_settings', 'l', 'scope key value'),
  t('apparmor_profiles', 'l', 'path name attach mode sha1 sha256'),
  t('shadow', 'l', 'password_status hash_alg last_change:b min:b max:b warning:b inactive:b expire:b flag:b username'),
  t('kernel_modules', 'l', 'name size:b used_by status address'),
  t('systemd_units', 'l', 'id description load_state active_state sub_state following object_path job_id:b job_type job_path fragment_path user source_path'),

  // --- Windows ---------------------------------------------------------------------------------
  t('bitlocker_info', 'w', 'device_id drive_letter persistent_volume_id conversion_status:i protection_status:i encryption_method version:i percentage_encrypted:i lock_status:i'),
  t('programs', 'w', 'name version install_location install_source language publisher uninstall_string install_date identifying_number'),
  t('patches', 'w', 'csname hotfix_id caption description fix_comments installed_by install_date installed_on'),
  t('services', 'w', 'name service_type display_name status pid:i start_type win32_exit_code:i service_exit_code:i path module_path description user_account'),
  t('registry', 'w', 'key path name type data mtime:b'),
  t('windows_security_center', 'w', 'firewall autoupdate antivirus antispyware internet_settings windows_security_center_service user_account_control'),
  t('windows_security_products', 'w', 'type name state state_timestamp remediation_path signatures_up_to_date:i'),
  t('windows_firewall_rules', 'w', 'name app_name action enabled:i grouping direction protocol local_addresses remote_addresses local_ports remote_ports icmp_types_codes profile_domain:i profile_private:i profile_public:i service_name'),
  t('windows_update_history', 'w', 'client_app_id date:b description hresult:b operation result_code server_selection service_id support_url title update_id update_revision:b'),
  t('windows_optional_features', 'w', 'name caption state:i statename'),
  t('tpm_info', 'w', 'activated:i enabled:i owned:i manufacturer_version manufacturer_id:i manufacturer_name product_name physical_presence_version spec_version'),
  t('logical_drives', 'w', 'device_id type description free_space:b size:b file_system boot_partition:i'),
  t('scheduled_tasks', 'w', 'name action path enabled:i state hidden:i last_run_time:b next_run_time:b last_run_message last_run_code'),
  t('security_profile_info', 'w', 'minimum_password_age:i maximum_password_age:i minimum_password_length:i password_complexity:i password_history_size:i lockout_bad_count:i logon_to_change_password:i force_logoff_when_expire:i new_administrator_name new_guest_name clear_text_password:i lsa_anonymous_name_lookup:i enable_admin_account:i enable_guest_account:i audit_system_events:i audit_logon_events:i audit_object_access:i audit_privilege_use:i audit_policy_change:i audit_account_manage:i audit_process_tracking:i audit_ds_access:i audit_account_logon:i'),
  t('wmi_cli_event_consumers', 'w', 'name command_line_template executable_path class relative_path'),
  t('authenticode', 'w', 'path original_program_name serial_number issuer_name subject_name result'),
  t('chocolatey_packages', 'w', 'name version summary author license path'),

  // --- more core tables Fleet's policy and query libraries read (osquery specs/) ----------------
  t('crashes', 'd', 'type pid:b path crash_path identifier version parent:b responsible exception_type exception_codes exception_notes crashed_thread:b datetime registers stack_trace uid:b'),
  t('user_ssh_keys', 'dwl', 'uid:b path encrypted:i key_type'),
  t('process_envs', 'dl', 'pid:i key value'),
  t('ie_extensions', 'w', 'name registry_path version path'),
  t('portage_packages', 'l', 'package version slot build_time:b repository eapi:b size:b world:i'),
  t('disk_info', 'w', 'partitions:i disk_index:i type id pnp_device_id disk_size:b manufacturer hardware_model name serial description'),
  t('block_devices', 'dl', 'name parent vendor model size:b block_size:i uuid type label'),
  t('wifi_networks', 'd', 'ssid network_name security_type last_connected:i passpoint:i possibly_hidden:i roaming:i roaming_profile auto_login:i temporarily_disabled:i disabled:i add_reason added_at captive_portal:i captive_login_date:i was_captive_network:i auto_join:i personal_hotspot:i'),
  t('wifi_status', 'd', 'interface ssid bssid country_code security_type rssi:i noise:i channel:i channel_width:i channel_band:i transmit_rate mode'),
  t('keychain_items', 'd', 'label description comment account created modified type path'),
  t('known_hosts', 'dl', 'uid:b key key_file'),
  t('shared_folders', 'd', 'name path'),
  t('connectivity', 'w', 'disconnected:i ipv4_no_traffic:i ipv6_no_traffic:i ipv4_subnet:i ipv4_local_network:i ipv4_internet:i ipv6_subnet:i ipv6_local_network:i ipv6_internet:i'),
  t('ntfs_acl_permissions', 'w', 'path type principal access inherited_from'),
  t('windows_eventlog', 'w', 'channel datetime task:i level:i provider_name provider_guid computer_name eventid:i keywords data pid:i tid:i time_range timestamp xpath'),
  t('kva_speculative_info', 'w', 'kva_shadow_enabled:i kva_shadow_user_global:i kva_shadow_pcid:i kva_shadow_inv_pcid:i bp_mitigations:i bp_system_pol_disabled:i bp_microcode_disabled:i cpu_spec_ctrl_supported:i ibrs_support_enabled:i stibp_support_enabled:i cpu_pred_cmd_supported:i'),
  t('smbios_tables', 'dwl', 'number:i type:i description handle:i header_size:i size:i md5'),
  t('etc_services', 'dl', 'name port:i protocol aliases comment'),
  t('pci_devices', 'l', 'pci_slot pci_class driver vendor vendor_id model model_id pci_class_id pci_subclass_id pci_subclass subsystem_vendor_id subsystem_vendor subsystem_model_id subsystem_model'),
  t('ad_config', 'd', 'name domain option value'),
  t('disk_events', 'd', 'action path name device uuid size:b ejectable:i mountable:i writable:i content media_name vendor filesystem checksum time:b eid'),
  t('nfs_shares', 'd', 'share options readonly:i'),
  t('cpu_info', 'dwl', 'device_id model manufacturer processor_type cpu_status:i number_of_cores logical_processors:i address_width current_clock_speed:i max_clock_speed:i socket_designation availability load_percentage:i number_of_efficiency_cores:i@d number_of_performance_cores:i@d'),
  t('memory_devices', 'dwl', 'handle array_handle form_factor total_width:i data_width:i size:i set:i device_locator bank_locator memory_type memory_type_details max_speed:i configured_clock_speed:i manufacturer serial_number asset_tag part_number min_voltage:i max_voltage:i configured_voltage:i'),
  t('mdfind', 'd', 'path query'),
  t('asl', 'd', 'time:i time_nano_sec:i host sender facility pid:i gid:b uid:b level:i message ref_pid:i ref_proc extra'),
  t('unified_log', 'd', 'timestamp:b storage:i message activity:i process pid:b sender tid:b category subsystem level max_rows:i predicate'),
  t('ntdomains', 'w', 'name client_site_name dc_site_name dns_forest_name domain_controller_address domain_controller_name domain_name status'),
  t('hvci_status', 'w', 'version instance_identifier vbs_status code_integrity_policy_enforcement_status umci_policy_status'),
  t('default_environment', 'w', 'variable value expand:i'),
  t('appcompat_shims', 'w', 'executable path description install_time:d type sdb_id'),
  t('drivers', 'w', 'device_id device_name image description service service_key version inf class provider manufacturer driver_key date:b signed:i'),
  t('userassist', 'w', 'path last_execution_time:b count:i sid'),
  t('office_mru', 'w', 'application version path last_opened_time:b sid'),
  t('shellbags', 'w', 'sid source path modified_time:b created_time:b accessed_time:b mft_entry:b mft_sequence:i'),
  t('background_activities_moderator', 'w', 'path last_execution_time:b sid'),
  t('prefetch', 'w', 'path filename hash last_run_time:i other_run_times run_count:i size:i volume_serial volume_creation accessed_files_count:i accessed_directories_count:i accessed_files accessed_directories'),
  t('lxd_instances', 'l', 'name status stateful:i ephemeral:i created_at base_image architecture os description pid:i processes:i'),
  t('docker_images', 'dl', 'id created:b size_bytes:b tags'),
  t('zfs_properties', 'dl', 'name property value source'),
  t('md_devices', 'l', 'device_name status raid_level:i size:b chunk_size:b raid_disks:i nr_raid_disks:i working_disks:i active_disks:i failed_disks:i spare_disks:i superblock_state superblock_version superblock_update_time:b bitmap_on_mem bitmap_chunk_size bitmap_external_file recovery_progress recovery_finish recovery_speed resync_progress resync_finish resync_speed reshape_progress reshape_finish reshape_speed check_array_progress check_array_finish check_array_speed unused_devices other'),
  t('ycloud_instance_metadata', 'dwl', 'instance_id folder_id cloud_id name description hostname zone ssh_public_key serial_port_enabled metadata_endpoint'),
  t('ec2_instance_metadata', 'dwl', 'instance_id instance_type architecture region availability_zone local_hostname local_ipv4 mac security_groups iam_arn ami_id reservation_id account_id ssh_public_key'),
  t('azure_instance_metadata', 'dwl', 'location name offer publisher sku version os_type platform_update_domain platform_fault_domain vm_id vm_size subscription_id resource_group_name placement_group_id vm_scale_set_name zone'),


  // --- ChromeOS (fleetd-chrome's own tables) ---------------------------------------------------
  t('network_interfaces', 'c', 'mac ipv4 ipv6'),
];

/**
 * Tables that exist only on fleetd hosts: orbit's osquery extension registers them
 * (fleetdm/fleet orbit/pkg/table/extension.go `OrbitDefaultTables`, extension_darwin.go and
 * extension_windows.go `PlatformTables`, plus `orbit_info` from orbit/pkg/table/orbit_info). A plain
 * osquery host answers a query over them with `no such table`; the evaluator adds them, empty unless
 * the group fills them, for a group whose hosts run fleetd (see `runsFleetd` in evaluator.ts).
 * Columns are those the extensions declare; the data-flattening tables (`parse_*`) share one shape.
 */
const FLATTENED = 'path fullkey parent key value query';
export const FLEETD_TABLES: readonly TableSpec[] = [
  // every platform (OrbitDefaultTables)
  t('orbit_info', 'dwl', 'version device_auth_token enrolled:i last_recorded_error orbit_channel osqueryd_channel desktop_channel desktop_version uptime:b scripts_enabled:i'),
  t('google_chrome_profiles', 'dwl', 'username email name ephemeral:i'),
  t('file_lines', 'dwl', 'path line'),
  t('puppet_info', 'dwl', 'cached_catalog_status catalog_uuid code_id configuration_version corrective_change environment hostname kind noop:i puppet_version report_format status time transaction_completed transaction_uuid'),
  t('sntp_request', 'dwl', 'server timestamp_ms:b clock_offset_ms:b'),
  t('firefox_preferences', 'dwl', FLATTENED),
  t('cryptoinfo', 'dwl', `passphrase ${FLATTENED}`),
  t('parse_json', 'dwl', FLATTENED),
  t('parse_jsonl', 'dwl', FLATTENED),
  t('parse_xml', 'dwl', FLATTENED),
  t('parse_ini', 'dwl', FLATTENED),
  // macOS (extension_darwin.go)
  t('parse_plist', 'd', FLATTENED),
  t('icloud_private_relay', 'd', 'status_enabled:i'),
  t('user_login_settings', 'd', 'password_hint_enabled:i'),
  t('pwd_policy', 'd', 'max_failed_attempts:i expires_every_n_days:i days_to_expiration:i history_depth:i min_mixed_case_characters:i'),
  t('csrutil_info', 'd', 'ssv_enabled:i'),
  t('nvram_info', 'd', 'amfi_enabled:i'),
  t('authdb', 'd', 'right_name json_result'),
  t('pmset', 'd', 'getting json_result'),
  t('sudo_info', 'd', 'json_result'),
  t('software_update', 'd', 'software_update_required:i'),
  t('firmware_eficheck_integrity_check', 'd', 'chip output'),
  t('dscl', 'd', 'command path key value'),
  t('apfs_volumes', 'd', 'device_identifier name role encryption:i filevault:i locked:i capacity_in_use:b'),
  t('apfs_physical_stores', 'd', 'apfs_container_identifier identifier uuid size:b'),
  t('corestorage_logical_volumes', 'd', 'UUID Name Size:b ConversionState ConversionProgress EncryptionStatus EncryptionType HasVisibleUsers:i IsCompressed:i IsRevertible:i IsEncrypted:i IsReadOnly:i LogicalVolumeFamilyUUID'),
  t('corestorage_logical_volume_families', 'd', 'UUID EncryptionType HasVisibleUsers:i HasVolumeKey:i IsAcceptingNewUsers:i IsFullySecure:i MayHaveEncryptedEvents:i RequiresPasswordUnlock:i'),
  t('airport', 'd', 'option key value fullkey parent query'),
  t('apple_silicon_security_policy', 'd', 'volume_group local_policy_nonce_hash local_policy_hash secure_boot_policy kernel_extensions_allowed:i mdm_operations_allowed:i'),
  t('ioreg', 'd', 'c d k n p r fullkey parent key value query'),
  t('filevault_prk', 'd', 'base64_encrypted'),
  t('find_cmd', 'd', 'directory type perm not_perm mindepth maxdepth path'),
  t('filevault_users', 'd', 'username uuid'),
  t('macos_profiles', 'd', 'display_name identifier install_date type uuid verification_state user'),
  t('mdm', 'd', 'enrolled:i server_url checkin_url access_rights install_date payload_identifier topic sign_message:i identity_certificate_uuid installed_from_dep:i user_approved:i dep_capable:i has_scep_payload:i'),
  t('munki_info', 'd', 'version start_time end_time success errors warnings problem_installs manifest_name console_user'),
  t('macos_rsr', 'd', 'full_macos_version macos_version rsr_version'),
  t('filevault_status', 'd', 'status'),
  t('firmwarepasswd', 'd', 'option_roms_allowed password_enabled mode'),
  t('system_profiler', 'd', `datatype detaillevel ${FLATTENED}`),
  t('mdmclient', 'd', `command ${FLATTENED}`),
  // Windows (extension_windows.go)
  t('mdm_bridge', 'w', 'enrollment_status enrolled_user mdm_command_input mdm_command_output raw_mdm_command_output'),
  t('cis_audit', 'w', 'item value'),
];

const BY_NAME: ReadonlyMap<string, TableSpec> = new Map(OSQUERY_TABLES.map((table) => [table.name, table]));

/** The table with this name (any platform), or undefined when osquery has no such table. */
export function findTable(name: string): TableSpec | undefined {
  return BY_NAME.get(name.toLowerCase());
}

/** The table's columns as they exist on this platform (extended_schema columns of other platforms dropped). */
export function columnsFor(table: TableSpec, p: Platform): ColumnSpec[] {
  return table.columns.filter((column) => !column.platforms || column.platforms.includes(p));
}

const BY_PLATFORM = new Map<Platform, readonly TableSpec[]>();
const FLEETD_BY_PLATFORM = new Map<Platform, readonly TableSpec[]>();

/** The tables orbit's extension adds on this platform (fleetd hosts only). */
export function fleetdTablesForPlatform(p: Platform): TableSpec[] {
  let tables = FLEETD_BY_PLATFORM.get(p);
  if (!tables) {
    tables = FLEETD_TABLES.filter((table) => table.platforms.includes(p)).map((table) => ({ ...table, columns: columnsFor(table, p) }));
    FLEETD_BY_PLATFORM.set(p, tables);
  }
  return [...tables];
}

/** The tables osquery has on this platform, each with the columns it has there. */
export function tablesForPlatform(p: Platform): TableSpec[] {
  let tables = BY_PLATFORM.get(p);
  if (!tables) {
    tables = OSQUERY_TABLES.filter((table) => table.platforms.includes(p)).map((table) => ({ ...table, columns: columnsFor(table, p) }));
    BY_PLATFORM.set(p, tables);
  }
  return [...tables];
}

/** `CREATE TABLE` for this table as it exists on this platform (SQLite, quoted identifiers). */
export function createTableSql(table: TableSpec, p: Platform): string {
  const columns = columnsFor(table, p).map((column) => `"${column.name}" ${column.type}`);
  return `CREATE TABLE "${table.name}" (${columns.join(', ')})`;
}

const CATALOG_PLATFORMS: ReadonlySet<string> = new Set<Platform>(['darwin', 'windows', 'linux', 'chrome']);

/**
 * The catalogue platform whose tables a host of this raw platform has: Fleet's mapping
 * (contract/platforms.ts), or '' for a platform the catalogue has no tables for (ios, ipados, CrOS).
 */
export function catalogPlatformOf(raw: string): Platform | '' {
  const platform = fleetPlatformOf(raw);
  return CATALOG_PLATFORMS.has(platform) ? (platform as Platform) : '';
}
