import { expect, test } from 'vitest';
import { enrollBody, enrollBodyParts } from '../../simulator/enroll-body.js';

const group = {
  name: 'mac',
  platform: 'darwin',
  os_version: '14.4.1',
  osquery_version: '5.12.1',
  team: 'team-secret',
  tables: {
    system_info: [{ hostname: 'from-table', cpu_brand: 'Apple M2', physical_memory: 17179869184 }],
    osquery_info: [{ version: '0.0.0', extensions: 'active' }],
    os_version: [{ build: '23E224' }],
  },
};
const identity = { uuid: 'ABCD-1234', hostname: 'mac-7', serial: 'SER7' };

test('the enroll body carries the group\'s host details with the host\'s own identity in place of the tables\'', () => {
  const body = JSON.parse(enrollBody(enrollBodyParts(group, 'run-secret'), identity)) as Record<string, unknown>;
  expect(body).toEqual({
    enroll_secret: 'team-secret',
    host_identifier: 'ABCD-1234',
    platform_type: '21',
    host_details: {
      os_version: { name: 'macOS', version: '14.4.1', major: '14', minor: '4', patch: '1', platform: 'darwin', platform_like: 'darwin', build: '23E224' },
      osquery_info: { extensions: 'active', version: '5.12.1', uuid: 'ABCD-1234', instance_id: 'abcd-1234', build_platform: 'darwin' },
      system_info: { cpu_brand: 'Apple M2', physical_memory: '17179869184', hostname: 'mac-7', computer_name: 'mac-7', uuid: 'ABCD-1234', hardware_serial: 'SER7' },
    },
  });
});

test('a group without a team enrolls with the run\'s secret, and without tables sends only the identity fields', () => {
  const body = JSON.parse(enrollBody(enrollBodyParts({ ...group, team: undefined, platform: 'ubuntu', os_version: '22.04', tables: {} }, 'run-secret'), identity)) as {
    enroll_secret: string;
    platform_type: string;
    host_details: Record<string, Record<string, string>>;
  };
  expect(body.enroll_secret).toBe('run-secret');
  expect(body.platform_type).toBe('9');
  expect(body.host_details.os_version).toMatchObject({ name: 'ubuntu', platform_like: 'debian', major: '22', minor: '04' });
  expect(Object.keys(body.host_details.system_info!)).toEqual(['hostname', 'computer_name', 'uuid', 'hardware_serial']);
});
