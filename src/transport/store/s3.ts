/**
 * The object store on AWS S3 or an S3-compatible server (s3rver in the tests).
 *
 * - A put goes through `@aws-sdk/lib-storage`'s `Upload`, the SDK's own multipart uploader:
 *   PutObject needs a Content-Length that a streamed body of unknown length does not have, so
 *   `Upload` collects parts of PART_SIZE bytes (PutObject alone for a body smaller than one
 *   part, else CreateMultipartUpload/UploadPart/Complete, aborted on failure). Memory stays
 *   within about QUEUE_SIZE + 1 parts whatever the file's size.
 * - `requestChecksumCalculation`/`responseChecksumValidation` are WHEN_REQUIRED: with the
 *   SDK's defaults a streamed body is sent aws-chunked with a trailing checksum, which
 *   S3-compatible servers such as s3rver store framing and all.
 * - Credentials: the configured pair (EDIBRIDGE_S3_ACCESS_KEY_ID/…SECRET_ACCESS_KEY), else the
 *   SDK's default chain (AWS_* variables, shared files, container and instance roles).
 * - The SDK's own logging goes nowhere; failures surface as StoreErrors. A server that cannot
 *   be reached fails in at most CONNECT_TIMEOUT_MS per attempt (connection refused: at once),
 *   `maxAttempts` attempts in all: STORE_UNAVAILABLE, never a hang.
 */
import { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { ObjectStoreConfig } from '../../core/config.js';
import { StoreError, assertValidKey, type ObjectStoreKind, type OpenedObjectStore, type StoredObject } from './object-store.js';
import { BodyMeter, rechunk } from './streams.js';

export type S3StoreConfig = Extract<ObjectStoreConfig, { kind: 's3' }>;

/** Bytes per multipart part (S3's minimum is 5 MiB; raised for files over 10,000 parts). */
const PART_SIZE = 8 * 1024 * 1024;
/** Parts uploaded at once. */
const QUEUE_SIZE = 2;
const MAX_PARTS = 10_000;
/** How long opening a connection may take, per attempt. */
const CONNECT_TIMEOUT_MS = 5_000;
/** How long an open connection may stay silent (a stalled server or transfer). */
const SOCKET_IDLE_TIMEOUT_MS = 120_000;

const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** Network failures and server states worth retrying later. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN',
  'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EHOSTDOWN', 'ESOCKETTIMEDOUT', 'ERR_SOCKET_CONNECTION_TIMEOUT',
]);
const UNAVAILABLE_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'SlowDown', 'ServiceUnavailable', 'InternalError', 'ThrottlingException', 'AbortError']);
const NOT_FOUND_NAMES = new Set(['NotFound', 'NoSuchKey']);

type Op = 'put' | 'get' | 'head' | 'delete';

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
}

export class S3Store implements OpenedObjectStore {
  readonly kind: ObjectStoreKind = 's3';
  private readonly client: S3Client;

  constructor(readonly config: S3StoreConfig) {
    const options: S3ClientConfig = {
      region: config.region,
      forcePathStyle: config.forcePathStyle,
      maxAttempts: config.maxAttempts,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      logger: silent,
      requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS, socketTimeout: SOCKET_IDLE_TIMEOUT_MS, logger: silent },
      ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
      ...(config.credentials === undefined ? {} : { credentials: { ...config.credentials } }),
    };
    this.client = new S3Client(options);
  }

  /** Where the store is, for messages (no credentials: the endpoint was checked to have none). */
  get location(): string {
    return `s3://${this.config.bucket}/${this.config.prefix}${this.config.endpoint === undefined ? '' : ` at ${this.config.endpoint}`}`;
  }

  async put(key: string, body: AsyncIterable<Uint8Array>, options: { contentLength?: number } = {}): Promise<StoredObject> {
    const objectKey = this.objectKey(key);
    const meter = new BodyMeter(body, { key, store: this.kind }, options.contentLength);
    const partSize = Math.max(PART_SIZE, Math.ceil((options.contentLength ?? 0) / MAX_PARTS));
    const readable = Readable.from(meter.chunks(), { objectMode: false });
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.config.bucket, Key: objectKey, Body: readable, ContentType: 'application/octet-stream' },
      partSize,
      queueSize: QUEUE_SIZE,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (err) {
      if (meter.sourceError) throw meter.sourceError.error;
      if (err instanceof StoreError) throw err;
      throw this.fail('put', key, err);
    } finally {
      readable.destroy();
    }
    return { key, size: meter.size, sha256: meter.digest() };
  }

  get(key: string): AsyncIterable<Buffer> {
    return this.read(key);
  }

  async head(key: string): Promise<{ size: number } | undefined> {
    const objectKey = this.objectKey(key);
    try {
      const answer = await this.client.send(new HeadObjectCommand({ Bucket: this.config.bucket, Key: objectKey }));
      return { size: answer.ContentLength ?? 0 };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw this.fail('head', key, err);
    }
  }

  async delete(key: string): Promise<void> {
    const objectKey = this.objectKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.config.bucket, Key: objectKey }));
    } catch (err) {
      if (isNotFound(err)) return;
      throw this.fail('delete', key, err);
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private async *read(key: string): AsyncGenerator<Buffer, void, undefined> {
    const objectKey = this.objectKey(key);
    let body: Readable;
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: this.config.bucket, Key: objectKey }));
      if (!(answer.Body instanceof Readable)) throw new Error('the GetObject answer has no Node.js stream body');
      body = answer.Body;
    } catch (err) {
      throw this.fail('get', key, err);
    }
    try {
      yield* rechunk(body as AsyncIterable<Buffer>);
    } catch (err) {
      throw this.fail('get', key, err);
    } finally {
      body.destroy();
    }
  }

  private objectKey(key: string): string {
    assertValidKey(key, this.kind);
    return this.config.prefix + key;
  }

  private fail(op: Op, key: string, err: unknown): StoreError {
    const e = (typeof err === 'object' && err !== null ? err : {}) as SdkErrorShape;
    const name = typeof e.name === 'string' ? e.name : undefined;
    const errno = typeof e.code === 'string' ? e.code : undefined;
    const status = e.$metadata?.httpStatusCode;
    const context = {
      key,
      store: this.kind,
      op,
      bucket: this.config.bucket,
      ...(name === undefined ? {} : { sdkError: name }),
      ...(status === undefined ? {} : { httpStatus: status }),
    };
    if (op === 'get' && isNotFound(err)) {
      return new StoreError('NOT_FOUND', `no object ${key} in ${this.location}`, context, { cause: err });
    }
    const reason = describe(err);
    if (isUnavailable(err, name, errno, status)) {
      return new StoreError('STORE_UNAVAILABLE', `object store ${this.location} unavailable (${op} ${key}): ${reason}`, context, { cause: err });
    }
    return new StoreError('STORE_FAILED', `object store ${this.location} refused ${op} ${key}: ${reason}`, context, { cause: err });
  }
}

function isNotFound(err: unknown): boolean {
  const e = (typeof err === 'object' && err !== null ? err : {}) as SdkErrorShape;
  return (typeof e.name === 'string' && NOT_FOUND_NAMES.has(e.name)) || (e.$metadata?.httpStatusCode === 404 && e.name !== 'NoSuchBucket');
}

function isUnavailable(err: unknown, name: string | undefined, errno: string | undefined, status: number | undefined): boolean {
  if (errno !== undefined && NETWORK_CODES.has(errno)) return true;
  if (name !== undefined && UNAVAILABLE_NAMES.has(name)) return true;
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  // A host with several addresses refuses with an AggregateError of the per-address errors.
  if (err instanceof AggregateError) return err.errors.some((x: unknown) => isUnavailable(x, undefined, errnoOf(x), undefined));
  return false;
}

const errnoOf = (err: unknown): string | undefined =>
  typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : undefined;

/** The SDK's message, else its error name or network code (S3 messages name no object content). */
function describe(err: unknown): string {
  if (err instanceof AggregateError && err.message === '') return err.errors.map(describe).join('; ');
  const e = (typeof err === 'object' && err !== null ? err : {}) as SdkErrorShape;
  const message = typeof e.message === 'string' && e.message !== '' ? e.message : undefined;
  const name = typeof e.name === 'string' ? e.name : undefined;
  const code = typeof e.code === 'string' ? e.code : undefined;
  return [name !== 'Error' ? name : undefined, message ?? code].filter((x) => x !== undefined).join(': ') || String(err);
}
