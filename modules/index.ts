/** Every built-in module, registered on import. The engine imports this file once. */
import type { ResourceModule } from '../src/module.js';
import { registerModule } from '../src/registry.js';
import { commandModule } from './command/command.js';
import { directoryModule } from './directory/directory.js';
import { fileModule } from './file/file.js';

export const builtinModules: ResourceModule[] = [fileModule, directoryModule, commandModule];

for (const m of builtinModules) registerModule(m);
