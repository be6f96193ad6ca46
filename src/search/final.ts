/**
 * The pipeline's final model, defined once: what a user asks for (`--final`, the experiment's
 * `final` setting) and what experiment.json records that the pipeline got. No imports, so the
 * command line can offer the choices without loading the search.
 *
 * @example
 * isFinalChoice('folds'); // true
 * FINAL_MODELS.folds; // 'fold-models', as experiment.json writes it
 */

/**
 * 'auto': the ensemble of the leaderboard when it beats the best single candidate out of fold,
 * else the winner refit on all training rows (or its fold models when a refit would not fit in
 * the budget); 'refit' / 'folds': the winner alone, refit or as its fold models.
 */
export const FINAL_CHOICES = ['auto', 'refit', 'folds'] as const;
export type FinalChoice = (typeof FINAL_CHOICES)[number];

/** What the pipeline got ('auto' ends as one of them), as experiment.json records it. */
export const FINAL_MODELS = { refit: 'refit', folds: 'fold-models', ensemble: 'ensemble' } as const satisfies Record<
  Exclude<FinalChoice, 'auto'> | 'ensemble',
  string
>;
export type FinalModel = (typeof FINAL_MODELS)[keyof typeof FINAL_MODELS];

export function isFinalChoice(v: unknown): v is FinalChoice {
  return typeof v === 'string' && (FINAL_CHOICES as readonly string[]).includes(v);
}

/** "auto, refit or folds": the choices, for a message. */
export const FINAL_CHOICES_TEXT = `${FINAL_CHOICES.slice(0, -1).join(', ')} or ${FINAL_CHOICES[FINAL_CHOICES.length - 1]!}`;
