import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { jwtVerify } from 'jose';
import type { Verification } from '@mam/domain';
import { APP_CONFIG, type AppConfig } from '../config/config';
import type { Decision, StreamLoader } from '../commands/command-executor';

export const STEP_UP_AUDIENCE = 'multi-account-management';
const MAX_LIFETIME_S = 300;
const CLOCK_TOLERANCE_S = 30;

export interface VerifiedStepUp {
  verification: Verification;
  jti: string;
}

/** The stream whose existence marks a `jti` as used (O6: once only, also across restarts). */
export const stepUpStream = (jti: string): string => `step-up-${createHash('sha256').update(jti).digest('hex').slice(0, 40)}`;

/**
 * O6 inside a command's decision: the verification if the assertion's `jti`
 * is still unused (null otherwise), and the claim that uses it up in the
 * command's own append — so a command that fails does not use it.
 */
export async function stepUpClaim(
  loader: StreamLoader,
  verified: VerifiedStepUp | null,
  userId: string,
  command: string,
): Promise<{ stepUp: { verification: Verification } | null; claims: NonNullable<Decision['claims']> }> {
  if (!verified || (await loader.exists(stepUpStream(verified.jti)))) return { stepUp: null, claims: [] };
  return {
    stepUp: { verification: verified.verification },
    claims: [{ streamId: stepUpStream(verified.jti), event: { type: 'StepUpAssertionUsed', data: { userId, command } } }],
  };
}

/**
 * O6 step-up assertions: HS256 JWTs for this audience and this user, with a
 * second factor or passkey in `amr`, at most 5 minutes between `iat` and
 * `exp`, and a `jti`. Whether the `jti` is still unused is the command's
 * business (it claims the jti in the same atomic append).
 */
@Injectable()
export class StepUpVerifier {
  private readonly key: Uint8Array;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.key = new TextEncoder().encode(config.stepUpSecret);
  }

  async verify(token: string | undefined, actorUserId: string): Promise<VerifiedStepUp | null> {
    if (!token) return null;
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        audience: STEP_UP_AUDIENCE,
        subject: actorUserId,
        requiredClaims: ['iat', 'exp', 'jti', 'sub'],
        // No tolerance on `exp`: an expired assertion is refused (api.md), so none is older than 5 minutes (O6).
        // CLOCK_TOLERANCE_S only lets an issuer whose clock runs a little ahead put `iat` in our future.
      });
      const now = Math.floor(Date.now() / 1000);
      if (payload.exp! - payload.iat! > MAX_LIFETIME_S || payload.iat! > now + CLOCK_TOLERANCE_S) return null;
      if (typeof payload.jti !== 'string' || payload.jti.length === 0 || payload.jti.length > 200) return null;
      const amr = Array.isArray(payload.amr) ? (payload.amr as unknown[]) : [];
      const verification: Verification | null = amr.includes('otp')
        ? 'otp'
        : amr.includes('hwk') || amr.includes('swk')
          ? 'passkey'
          : null;
      return verification ? { verification, jti: payload.jti } : null;
    } catch {
      return null;
    }
  }
}
