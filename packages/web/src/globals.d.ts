/** Replaced at build time by vite.config.mjs (`define`): the default model's served path. */
declare const __DEFAULT_MODEL__: string;
/** Replaced at build time: the repository's web address from the root package.json (`repository`), or ''. */
declare const __REPOSITORY_URL__: string;
declare module '*.css';
