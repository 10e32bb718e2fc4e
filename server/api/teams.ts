/** Teams and their enroll secrets (Fleet's `/teams`, `/teams/{id}/secrets`). */
import type { FastifyInstance } from 'fastify';
import type { Team } from '../store/store.js';
import type { ApiDeps } from './deps.js';
import { badRequest, notFound, validationFailed } from './errors.js';
import { secretJson, teamJson } from './serialize.js';
import { asObject, FIELD_LIMITS, optionalString, pathId, tooLongProblem } from './validate.js';

type Params = Record<string, string | undefined>;

export function registerTeamRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { store, events } = deps.context;

  const describe = async (team: Team) =>
    teamJson(team, {
      hostCount: await store.countHosts({ teamId: team.id }),
      secrets: await store.listEnrollSecrets(team.id),
    });
  const teamFrom = async (params: unknown): Promise<Team> => {
    const id = pathId((params as Params)['id'], 'team');
    const team = await store.getTeam(id);
    if (!team) throw notFound(`team ${id} was not found`);
    return team;
  };

  app.post('/teams', async (request) => {
    const body = asObject(request.body);
    const name = (optionalString(body, 'name') ?? '').trim();
    if (name === '') throw validationFailed('name', 'may not be empty');
    if (name === 'No team' || name === 'All teams') throw validationFailed('name', `"${name}" is a reserved team name`);
    const description = optionalString(body, 'description') ?? '';
    const long =
      tooLongProblem('name', name.normalize('NFC'), FIELD_LIMITS.teamName) ??
      tooLongProblem('description', description, FIELD_LIMITS.teamDescription);
    if (long) throw validationFailed(long.startsWith('name') ? 'name' : 'description', long);
    const team = await store.createTeam(name.normalize('NFC'), description);
    return { team: await describe(team) };
  });
  app.get('/teams', async () => {
    const teams = await store.listTeams();
    return { teams: await Promise.all(teams.map(describe)) };
  });
  app.get('/teams/:id', async (request) => ({ team: await describe(await teamFrom(request.params)) }));
  app.delete('/teams/:id', async (request) => {
    const team = await teamFrom(request.params);
    const [policies, hosts] = await Promise.all([store.listPolicies(team.id), store.listHosts({ teamId: team.id })]);
    if (!(await store.deleteTeam(team.id))) throw notFound(`team ${team.id} was not found`);
    if (policies.length > 0) events.emit('policiesChanged', policies.map((p) => p.id));
    for (const host of hosts) events.emit('hostChanged', host.id);
    return {};
  });
  app.get('/teams/:id/secrets', async (request) => {
    const team = await teamFrom(request.params);
    return { secrets: (await store.listEnrollSecrets(team.id)).map(secretJson) };
  });
  app.patch('/teams/:id/secrets', async (request) => {
    const team = await teamFrom(request.params);
    const body = asObject(request.body);
    const list = body['secrets'];
    if (!Array.isArray(list)) throw badRequest('invalid field "secrets": expected an array of {"secret": "..."}');
    const secrets = list.map((item, index) => {
      const secret = typeof item === 'object' && item !== null ? (item as Record<string, unknown>)['secret'] : undefined;
      if (typeof secret !== 'string' || secret.trim() === '') throw badRequest(`secrets[${index}].secret must be a non-empty string`);
      const long = tooLongProblem(`secrets[${index}].secret`, secret, FIELD_LIMITS.enrollSecret);
      if (long) throw badRequest(long);
      return secret;
    });
    if (new Set(secrets).size !== secrets.length) throw badRequest('the same secret is listed more than once');
    const saved = await store.replaceEnrollSecrets(team.id, secrets);
    return { secrets: saved.map(secretJson) };
  });
}
