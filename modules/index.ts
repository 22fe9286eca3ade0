/** Every built-in module, as the set the CLI passes into compile and run (nothing is registered globally). */
import { moduleSet, type ModuleSet } from '../src/module-set.js';
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

export const builtinModules: ModuleSet = moduleSet([
  fileModule, directoryModule, commandModule, pkgModule, serviceModule, systemdUnitModule,
  userModule, groupModule, cronModule, gitModule, postgresRoleModule, postgresDbModule, templateModule, lineModule,
]);
