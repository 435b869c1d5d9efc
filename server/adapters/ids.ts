/** New ids as a collaborator, so that services and jobs do not call `crypto.randomUUID` themselves. */
import crypto from 'node:crypto';

export type IdGenerator = () => string;

export const randomIds: IdGenerator = () => crypto.randomUUID();
