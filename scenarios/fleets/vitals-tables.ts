/**
 * Rows of the osquery tables Fleet's host-vitals queries read that the policy tables of
 * host-tables.ts do not already hold: network interfaces and routes, disk space, batteries. Plain
 * data, one literal per platform, so a more realistic fleet can replace it without touching code.
 * Values are what osquery reports on such hosts (private addresses; sizes in bytes or blocks).
 */
import type { TableRow } from '../../contract/fleet-spec.js';

type Tables = Record<string, TableRow[]>;

export const MAC_VITALS: Tables = {
  interface_addresses: [
    { interface: 'lo0', address: '127.0.0.1', mask: '255.0.0.0', broadcast: '', point_to_point: '127.0.0.1', type: 'unknown' },
    { interface: 'en0', address: 'fe80::1c2b:3a4d:5e6f:7081%en0', mask: 'ffff:ffff:ffff:ffff::', broadcast: '', point_to_point: '', type: 'unknown' },
    { interface: 'en0', address: '192.168.1.23', mask: '255.255.255.0', broadcast: '192.168.1.255', point_to_point: '', type: 'unknown' },
  ],
  interface_details: [
    { interface: 'lo0', mac: '00:00:00:00:00:00', type: 24, mtu: 16384, metric: 0, flags: 32841, ipackets: 1204331, opackets: 1204331, ibytes: 380112904, obytes: 380112904, ierrors: 0, oerrors: 0, idrops: 0, odrops: 0, collisions: 0, last_change: 1732406400, link_speed: 0 },
    { interface: 'en0', mac: 'a4:83:e7:1c:2d:3e', type: 6, mtu: 1500, metric: 0, flags: 34915, ipackets: 8820311, opackets: 4410220, ibytes: 10482039120, obytes: 902311044, ierrors: 0, oerrors: 0, idrops: 0, odrops: 0, collisions: 0, last_change: 1732406460, link_speed: 1200000000 },
  ],
  routes: [
    { destination: '0.0.0.0', netmask: 0, gateway: '192.168.1.1', source: '', flags: 2051, interface: 'en0', mtu: 1500, metric: 0, type: 'gateway', hopcount: 0 },
    { destination: '192.168.1.0', netmask: 24, gateway: '', source: '', flags: 2097, interface: 'en0', mtu: 1500, metric: 0, type: 'local', hopcount: 0 },
  ],
  mounts: [
    { device: '/dev/disk3s1s1', device_alias: '/dev/disk3s1s1', path: '/', type: 'apfs', blocks_size: 4096, blocks: 121989150, blocks_free: 60310442, blocks_available: 60310442, inodes: 2412443, inodes_free: 603104420, flags: '1' },
    { device: '/dev/disk3s5', device_alias: '/dev/disk3s5', path: '/System/Volumes/Data', type: 'apfs', blocks_size: 4096, blocks: 121989150, blocks_free: 60310442, blocks_available: 60310442, inodes: 1890223, inodes_free: 603104420, flags: '4096' },
  ],
  battery: [
    { manufacturer: 'SMP', manufacture_date: 1672531200, model: 'bq40z651', serial_number: 'F8Y2431A0PQ1MNKAB', cycle_count: 214, health: 'Good', condition: 'Normal', state: 'AC Power', charging: 0, charged: 1, designed_capacity: 6075, max_capacity: 5630, current_capacity: 5630, percent_remaining: 100, amperage: 0, voltage: 13011, minutes_until_empty: -1, minutes_to_full_charge: -1 },
  ],
};

export const WINDOWS_VITALS: Tables = {
  interface_addresses: [
    { interface: '127.0.0.1', address: '127.0.0.1', mask: '255.0.0.0', broadcast: '', point_to_point: '', type: 'manual' },
    { interface: '10.20.30.41', address: '10.20.30.41', mask: '255.255.254.0', broadcast: '', point_to_point: '', type: 'dhcp' },
  ],
  interface_details: [
    { interface: '10.20.30.41', mac: '3c:52:82:6a:7b:8c', type: 6, mtu: 1500, metric: 25, flags: 0, ipackets: 0, opackets: 0, ibytes: 0, obytes: 0, ierrors: 0, oerrors: 0, idrops: 0, odrops: 0, collisions: 0, last_change: -1, link_speed: 1000000000, friendly_name: 'Ethernet', description: 'Intel(R) Ethernet Connection (16) I219-LM', manufacturer: 'Intel Corporation', connection_id: 'Ethernet', connection_status: '2', enabled: 1, physical_adapter: 1, speed: 1000000000, dhcp_enabled: 1, dhcp_server: '10.20.30.1', dns_domain: 'corp.example', dns_host_name: '' },
  ],
  routes: [
    { destination: '0.0.0.0', netmask: 0, gateway: '10.20.30.1', source: '', flags: -1, interface: '10.20.30.41', mtu: 1500, metric: 25, type: 'remote' },
    { destination: '10.20.30.0', netmask: 23, gateway: '0.0.0.0', source: '', flags: -1, interface: '10.20.30.41', mtu: 1500, metric: 281, type: 'local' },
  ],
  logical_drives: [
    { device_id: 'C:', type: 'Local Disk', description: 'Local Fixed Disk', free_space: 214748364800, size: 511101108224, file_system: 'NTFS', boot_partition: 1 },
  ],
};

export const LINUX_VITALS: Tables = {
  interface_addresses: [
    { interface: 'lo', address: '127.0.0.1', mask: '255.0.0.0', broadcast: '', point_to_point: '', type: 'unknown' },
    { interface: 'eno1', address: '172.16.8.52', mask: '255.255.255.0', broadcast: '172.16.8.255', point_to_point: '', type: 'unknown' },
  ],
  interface_details: [
    { interface: 'lo', mac: '00:00:00:00:00:00', type: 772, mtu: 65536, metric: 0, flags: 73, ipackets: 2204811, opackets: 2204811, ibytes: 510331204, obytes: 510331204, ierrors: 0, oerrors: 0, idrops: 0, odrops: 0, collisions: 0, last_change: -1, link_speed: 0, pci_slot: '' },
    { interface: 'eno1', mac: 'b0:7b:25:4a:5b:6c', type: 1, mtu: 1500, metric: 0, flags: 69699, ipackets: 90331204, opackets: 70221384, ibytes: 88120331204, obytes: 40211038420, ierrors: 0, oerrors: 0, idrops: 1204, odrops: 0, collisions: 0, last_change: -1, link_speed: 10000, pci_slot: '0000:01:00.0' },
  ],
  routes: [
    { destination: '0.0.0.0', netmask: 0, gateway: '172.16.8.1', source: '172.16.8.52', flags: 0, interface: 'eno1', mtu: 0, metric: 100, type: 'gateway', hopcount: 0 },
    { destination: '172.16.8.0', netmask: 24, gateway: '', source: '172.16.8.52', flags: 0, interface: 'eno1', mtu: 0, metric: 100, type: 'gateway', hopcount: 0 },
  ],
};
