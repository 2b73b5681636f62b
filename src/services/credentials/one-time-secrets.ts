import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { PrismaClient } from '../../generated/prisma/client.ts';
import type { Logger } from '../../lib/logger.ts';
import type { SecretBox } from '../../lib/secret-box.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db-types.ts';
import { defineJob, handle, type JobHandler, type JobQueue, job } from '../../platform/jobs.ts';
import { recordAudit, requestSubject, SYSTEM_ACTOR } from '../audit/audit.ts';

/** 160 random bits, base64url: 27 characters in the link. */
const TOKEN_BYTES = 20;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{27}$/;

export interface Credentials {
  address: string;
  password: string;
}

export type SecretState = 'ready' | 'used' | 'expired' | 'not_found';

export type RevealResult = { ok: true; credentials: Credentials } | { ok: false; state: Exclude<SecretState, 'ready'> };

const credentialsSchema = z.object({ address: z.string(), password: z.string() });
const purgePayload = z.object({ secretId: z.number().int().positive() });

export const OneTimeSecretJobs = { purge: defineJob('secret.purge', purgePayload) };

/** The audit subject of a secret: the request it was made for, or the password reset. */
const subjectOf = (row: { requestId: number | null; resetId: number | null }): string | undefined =>
  row.requestId ? requestSubject(row.requestId) : row.resetId ? `password-reset:${row.resetId}` : undefined;

export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');
const cipherContext = (tokenHash: string): string => `one-time-secret:${tokenHash}`;

export interface OneTimeSecretDeps {
  prisma: PrismaClient;
  jobs: JobQueue;
  clock: Clock;
  secrets: SecretBox;
  logger: Logger;
  /** Base of the links, without a trailing slash. */
  publicUrl: string;
  ttlHours: number;
}

/**
 * One-time credential links. The raw token exists only in the link (sealed in the delivery jobs
 * that carry it); the table keeps its SHA-256 for lookup and the credentials sealed under a
 * context bound to that hash. Revealing is one conditional update, so two clicks reveal once; a
 * purge job at the expiry time destroys what was never revealed.
 */
export class OneTimeSecrets {
  constructor(private readonly deps: OneTimeSecretDeps) {}

  /** In the caller's transaction: stores the sealed credentials and returns the link for the deliveries. */
  async create(
    db: Db,
    input: { requestId?: number; resetId?: number; credentials: Credentials },
  ): Promise<{ id: number; link: string; expiresAt: Date }> {
    const token = randomBytes(TOKEN_BYTES).toString('base64url');
    const tokenHash = hashToken(token);
    const now = this.deps.clock.now();
    const expiresAt = new Date(now.getTime() + this.deps.ttlHours * 3600_000);
    const ciphertext = this.deps.secrets.seal(JSON.stringify(input.credentials), cipherContext(tokenHash));
    const row = await db.oneTimeSecret.create({
      data: {
        tokenHash,
        ciphertext,
        expiresAt,
        requestId: input.requestId ?? null,
        resetId: input.resetId ?? null,
        address: input.credentials.address.toLowerCase(),
        createdAt: now,
      },
      select: { id: true },
    });
    await this.deps.jobs.enqueue(
      db,
      job(
        OneTimeSecretJobs.purge,
        { secretId: row.id },
        { dedupeKey: `secret-purge:${row.id}`, runAt: expiresAt, ...(input.requestId ? { requestId: input.requestId } : {}) },
      ),
    );
    return { id: row.id, link: `${this.deps.publicUrl}/credentials/${token}`, expiresAt };
  }

  /**
   * In the caller's transaction: destroys every unrevealed link to `address` but `keepId`, once a
   * newer password is set there (a link must hold the password that is actually set).
   */
  async supersede(db: Db, address: string, keepId: number): Promise<number> {
    const { count } = await db.oneTimeSecret.updateMany({
      where: { address: address.toLowerCase(), id: { not: keepId }, revealedAt: null, ciphertext: { not: null } },
      data: { ciphertext: null },
    });
    return count;
  }

  /** What the page shows before anything is revealed; never reveals. */
  async inspect(token: string): Promise<SecretState> {
    const row = await this.find(token);
    return row ? this.stateOf(row) : 'not_found';
  }

  /** Reveals the credentials once and destroys them in the same step. */
  async reveal(token: string): Promise<RevealResult> {
    const { prisma, clock, secrets } = this.deps;
    const row = await this.find(token);
    if (!row) return { ok: false, state: 'not_found' };
    const state = this.stateOf(row);
    if (state !== 'ready' || !row.ciphertext) {
      if (state === 'expired') await this.purge(row.id);
      await this.audit(subjectOf(row), 'refused', { reason: state });
      return { ok: false, state: state === 'ready' ? 'used' : state };
    }
    // Decrypt before claiming: a failure here must not destroy the only copy.
    const credentials = credentialsSchema.parse(JSON.parse(secrets.open(row.ciphertext, cipherContext(row.tokenHash))));
    const now = clock.now();
    const claimed = await prisma.$transaction(async (tx) => {
      const { count } = await tx.oneTimeSecret.updateMany({
        where: { id: row.id, revealedAt: null, ciphertext: { not: null }, expiresAt: { gt: now } },
        data: { revealedAt: now, ciphertext: null },
      });
      const subject = subjectOf(row);
      if (count === 1 && subject) {
        await recordAudit(
          tx,
          {
            actor: SYSTEM_ACTOR,
            action: 'credentials.revealed',
            subject,
            outcome: 'ok',
            details: { secretId: row.id },
          },
          now,
        );
      }
      return count === 1;
    });
    if (!claimed) return { ok: false, state: 'used' };
    return { ok: true, credentials };
  }

  /** Destroys an expired secret's ciphertext (the purge job at expiry, or the first visit after it). */
  async purge(secretId: number): Promise<void> {
    const { count } = await this.deps.prisma.oneTimeSecret.updateMany({
      where: { id: secretId, revealedAt: null, ciphertext: { not: null }, expiresAt: { lte: this.deps.clock.now() } },
      data: { ciphertext: null },
    });
    if (count > 0) this.deps.logger.info({ secretId }, 'expired one-time secret destroyed');
  }

  private async find(token: string) {
    if (!TOKEN_SHAPE.test(token)) return null;
    return this.deps.prisma.oneTimeSecret.findUnique({
      where: { tokenHash: hashToken(token) },
      select: { id: true, tokenHash: true, ciphertext: true, expiresAt: true, revealedAt: true, requestId: true, resetId: true },
    });
  }

  private stateOf(row: { revealedAt: Date | null; expiresAt: Date; ciphertext: string | null }): SecretState {
    if (row.revealedAt) return 'used';
    if (row.expiresAt.getTime() <= this.deps.clock.now().getTime() || !row.ciphertext) return 'expired';
    return 'ready';
  }

  private async audit(subject: string | undefined, outcome: 'refused', details: { reason: string }): Promise<void> {
    if (!subject) return;
    await recordAudit(
      this.deps.prisma,
      { actor: SYSTEM_ACTOR, action: 'credentials.reveal', subject, outcome, details },
      this.deps.clock.now(),
    );
  }

  jobHandlers(): JobHandler[] {
    return [handle(OneTimeSecretJobs.purge, { run: (payload) => this.purge(payload.secretId) })];
  }
}
