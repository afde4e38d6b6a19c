export { checkExportParity, ExportParityError, type ParityOptions } from './parity.js';
