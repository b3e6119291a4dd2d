/** Pull → process → deliver on the in-process SFTP server and the local archive folder (always run). */
import { afterAll, beforeAll } from 'vitest';
import { LocalFolderStore } from '../../src/transport/store/index.js';
import { InProcessSftpServer, generateEd25519KeyPair } from '../../src/transport/sftp/index.js';
import { useTempDirs } from '../support/tmp.js';
import { describePullDeliver, type MailboxTarget } from './pull-deliver-contract.js';

const key = generateEd25519KeyPair('pull@test');
const tempDir = useTempDirs();
let server: InProcessSftpServer;

beforeAll(async () => {
  server = await InProcessSftpServer.start({ user: 'acme', publicKey: key.publicKey, folders: ['/inbound', '/outbound', '/archive'] });
});
afterAll(async () => {
  await server?.close();
});

describePullDeliver('in-process SFTP server, local archive', async (): Promise<MailboxTarget> => ({
  host: server.host,
  port: server.port,
  user: 'acme',
  privateKey: key.privateKey,
  hostKey: server.hostKey.fingerprint,
  local: (p) => server.localPath(p),
  store: new LocalFolderStore(tempDir('pull-archive')),
}));
