/** `npm run gen:cis`: rewrites scenarios/policies/cis-like.yml from the CIS-like checks. */
import { writeFileSync } from 'node:fs';
import { CIS_CHECKS } from './policies.js';
import { CIS_LIKE_YAML_PATH, renderCisLikeYaml } from './render-yaml.js';

writeFileSync(CIS_LIKE_YAML_PATH, renderCisLikeYaml());
process.stdout.write(`wrote ${CIS_CHECKS.length} policies to ${CIS_LIKE_YAML_PATH}\n`);
