import { Prisma, type PrismaClient } from '../generated/prisma/client.ts';

/** Either the client or an interactive transaction: services write through whichever they are given. */
export type Db = PrismaClient | Prisma.TransactionClient;

/** A unique index refused the write: the race a conditional check alone cannot close. */
export const isUniqueViolation = (error: unknown): boolean =>
  error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
