/** Every built-in module, registered on import. The engine imports this file once. */
import type { ResourceModule } from '../src/module.js';
import { registerModule } from '../src/registry.js';
import { commandModule } from './command/command.js';
import { directoryModule } from './directory/directory.js';
import { fileModule } from './file/file.js';
import { pkgModule } from './pkg/pkg.js';
import { serviceModule } from './service/service.js';
import { systemdUnitModule } from './systemd_unit/systemd_unit.js';
import { userModule } from './user/user.js';
import { groupModule } from './group/group.js';
import { cronModule } from './cron/cron.js';
import { gitModule } from './git/git.js';
import { postgresRoleModule } from './postgres_role/postgres_role.js';
import { postgresDbModule } from './postgres_db/postgres_db.js';
import { templateModule } from './template/template.js';
import { lineModule } from './line/line.js';

export const builtinModules: ResourceModule[] = [
  fileModule, directoryModule, commandModule, pkgModule, serviceModule, systemdUnitModule,
  userModule, groupModule, cronModule, gitModule, postgresRoleModule, postgresDbModule, templateModule, lineModule,
];

for (const m of builtinModules) registerModule(m);
