/**
 * The pipeline's final model, defined once: what a user asks for (`--final`, the experiment's
 * `final` setting) and what experiment.json records that the pipeline got. No imports, so the
 * command line can offer the choices without loading the search.
 *
 * @example
 * isFinalChoice('folds'); // true
 * FINAL_MODELS.folds; // 'fold-models', as experiment.json writes it
 */

/** 'refit' the winner on all training rows, ship its fold models ('folds'), or 'auto'. */
export const FINAL_CHOICES = ['auto', 'refit', 'folds'] as const;
export type FinalChoice = (typeof FINAL_CHOICES)[number];

/** What the pipeline got, by what was chosen ('auto' ends as one of them), as experiment.json records it. */
export const FINAL_MODELS = { refit: 'refit', folds: 'fold-models' } as const satisfies Record<Exclude<FinalChoice, 'auto'>, string>;
export type FinalModel = (typeof FINAL_MODELS)[keyof typeof FINAL_MODELS];

export function isFinalChoice(v: unknown): v is FinalChoice {
  return typeof v === 'string' && (FINAL_CHOICES as readonly string[]).includes(v);
}

/** "auto, refit or folds": the choices, for a message. */
export const FINAL_CHOICES_TEXT = `${FINAL_CHOICES.slice(0, -1).join(', ')} or ${FINAL_CHOICES[FINAL_CHOICES.length - 1]!}`;
