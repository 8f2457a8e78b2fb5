/**
 * `express4` is Express 4 installed under an npm alias (`npm:express@^4`). It is typed with the
 * Express 5 types the adapter is built against: the smoke test only needs `express()`, `get`,
 * `use` and `json`, which are the same on both.
 */
declare module 'express4' {
  import express from 'express';
  export default express;
}
