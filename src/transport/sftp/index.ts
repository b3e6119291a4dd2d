/** SFTP transport: sessions with partners' servers (host key pinned) and the in-process test server. */
export { classifySftpError, connectSftp, DOWNLOAD_CHUNK_BYTES, PART_SUFFIX, remoteJoin, SftpSession } from './client.js';
export type { ConnectOptions, RemoteFile, StableFile, StableFilesOptions } from './client.js';
export { fingerprint, FINGERPRINT_PATTERN, generateEd25519KeyPair } from './host-key.js';
export type { OpenSshKeyPair } from './host-key.js';
export { InProcessSftpServer } from './memory-server.js';
export type { InProcessSftpServerOptions, SftpServerFaults } from './memory-server.js';
