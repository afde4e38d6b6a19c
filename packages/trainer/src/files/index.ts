export { type OutputFile, replaceFolderAtomic, tempPathBeside, writeFileAtomic, writeFilesAtomic } from './atomic-write.js';
export { isProcessAlive } from './process-alive.js';
export { removeStaleTemps } from './stale-temps.js';
