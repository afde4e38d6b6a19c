export { checkExport, ExportCheckError, type ExportCheckOptions } from './export-check.js';
