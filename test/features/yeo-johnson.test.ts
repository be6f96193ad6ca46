import { describe, expect, it } from 'vitest';
import { yeoJohnson } from '../../src/artifact/feature-scorer.js';
import { fitYeoJohnson, yeoJohnsonLambda } from '../../src/features/yeo-johnson.js';
import { applyStep } from './helpers.js';

// scikit-learn 1.2.1, PowerTransformer(method='yeo-johnson', standardize=False): lambdas_[0] and
// the first three transformed values (yeo-johnson-sklearn-reference.py prints them).
const CASES = {
  mixed: {
    x: [-3.2, -1.0, -0.5, 0.0, 0.3, 1.1, 2.5, 4.0, 7.5, 12.0, 20.4, 0.01],
    lambda: 0.46255527305247773,
    first: [-5.257180205921364, -1.2376374023936576, -0.562766383021799],
  },
  skewed: {
    x: [0.1, 0.2, 0.2, 0.5, 0.9, 1.4, 2.2, 3.9, 7.7, 15.1, 33.0, 90.5],
    lambda: -0.4148336519668839,
    first: [0.09345058769689438, 0.17559736974318524, 0.17559736974318524],
  },
  left: {
    x: [-50.0, -20.0, -9.5, -4.0, -2.0, -1.0, -0.5, 0.0, 0.2, 0.3, 0.5, 0.6],
    lambda: 2.293721452447472,
    first: [-2.331797116352351, -2.0123908942786426, -1.6980357490882325],
  },
  nan: {
    x: [1.0, NaN, 2.0, 3.5, NaN, 10.0, 0.5, 6.0],
    lambda: -0.15191081089251537,
    first: [0.6579020197415327, NaN, 1.0118319937126745],
  },
};

describe('Yeo–Johnson lambda against scikit-learn 1.2.1', () => {
  for (const [name, c] of Object.entries(CASES)) {
    it(`${name}: lambda and transformed values`, () => {
      const step = fitYeoJohnson(Float64Array.from(c.x), 'x');
      // scipy's brent stops at a relative tolerance of 1.5e-8 in lambda; the likelihood is flat there.
      expect(Math.abs(step.lambda - c.lambda)).toBeLessThan(1e-6);
      const [out] = applyStep(step, [{ name: 'x', type: 'numeric' }], ['yj(x)'], {
        nRows: 3,
        numeric: { x: Float64Array.from(c.x.slice(0, 3)) },
      });
      c.first.forEach((v, i) => {
        if (Number.isNaN(v)) expect(out![i]).toBeNaN();
        else expect(Math.abs(out![i]! - v)).toBeLessThan(1e-6 * Math.max(1, Math.abs(v)));
      });
    });
  }

  it('the fitted lambda is a minimum of the negative log-likelihood', () => {
    const x = Float64Array.from(CASES.mixed.x);
    const nll = (l: number): number => {
      const t = Array.from(x, (v) => yeoJohnson(v, l));
      const mean = t.reduce((s, v) => s + v, 0) / t.length;
      const variance = t.reduce((s, v) => s + (v - mean) ** 2, 0) / t.length;
      return (
        (t.length / 2) * Math.log(variance) -
        (l - 1) * Array.from(x, (v) => Math.sign(v) * Math.log1p(Math.abs(v))).reduce((s, v) => s + v, 0)
      );
    };
    const l = yeoJohnsonLambda(x);
    expect(nll(l)).toBeLessThanOrEqual(nll(l + 1e-4));
    expect(nll(l)).toBeLessThanOrEqual(nll(l - 1e-4));
  });

  it('a constant or empty column gets lambda 1 (the identity)', () => {
    expect(yeoJohnsonLambda(Float64Array.of(2, 2, 2))).toBe(1);
    expect(yeoJohnsonLambda(Float64Array.of(NaN))).toBe(1);
    expect(yeoJohnson(3.5, 1)).toBeCloseTo(3.5, 15);
    expect(yeoJohnson(-3.5, 1)).toBeCloseTo(-3.5, 15);
  });
});
