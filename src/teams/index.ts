// The teams slice's public face: the permission matrix and hook, organisations, memberships, invites.
export { ALL_PERMISSIONS, can, isPermission, isRole, PERMISSIONS, ROLE_PERMISSIONS, ROLES, type Permission, type Role } from './permissions.js';
export { orgOf, permissionHook, type OrgContext } from './permission-hook.js';
export { listUserOrgs, type UserOrg } from './list-user-orgs.js';
export { withUser } from './with-user.js';
export { createAdmin, type CreateAdminInput } from './create-admin.js';
export { issueSetupLink, completeSetup } from './setup-link.js';
export { teamsRoutes } from './routes.js';
export type { NewUserInput, OrgCrypto, TeamsDeps } from './teams-deps.js';
export { createTeamsDeps } from './create-teams-deps.js';
export { registerCreateAdminCommand, runCreateAdmin, CommandFailure } from './create-admin-command.js';
