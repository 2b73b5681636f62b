import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';

/** Either the client or an interactive transaction: services write through whichever they are given. */
export type Db = PrismaClient | Prisma.TransactionClient;
