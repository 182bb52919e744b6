import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import multer, { MulterError, StorageEngine } from 'multer';
import type { SessionUser } from '../auth/actor';
import { ROLE_PERMISSIONS } from '../auth/permissions';
import { pendingStep } from '../auth/sign-in-steps';
import { MAX_UPLOAD_BYTES } from './import-kinds';

/** The upload form's route; only there is a multipart body read. */
export const UPLOAD_PATH = '/imports';
/** Name of the file field of the upload form. */
export const UPLOAD_FIELD = 'file';
/** `res.locals` key under which an upload that was refused leaves its message key. */
export const UPLOAD_ERROR = 'importUploadError';

/**
 * Uploaded files go to the system's temporary directory (never DATA_DIR or the repository), under a
 * random name, created exclusively and readable by this user only: the file holds raw client codes.
 */
const privateTempStorage: StorageEngine = {
  _handleFile(_req, file, callback) {
    const path = join(tmpdir(), `nhip-cau-upload-${randomUUID()}`);
    const out = createWriteStream(path, { flags: 'wx', mode: 0o600 });
    let size = 0;
    file.stream.on('data', (chunk: Buffer) => (size += chunk.length));
    file.stream.on('error', (error) => {
      out.destroy();
      void rm(path, { force: true });
      callback(error);
    });
    out.on('error', (error) => callback(error));
    out.on('finish', () => callback(null, { path, size }));
    file.stream.pipe(out);
  },
  _removeFile(_req, file, callback) {
    rm(file.path, { force: true }).then(() => callback(null), callback);
  },
};

const parseUpload = multer({
  storage: privateTempStorage,
  limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 10, parts: 12, fieldSize: 10_000 },
}).single(UPLOAD_FIELD);

const mayUpload = (req: Request): boolean => {
  const user = req.user as SessionUser | undefined;
  return (
    !!user &&
    ROLE_PERMISSIONS[user.role].includes('imports:run') &&
    pendingStep(user, req.session?.totpVerified === true) === null
  );
};

/**
 * Reads the multipart body of the import upload form. It must run BEFORE the CSRF check: that check
 * reads the token from the form body, and a multipart body is not parsed by the app's urlencoded
 * parser (the token cannot go in a header from a plain HTML form, nor in the URL, which must carry no
 * secret). So this middleware is registered in app.setup.ts after the session and passport and just
 * before the CSRF middleware, and does three things to stay safe in that position:
 * - it reads a body only for POST /imports from a signed-in user whose role may import (anyone else
 *   gets no body, hence no token, hence the CSRF refusal: nobody else can make the server store a file);
 * - a file over the size limit, or a malformed body, is not an error here: the fields read so far
 *   (the token comes first in the form) go on to the CSRF check, and the route shows the message;
 * - the temporary file is deleted when the response ends, whatever happened (CSRF refusal, bad form),
 *   unless the import job took it over by moving it (see ImportsService.start).
 * Nest's FileInterceptor is not used on the route: the body is already read when the route runs.
 */
export function importUploadMiddleware(): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'POST' || req.path !== UPLOAD_PATH || !req.is('multipart/form-data') || !mayUpload(req)) {
      next();
      return;
    }
    res.on('close', () => {
      if (req.file?.path) void rm(req.file.path, { force: true });
    });
    parseUpload(req, res, (error?: unknown) => {
      if (error) {
        res.locals[UPLOAD_ERROR] =
          error instanceof MulterError && error.code === 'LIMIT_FILE_SIZE'
            ? 'imports.errors.tooLarge'
            : 'imports.errors.file';
      }
      next();
    });
  };
}
