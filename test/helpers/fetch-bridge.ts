/** The node:http → Fetch bridge the bench uses too (bench/servers/fetch-bridge.js), typed. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const bridge = require('../../bench/servers/fetch-bridge') as {
  fetchBridge(handler: (request: Request) => Promise<Response>, before?: (request: Request) => Promise<void>): (req: unknown, res: unknown) => void;
  bridgedClientIp: WeakMap<Request, string>;
};

export const { fetchBridge, bridgedClientIp } = bridge;
