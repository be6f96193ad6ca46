import type { InteractionStep } from '../artifact/format/features.js';
import { badTransform } from './options.js';
import type { Transform } from './types.js';

export const INTERACTION_OPS = ['ratio', 'difference', 'product'] as const;
export type InteractionOp = (typeof INTERACTION_OPS)[number];

const SYMBOL: Readonly<Record<InteractionOp, string>> = { ratio: '/', difference: '-', product: '*' };

/**
 * A pairwise interaction of two numeric columns (nothing is fitted). Scoring: `a / b`, `a − b`
 * or `a · b`; a ratio that is not finite (denominator 0, or overflow) is NaN, i.e. missing, and
 * NaN in either input gives NaN. Output names: `a/b`, `a-b`, `a*b`.
 *
 * @example
 * fitInteraction('ratio', ['a', 'b']); // { kind: 'interaction', op: 'ratio', columns: ['a', 'b'], output: 'a/b' }
 */
export function fitInteraction(op: InteractionOp, columns: readonly [string, string]): InteractionStep {
  const [a, b] = columns;
  return { kind: 'interaction', op, columns: [a, b], output: `${a}${SYMBOL[op]}${b}` };
}

export const interactionTransform: Transform<'interaction'> = {
  kind: 'interaction',
  description: 'numeric pair: a/b (missing where b = 0), a-b or a*b',
  fit(request, ctx) {
    const cols: unknown = request.columns;
    if (
      !Array.isArray(cols) ||
      cols.length !== 2 ||
      cols.some((c) => typeof c !== 'string' || c === '') ||
      cols[0] === cols[1]
    ) {
      throw badTransform(
        request.kind,
        undefined,
        `'columns' must be two different column names, got ${JSON.stringify(cols) ?? 'nothing'}`,
      );
    }
    const [a, b] = cols as [string, string];
    if (!INTERACTION_OPS.includes(request.op)) {
      throw badTransform(
        request.kind,
        `${a}, ${b}`,
        `'op' must be one of ${INTERACTION_OPS.join(', ')}, got ${JSON.stringify(request.op) ?? 'nothing'}`,
      );
    }
    ctx.numeric(a);
    ctx.numeric(b);
    return { step: fitInteraction(request.op, [a, b]) };
  },
};
