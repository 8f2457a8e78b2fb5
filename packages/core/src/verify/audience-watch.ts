import type { MisconfigurationReport } from '../report/misconfiguration-report.js';
import { quoteValue } from '../report/quote-value.js';
import { NearMiss } from './near-miss.js';

/**
 * Verified tokens refused for their audience, with none accepted since start, after which the
 * audience is reported as never matching.
 */
export const NEVER_MATCHED_AFTER = 10;

/** Audiences quoted in a report, at most. */
const MAX_QUOTED = 5;

/**
 * Watches one issuer's audience check for signs that `audience` is misconfigured. Fed only with
 * tokens whose signature verified (the audience check runs after it), so what it reports was
 * really sent by the trusted issuer. Two rules, each reported once:
 * - near miss: a token's `aud` differs from a configured audience only by case, scheme or a
 *   trailing slash;
 * - never matched: {@link NEVER_MATCHED_AFTER} verified tokens were refused for their audience
 *   and none was accepted since start.
 * Memory: one flag and one counter per issuer.
 */
export class AudienceWatch {
  readonly #issuer: string;
  readonly #option: string;
  readonly #configured: readonly string[];
  readonly #near: NearMiss;
  readonly #report: MisconfigurationReport;
  #matched = false;
  #misses = 0;

  constructor(
    issuer: string,
    option: string,
    audiences: ReadonlySet<string>,
    report: MisconfigurationReport,
  ) {
    this.#issuer = issuer;
    this.#option = option;
    this.#configured = [...audiences];
    this.#near = new NearMiss(audiences);
    this.#report = report;
  }

  /** A verified token's audience matched. */
  matched(): void {
    this.#matched = true;
  }

  /** A verified token's audience (`received`) matched none of the configured ones. */
  missed(received: readonly string[]): void {
    for (const aud of received.slice(0, MAX_QUOTED)) {
      const configured = this.#near.find(aud);
      if (configured === undefined) continue;
      this.#report.report(
        'warn',
        `audience near miss|${this.#issuer}|${configured}`,
        `tokens signed by the issuer ${quoteValue(this.#issuer)} carry the audience ` +
          `${quoteValue(aud)}, which differs from the configured audience ` +
          `${quoteValue(configured)} only by case, scheme or a trailing slash; they are refused ` +
          `(401 audience_mismatch). Set "${this.#option}" to exactly the value the tokens carry in "aud".`,
        { option: this.#option, issuer: this.#issuer, configured, received: aud },
      );
      return;
    }
    if (this.#matched || this.#misses >= NEVER_MATCHED_AFTER) return;
    this.#misses++;
    if (this.#misses < NEVER_MATCHED_AFTER) return;
    const seen = received.slice(0, MAX_QUOTED).map(quoteValue).join(', ');
    this.#report.report(
      'warn',
      `audience never matched|${this.#issuer}`,
      `${NEVER_MATCHED_AFTER} verified tokens from the issuer ${quoteValue(this.#issuer)} were ` +
        `refused for their audience and none has matched since start (the last carried ${seen}; ` +
        `configured: ${this.#configured.map(quoteValue).join(', ')}; 401 audience_mismatch). ` +
        `Check "${this.#option}": it must be this API's resource ` +
        'indicator exactly as the authorization server writes it in "aud".',
      {
        option: this.#option,
        issuer: this.#issuer,
        configured: this.#configured,
        received: received.slice(0, MAX_QUOTED),
      },
    );
  }
}
