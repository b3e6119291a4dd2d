/**
 * The raw-file archive: the ObjectStore port, its adapters, and the factory the composition
 * roots call with `config.objectStore`. Everything else receives an `ObjectStore`.
 */
import type { ObjectStoreConfig } from '../../core/config.js';
import { LocalFolderStore } from './local.js';
import type { OpenedObjectStore } from './object-store.js';
import { S3Store } from './s3.js';

export { MAX_KEY_BYTES, StoreError, assertValidKey, type ObjectStore, type ObjectStoreKind, type OpenedObjectStore, type StoredObject } from './object-store.js';
export { LocalFolderStore } from './local.js';
export { S3Store, type S3StoreConfig } from './s3.js';

/** Opens the configured store (nothing is contacted or created until the first call). */
export function openObjectStore(config: ObjectStoreConfig): OpenedObjectStore {
  switch (config.kind) {
    case 'local':
      return new LocalFolderStore(config.dir);
    case 's3':
      return new S3Store(config);
    default: {
      const never: never = config;
      return never;
    }
  }
}
