/** Replaced at build time by vite.config.mjs (`define`): the default model's served path. */
declare const __DEFAULT_MODEL__: string;
declare module '*.css';
