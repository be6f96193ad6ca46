;; The GBDT's histogram kernels in WebAssembly with SIMD, assembled by `npm run build`
;; (scripts/build-wasm.mjs, with wabt from npm) into dist/src/models/gbdt/hist.wasm.
;; hist-kernel.ts holds the same kernels in TypeScript: the two give the same bits (each
;; f64x2 lane adds exactly as a scalar f64 add does, in the same order).
;;
;; All arguments are byte offsets into the shared memory, or counts. Layout (see hist-kernel.ts):
;; - quads: u32 per (row, quad), row-major, nq per row; quad q holds the bins of features
;;   4q .. 4q + 3, lowest byte first;
;; - rows: i32 row indices;
;; - gh: per row one (gradient, hessian) pair of f64 (16 bytes);
;; - a histogram: per (feature, bin) one (gradient sum, hessian sum) pair of f64, 256 bins
;;   per feature, so feature f starts at f * 4096 bytes and quad q at q * 16384.
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; Zeroes quads [qb, qe) of the histogram at `hist`, then adds the (g, h) pair of each row in
  ;; rows[start, end) to the bins of its features in those quads.
  ;;
  ;; Below the root a node's rows are spread over the whole bin matrix, and on a large one each
  ;; row's bins and pair cost a cache and a TLB miss: summed where they lie, with some fifty
  ;; instructions of adds per row between misses, few misses overlap (225 ns a row at 1,000,000
  ;; rows × 50 features, a tenth of them in the node). So rows go in chunks of 64: first copied
  ;; (bins and pair) to `buf` in a tight loop whose misses overlap, then summed from there, in
  ;; row order (69 ns a row; the same on small data). `buf` holds 64 × (the row's quad bytes
  ;; rounded up to 16, + 16).
  (func (export "hist")
    (param $quads i32) (param $nq i32) (param $rows i32) (param $start i32) (param $end i32)
    (param $gh i32) (param $hist i32) (param $qb i32) (param $qe i32) (param $buf i32)
    (local $nqb i32) (local $stride i32) (local $ghb i32) (local $c i32) (local $ce i32)
    (local $p i32) (local $pe i32) (local $r i32) (local $src i32) (local $dst i32) (local $g i32)
    (local $k i32) (local $j i32) (local $je i32) (local $v v128)
    (local $qp i32) (local $qpe i32) (local $o i32) (local $w i32) (local $a i32) (local $h0 i32)
    (if (i32.ge_u (local.get $qb) (local.get $qe)) (then (return)))
    (local.set $h0 (i32.add (local.get $hist) (i32.shl (local.get $qb) (i32.const 14))))
    (memory.fill (local.get $h0) (i32.const 0)
      (i32.shl (i32.sub (local.get $qe) (local.get $qb)) (i32.const 14)))
    (if (i32.ge_s (local.get $start) (local.get $end)) (then (return)))
    (local.set $nqb (i32.shl (i32.sub (local.get $qe) (local.get $qb)) (i32.const 2)))
    (local.set $stride (i32.and (i32.add (local.get $nqb) (i32.const 15)) (i32.const -16)))
    (local.set $ghb (i32.add (local.get $buf) (i32.shl (local.get $stride) (i32.const 6))))
    (local.set $c (local.get $start))
    (loop $chunk
      (local.set $ce (select (i32.add (local.get $c) (i32.const 64)) (local.get $end)
        (i32.lt_s (i32.add (local.get $c) (i32.const 64)) (local.get $end))))
      ;; Copy: the bins (the row's quads, read 16 bytes at a time, a few past its end) and pair.
      (local.set $p (i32.add (local.get $rows) (i32.shl (local.get $c) (i32.const 2))))
      (local.set $pe (i32.add (local.get $rows) (i32.shl (local.get $ce) (i32.const 2))))
      (local.set $dst (local.get $buf))
      (local.set $g (local.get $ghb))
      (loop $gather
        (local.set $r (i32.load (local.get $p)))
        (v128.store (local.get $g) (v128.load (i32.add (local.get $gh) (i32.shl (local.get $r) (i32.const 4)))))
        (local.set $src (i32.add (local.get $quads)
          (i32.shl (i32.add (i32.mul (local.get $r) (local.get $nq)) (local.get $qb)) (i32.const 2))))
        (local.set $k (i32.const 0))
        (loop $copy
          (v128.store (i32.add (local.get $dst) (local.get $k)) (v128.load (i32.add (local.get $src) (local.get $k))))
          (br_if $copy (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 16))) (local.get $stride))))
        (local.set $dst (i32.add (local.get $dst) (local.get $stride)))
        (local.set $g (i32.add (local.get $g) (i32.const 16)))
        (br_if $gather (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 4))) (local.get $pe))))
      ;; Sum, as `hist` does.
      (local.set $j (local.get $buf))
      (local.set $je (i32.add (local.get $buf) (i32.mul (i32.sub (local.get $ce) (local.get $c)) (local.get $stride))))
      (local.set $g (local.get $ghb))
      (loop $row
        (local.set $v (v128.load (local.get $g)))
        (local.set $qp (local.get $j))
        (local.set $qpe (i32.add (local.get $j) (local.get $nqb)))
        (local.set $o (local.get $h0))
        (loop $quad
          (local.set $w (i32.load (local.get $qp)))
          (local.set $a (i32.add (local.get $o) (i32.shl (i32.and (local.get $w) (i32.const 255)) (i32.const 4))))
          (v128.store (local.get $a) (f64x2.add (v128.load (local.get $a)) (local.get $v)))
          (local.set $a (i32.add (local.get $o) (i32.and (i32.shr_u (local.get $w) (i32.const 4)) (i32.const 4080))))
          (v128.store offset=4096 (local.get $a) (f64x2.add (v128.load offset=4096 (local.get $a)) (local.get $v)))
          (local.set $a (i32.add (local.get $o) (i32.and (i32.shr_u (local.get $w) (i32.const 12)) (i32.const 4080))))
          (v128.store offset=8192 (local.get $a) (f64x2.add (v128.load offset=8192 (local.get $a)) (local.get $v)))
          (local.set $a (i32.add (local.get $o) (i32.and (i32.shr_u (local.get $w) (i32.const 20)) (i32.const 4080))))
          (v128.store offset=12288 (local.get $a) (f64x2.add (v128.load offset=12288 (local.get $a)) (local.get $v)))
          (local.set $o (i32.add (local.get $o) (i32.const 16384)))
          (br_if $quad (i32.lt_u (local.tee $qp (i32.add (local.get $qp) (i32.const 4))) (local.get $qpe))))
        (local.set $g (i32.add (local.get $g) (i32.const 16)))
        (br_if $row (i32.lt_u (local.tee $j (i32.add (local.get $j) (local.get $stride))) (local.get $je))))
      (br_if $chunk (i32.lt_s (local.tee $c (local.get $ce)) (local.get $end)))))

  ;; The best split of a leaf over its histogram at `hist` (as TreeLearner's findSplit, the same
  ;; doubles in the same order): per feature flagged in the u8 array at `mask` with at least two
  ;; bins (u16 array at `nBins`), a scan over its bins with missing values tried on both sides.
  ;; `md` is minDataInLeaf − 0.5, `best` the gain to beat. Writes feature, bin, missingLeft,
  ;; gain, left gradient sum and left hessian sum as six f64 at `out`; returns 1 when it found a
  ;; split, else 0.
  (func (export "bestSplit")
    (param $hist i32) (param $nf i32) (param $nBins i32) (param $mask i32)
    (param $G f64) (param $H f64) (param $cnt f64) (param $lambda f64) (param $md f64)
    (param $minHess f64) (param $best f64) (param $out i32) (result i32)
    (local $parent f64) (local $f i32) (local $nb i32) (local $off i32) (local $mg f64) (local $mh f64)
    (local $miss i32) (local $last i32) (local $b i32) (local $lg f64) (local $lh f64) (local $rg f64)
    (local $rh f64) (local $xg f64) (local $xh f64) (local $gain f64) (local $found i32)
    (local.set $parent (f64.div (f64.mul (local.get $G) (local.get $G)) (f64.add (local.get $H) (local.get $lambda))))
    (block $features
      (br_if $features (i32.le_s (local.get $nf) (i32.const 0)))
      (loop $feature
        (local.set $nb (i32.load16_u (i32.add (local.get $nBins) (i32.shl (local.get $f) (i32.const 1)))))
        (if (i32.and (i32.ne (i32.load8_u (i32.add (local.get $mask) (local.get $f))) (i32.const 0))
                     (i32.ge_u (local.get $nb) (i32.const 2)))
          (then
            (local.set $off (i32.add (local.get $hist) (i32.shl (local.get $f) (i32.const 12))))
            (local.set $mg (f64.load offset=4080 (local.get $off)))
            (local.set $mh (f64.load offset=4088 (local.get $off)))
            (local.set $miss (f64.gt (local.get $mh) (f64.const 0)))
            (local.set $last (select (i32.sub (local.get $nb) (i32.const 1)) (i32.sub (local.get $nb) (i32.const 2))
              (local.get $miss)))
            (local.set $lg (f64.const 0))
            (local.set $lh (f64.const 0))
            (local.set $b (i32.const 0))
            (loop $bin
              (local.set $lg (f64.add (local.get $lg) (f64.load (local.get $off))))
              (local.set $lh (f64.add (local.get $lh) (f64.load offset=8 (local.get $off))))
              ;; Missing values to the right.
              (local.set $rg (f64.sub (local.get $G) (local.get $lg)))
              (local.set $rh (f64.sub (local.get $H) (local.get $lh)))
              (if (i32.and
                    (i32.and (f64.ge (local.get $lh) (local.get $minHess)) (f64.ge (local.get $rh) (local.get $minHess)))
                    (i32.and (f64.ge (f64.mul (local.get $lh) (local.get $cnt)) (local.get $md))
                             (f64.ge (f64.mul (local.get $rh) (local.get $cnt)) (local.get $md))))
                (then
                  (local.set $gain (f64.sub
                    (f64.add
                      (f64.div (f64.mul (local.get $lg) (local.get $lg)) (f64.add (local.get $lh) (local.get $lambda)))
                      (f64.div (f64.mul (local.get $rg) (local.get $rg)) (f64.add (local.get $rh) (local.get $lambda))))
                    (local.get $parent)))
                  (if (f64.gt (local.get $gain) (local.get $best))
                    (then
                      (local.set $best (local.get $gain))
                      (local.set $found (i32.const 1))
                      (f64.store (local.get $out) (f64.convert_i32_u (local.get $f)))
                      (f64.store offset=8 (local.get $out) (f64.convert_i32_u (local.get $b)))
                      (f64.store offset=16 (local.get $out)
                        (f64.convert_i32_u (i32.and (i32.eqz (local.get $miss)) (f64.ge (local.get $lh) (local.get $rh)))))
                      (f64.store offset=24 (local.get $out) (local.get $gain))
                      (f64.store offset=32 (local.get $out) (local.get $lg))
                      (f64.store offset=40 (local.get $out) (local.get $lh))))))
              ;; Missing values to the left.
              (if (i32.and (local.get $miss) (i32.lt_s (local.get $b) (i32.sub (local.get $nb) (i32.const 1))))
                (then
                  (local.set $xg (f64.add (local.get $lg) (local.get $mg)))
                  (local.set $xh (f64.add (local.get $lh) (local.get $mh)))
                  (local.set $rg (f64.sub (local.get $G) (local.get $xg)))
                  (local.set $rh (f64.sub (local.get $H) (local.get $xh)))
                  (if (i32.and
                        (i32.and (f64.ge (local.get $xh) (local.get $minHess)) (f64.ge (local.get $rh) (local.get $minHess)))
                        (i32.and (f64.ge (f64.mul (local.get $xh) (local.get $cnt)) (local.get $md))
                                 (f64.ge (f64.mul (local.get $rh) (local.get $cnt)) (local.get $md))))
                    (then
                      (local.set $gain (f64.sub
                        (f64.add
                          (f64.div (f64.mul (local.get $xg) (local.get $xg)) (f64.add (local.get $xh) (local.get $lambda)))
                          (f64.div (f64.mul (local.get $rg) (local.get $rg)) (f64.add (local.get $rh) (local.get $lambda))))
                        (local.get $parent)))
                      (if (f64.gt (local.get $gain) (local.get $best))
                        (then
                          (local.set $best (local.get $gain))
                          (local.set $found (i32.const 1))
                          (f64.store (local.get $out) (f64.convert_i32_u (local.get $f)))
                          (f64.store offset=8 (local.get $out) (f64.convert_i32_u (local.get $b)))
                          (f64.store offset=16 (local.get $out) (f64.const 1))
                          (f64.store offset=24 (local.get $out) (local.get $gain))
                          (f64.store offset=32 (local.get $out) (local.get $xg))
                          (f64.store offset=40 (local.get $out) (local.get $xh))))))))
              (local.set $off (i32.add (local.get $off) (i32.const 16)))
              (br_if $bin (i32.le_s (local.tee $b (i32.add (local.get $b) (i32.const 1))) (local.get $last))))))
        (br_if $feature (i32.lt_s (local.tee $f (i32.add (local.get $f) (i32.const 1))) (local.get $nf)))))
    (local.get $found))

  ;; Stable partition of rows[start, end) (i32 at `rows`) by a split of the feature whose bins
  ;; (u8 per row, column-major) are at `col`: rows whose bin is <= `bin`, or the missing bin 255
  ;; when `missLeft`, first. Every row is written to both places and only its side's index moves
  ;; on (no branch to mispredict); `scratch` takes the right side, copied back after the left.
  ;; Returns the end of the left part.
  (func (export "partition")
    (param $rows i32) (param $scratch i32) (param $col i32) (param $start i32) (param $end i32)
    (param $bin i32) (param $missLeft i32) (result i32)
    (local $p i32) (local $pe i32) (local $li i32) (local $ri i32) (local $r i32) (local $b i32) (local $left i32)
    (local.set $p (i32.add (local.get $rows) (i32.shl (local.get $start) (i32.const 2))))
    (local.set $pe (i32.add (local.get $rows) (i32.shl (local.get $end) (i32.const 2))))
    (local.set $li (local.get $p))
    (local.set $ri (local.get $scratch))
    (if (i32.lt_u (local.get $p) (local.get $pe))
      (then
        (loop $row
          (local.set $r (i32.load (local.get $p)))
          (local.set $b (i32.load8_u (i32.add (local.get $col) (local.get $r))))
          (local.set $left (select (local.get $missLeft) (i32.le_u (local.get $b) (local.get $bin))
            (i32.eq (local.get $b) (i32.const 255))))
          (i32.store (local.get $li) (local.get $r))
          (i32.store (local.get $ri) (local.get $r))
          (local.set $li (i32.add (local.get $li) (i32.shl (local.get $left) (i32.const 2))))
          (local.set $ri (i32.add (local.get $ri) (i32.shl (i32.xor (local.get $left) (i32.const 1)) (i32.const 2))))
          (br_if $row (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 4))) (local.get $pe))))))
    (memory.copy (local.get $li) (local.get $scratch) (i32.sub (local.get $ri) (local.get $scratch)))
    (i32.shr_u (i32.sub (local.get $li) (local.get $rows)) (i32.const 2)))

  ;; e^x, bit for bit as V8's Math.exp (its port of fdlibm's __ieee754_exp, exp(1) = E included),
  ;; so that gradients here and in TypeScript are the same doubles.
  (func $exp (param $x f64) (result f64)
    (local $bits i64) (local $hx i32) (local $xsb i32) (local $hi f64) (local $lo f64) (local $k i32)
    (local $t f64) (local $c f64) (local $y f64)
    (local.set $bits (i64.reinterpret_f64 (local.get $x)))
    (local.set $hx (i32.wrap_i64 (i64.shr_u (local.get $bits) (i64.const 32))))
    (local.set $xsb (i32.shr_u (local.get $hx) (i32.const 31)))
    (local.set $hx (i32.and (local.get $hx) (i32.const 0x7fffffff)))
    ;; |x| >= 709.78…: NaN, infinities, overflow, underflow.
    (if (i32.ge_u (local.get $hx) (i32.const 0x40862e42))
      (then
        (if (i32.ge_u (local.get $hx) (i32.const 0x7ff00000))
          (then
            (if (i32.ne (i32.or (i32.and (local.get $hx) (i32.const 0xfffff)) (i32.wrap_i64 (local.get $bits)))
                        (i32.const 0))
              (then (return (f64.add (local.get $x) (local.get $x)))))
            (return (select (local.get $x) (f64.const 0) (i32.eqz (local.get $xsb))))))
        (if (f64.gt (local.get $x) (f64.const 7.09782712893383973096e+02))
          (then (return (f64.mul (f64.const 1.0e300) (f64.const 1.0e300)))))
        (if (f64.lt (local.get $x) (f64.const -7.45133219101941108420e+02))
          (then (return (f64.mul (f64.const 9.33263618503218878990e-302) (f64.const 9.33263618503218878990e-302)))))))
    ;; Argument reduction: x = k ln2 + r, |r| <= 0.5 ln2.
    (if (i32.gt_u (local.get $hx) (i32.const 0x3fd62e42))
      (then
        (if (i32.lt_u (local.get $hx) (i32.const 0x3ff0a2b2))
          (then
            (if (f64.eq (local.get $x) (f64.const 1)) (then (return (f64.const 2.718281828459045))))
            (if (local.get $xsb)
              (then
                (local.set $hi (f64.sub (local.get $x) (f64.const -6.93147180369123816490e-01)))
                (local.set $lo (f64.const -1.90821492927058770002e-10))
                (local.set $k (i32.const -1)))
              (else
                (local.set $hi (f64.sub (local.get $x) (f64.const 6.93147180369123816490e-01)))
                (local.set $lo (f64.const 1.90821492927058770002e-10))
                (local.set $k (i32.const 1)))))
          (else
            (local.set $k (i32.trunc_f64_s
              (f64.add (f64.mul (f64.const 1.44269504088896338700e+00) (local.get $x))
                (select (f64.const -0.5) (f64.const 0.5) (local.get $xsb)))))
            (local.set $t (f64.convert_i32_s (local.get $k)))
            (local.set $hi (f64.sub (local.get $x) (f64.mul (local.get $t) (f64.const 6.93147180369123816490e-01))))
            (local.set $lo (f64.mul (local.get $t) (f64.const 1.90821492927058770002e-10)))))
        (local.set $x (f64.sub (local.get $hi) (local.get $lo))))
      (else
        ;; |x| < 2^-28: 1 + x.
        (if (i32.lt_u (local.get $hx) (i32.const 0x3e300000))
          (then
            (if (f64.gt (f64.add (f64.const 1.0e300) (local.get $x)) (f64.const 1))
              (then (return (f64.add (f64.const 1) (local.get $x)))))))))
    (local.set $t (f64.mul (local.get $x) (local.get $x)))
    (local.set $c (f64.sub (local.get $x)
      (f64.mul (local.get $t)
        (f64.add (f64.const 1.66666666666666019037e-01) (f64.mul (local.get $t)
          (f64.add (f64.const -2.77777777770155933842e-03) (f64.mul (local.get $t)
            (f64.add (f64.const 6.61375632143793436117e-05) (f64.mul (local.get $t)
              (f64.add (f64.const -1.65339022054652515390e-06)
                (f64.mul (local.get $t) (f64.const 4.13813679705723846039e-08))))))))))))
    (if (i32.eqz (local.get $k))
      (then
        (return (f64.sub (f64.const 1)
          (f64.sub (f64.div (f64.mul (local.get $x) (local.get $c)) (f64.sub (local.get $c) (f64.const 2)))
            (local.get $x))))))
    (local.set $y (f64.sub (f64.const 1)
      (f64.sub
        (f64.sub (local.get $lo) (f64.div (f64.mul (local.get $x) (local.get $c)) (f64.sub (f64.const 2) (local.get $c))))
        (local.get $hi))))
    ;; y × 2^k, by adding k to the exponent.
    (if (i32.ge_s (local.get $k) (i32.const -1021))
      (then
        (return (f64.reinterpret_i64
          (i64.add (i64.reinterpret_f64 (local.get $y)) (i64.shl (i64.extend_i32_s (local.get $k)) (i64.const 52)))))))
    (f64.mul
      (f64.reinterpret_i64 (i64.add (i64.reinterpret_f64 (local.get $y))
        (i64.shl (i64.extend_i32_s (i32.add (local.get $k) (i32.const 1000))) (i64.const 52))))
      (f64.const 9.33263618503218878990e-302)))

  ;; e^x in both lanes, each bit for bit as $exp computes it: lanes in its common range
  ;; (2^-28 <= |x| < 704, x != 1) together, branch-free; a pair with another lane lane by lane.
  ;; One formula serves $exp's three reductions: k = 0 (|x| <= 0.5 ln2: hi = x - 0 = x, lo = 0,
  ;; and 1 - ((lo - q) - hi) = 1 - ((x c)/(c - 2) - x) exactly), k = ±1 (below 1.5 ln2: the
  ;; products k ln2 are the constants $exp subtracts) and k = trunc(x / ln2 ± 0.5).
  (func $exp2 (param $x v128) (result v128)
    (local $ax v128) (local $sign v128) (local $t v128) (local $hi v128) (local $lo v128)
    (local $r v128) (local $tt v128) (local $c v128) (local $y v128)
    (local.set $sign (v128.and (local.get $x) (v128.const i64x2 0x8000000000000000 0x8000000000000000)))
    (local.set $ax (v128.xor (local.get $x) (local.get $sign)))
    (if (i32.eqz (i64x2.all_true (v128.and
          (v128.and
            (i64x2.ge_s (local.get $ax) (v128.const i64x2 0x3e30000000000000 0x3e30000000000000))
            (i64x2.lt_s (local.get $ax) (v128.const i64x2 0x4086000000000000 0x4086000000000000)))
          (v128.not (f64x2.eq (local.get $x) (v128.const f64x2 1 1))))))
      (then
        (return (f64x2.replace_lane 1
          (f64x2.splat (call $exp (f64x2.extract_lane 0 (local.get $x))))
          (call $exp (f64x2.extract_lane 1 (local.get $x)))))))
    ;; k as a double: trunc(x / ln2 ± 0.5) from 1.5 ln2 on, ±1 from 0.5 ln2 on, else 0.
    (local.set $t
      (v128.bitselect
        (f64x2.trunc (f64x2.add
          (f64x2.mul (v128.const f64x2 1.44269504088896338700e+00 1.44269504088896338700e+00) (local.get $x))
          (v128.or (v128.const f64x2 0.5 0.5) (local.get $sign))))
        (v128.bitselect
          (v128.or (v128.const f64x2 1 1) (local.get $sign))
          (v128.const f64x2 0 0)
          (i64x2.gt_s (local.get $ax) (v128.const i64x2 0x3fd62e42ffffffff 0x3fd62e42ffffffff)))
        (i64x2.ge_s (local.get $ax) (v128.const i64x2 0x3ff0a2b200000000 0x3ff0a2b200000000))))
    (local.set $hi (f64x2.sub (local.get $x)
      (f64x2.mul (local.get $t) (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01))))
    (local.set $lo (f64x2.mul (local.get $t) (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10)))
    (local.set $r (f64x2.sub (local.get $hi) (local.get $lo)))
    (local.set $tt (f64x2.mul (local.get $r) (local.get $r)))
    (local.set $c (f64x2.sub (local.get $r)
      (f64x2.mul (local.get $tt)
        (f64x2.add (v128.const f64x2 1.66666666666666019037e-01 1.66666666666666019037e-01) (f64x2.mul (local.get $tt)
          (f64x2.add (v128.const f64x2 -2.77777777770155933842e-03 -2.77777777770155933842e-03) (f64x2.mul (local.get $tt)
            (f64x2.add (v128.const f64x2 6.61375632143793436117e-05 6.61375632143793436117e-05) (f64x2.mul (local.get $tt)
              (f64x2.add (v128.const f64x2 -1.65339022054652515390e-06 -1.65339022054652515390e-06)
                (f64x2.mul (local.get $tt) (v128.const f64x2 4.13813679705723846039e-08 4.13813679705723846039e-08))))))))))))
    (local.set $y (f64x2.sub (v128.const f64x2 1 1)
      (f64x2.sub
        (f64x2.sub (local.get $lo)
          (f64x2.div (f64x2.mul (local.get $r) (local.get $c)) (f64x2.sub (v128.const f64x2 2 2) (local.get $c))))
        (local.get $hi))))
    ;; y × 2^k, by adding k to the exponent (k >= -1016 here).
    (i64x2.add (local.get $y)
      (i64x2.shl (i64x2.extend_low_i32x4_s (i32x4.trunc_sat_f64x2_s_zero (local.get $t))) (i32.const 52))))

  ;; Rows i and i + 1 of `gradients` (kind 0 or 1) in two lanes; `e`: room for 2 K f64.
  (func $gradients2
    (param $kind i32) (param $raw i32) (param $y i32) (param $w i32) (param $gh i32)
    (param $i i32) (param $K i32) (param $n i32) (param $e i32)
    (local $wi v128) (local $yi v128) (local $p v128) (local $g v128) (local $h v128) (local $v v128)
    (local $max v128) (local $sum v128) (local $k i32) (local $o i32) (local $stride i32) (local $at i32)
    (local.set $wi (if (result v128) (local.get $w)
      (then (v128.load (i32.add (local.get $w) (i32.shl (local.get $i) (i32.const 3)))))
      (else (v128.const f64x2 1 1))))
    (local.set $yi (v128.load (i32.add (local.get $y) (i32.shl (local.get $i) (i32.const 3)))))
    (local.set $o (i32.add (local.get $raw) (i32.shl (local.get $i) (i32.const 3))))
    (if (i32.eqz (local.get $kind))
      (then
        (local.set $p (f64x2.div (v128.const f64x2 1 1) (f64x2.add (v128.const f64x2 1 1)
          (call $exp2 (f64x2.neg (v128.load (local.get $o)))))))
        (call $storePairs (i32.add (local.get $gh) (i32.shl (local.get $i) (i32.const 4)))
          (f64x2.mul (f64x2.sub (local.get $p) (local.get $yi)) (local.get $wi))
          (f64x2.mul (f64x2.max (f64x2.mul (local.get $p) (f64x2.sub (v128.const f64x2 1 1) (local.get $p)))
            (v128.const f64x2 1e-16 1e-16)) (local.get $wi)))
        (return)))
    (local.set $stride (i32.shl (local.get $n) (i32.const 3)))
    (local.set $max (v128.const f64x2 -inf -inf))
    (local.set $k (i32.const 0))
    (loop $m
      (local.set $max (f64x2.pmax (local.get $max)
        (v128.load (i32.add (local.get $o) (i32.mul (local.get $k) (local.get $stride))))))
      (br_if $m (i32.lt_s (local.tee $k (i32.add (local.get $k) (i32.const 1))) (local.get $K))))
    (local.set $sum (v128.const f64x2 0 0))
    (local.set $k (i32.const 0))
    (loop $x
      (local.set $v (call $exp2 (f64x2.sub
        (v128.load (i32.add (local.get $o) (i32.mul (local.get $k) (local.get $stride)))) (local.get $max))))
      (v128.store (i32.add (local.get $e) (i32.shl (local.get $k) (i32.const 4))) (local.get $v))
      (local.set $sum (f64x2.add (local.get $sum) (local.get $v)))
      (br_if $x (i32.lt_s (local.tee $k (i32.add (local.get $k) (i32.const 1))) (local.get $K))))
    (local.set $k (i32.const 0))
    (loop $c
      (local.set $p (f64x2.div (v128.load (i32.add (local.get $e) (i32.shl (local.get $k) (i32.const 4))))
        (local.get $sum)))
      (call $storePairs
        (i32.add (local.get $gh) (i32.shl (i32.add (i32.mul (local.get $k) (local.get $n)) (local.get $i)) (i32.const 4)))
        (f64x2.mul (f64x2.sub (local.get $p)
          (v128.and (f64x2.eq (f64x2.splat (f64.convert_i32_s (local.get $k))) (local.get $yi)) (v128.const f64x2 1 1)))
          (local.get $wi))
        (f64x2.mul (f64x2.max (f64x2.mul (local.get $p) (f64x2.sub (v128.const f64x2 1 1) (local.get $p)))
          (v128.const f64x2 1e-16 1e-16)) (local.get $wi)))
      (br_if $c (i32.lt_s (local.tee $k (i32.add (local.get $k) (i32.const 1))) (local.get $K)))))

  ;; (g0, h0) then (g1, h1) at `at`, from lanes g = (g0, g1) and h = (h0, h1).
  (func $storePairs (param $at i32) (param $g v128) (param $h v128)
    (v128.store (local.get $at)
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $g) (local.get $h)))
    (v128.store offset=16 (local.get $at)
      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $g) (local.get $h))))

;; e^x of the n f64 at `at`, in place: pairs through $exp2 as the gradients take them, an odd
  ;; last one through $exp.
  (func (export "exp") (param $at i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $at) (i32.shl (local.get $n) (i32.const 3))))
    (block $done
      (loop $pair
        (br_if $done (i32.gt_u (i32.add (local.get $at) (i32.const 16)) (local.get $end)))
        (v128.store (local.get $at) (call $exp2 (v128.load (local.get $at))))
        (local.set $at (i32.add (local.get $at) (i32.const 16)))
        (br $pair)))
    (if (i32.lt_u (local.get $at) (local.get $end))
      (then (f64.store (local.get $at) (call $exp (f64.load (local.get $at)))))))

  ;; Gradient and hessian pairs of rows [start, end) into `gh` (class-major, as objective.ts
  ;; fills them, the same doubles): `kind` 0 binary logloss, 1 multiclass softmax over `K`
  ;; outputs (`e`: room for K f64), 2 squared error. `raw`: class-major K × n raw scores; `y`
  ;; labels; `w` weights, or 0 for none; `n` rows in all.
  (func (export "gradients")
    (param $kind i32) (param $raw i32) (param $y i32) (param $w i32) (param $gh i32)
    (param $start i32) (param $end i32) (param $K i32) (param $n i32) (param $e i32)
    (local $i i32) (local $k i32) (local $p f64) (local $wi f64) (local $r f64) (local $o i32)
    (local $max f64) (local $sum f64) (local $v f64) (local $yi f64) (local $at i32) (local $stride i32)
    (if (i32.ge_s (local.get $start) (local.get $end)) (then (return)))
    (local.set $i (local.get $start))
    ;; Two rows at a time (lanes), the same operations lane by lane; an odd last row below.
    (if (i32.lt_u (local.get $kind) (i32.const 2))
      (then
        (block $pairs_done
          (loop $pairs
            (br_if $pairs_done (i32.ge_s (i32.add (local.get $i) (i32.const 1)) (local.get $end)))
            (call $gradients2 (local.get $kind) (local.get $raw) (local.get $y) (local.get $w) (local.get $gh)
              (local.get $i) (local.get $K) (local.get $n) (local.get $e))
            (local.set $i (i32.add (local.get $i) (i32.const 2)))
            (br $pairs)))
        (if (i32.ge_s (local.get $i) (local.get $end)) (then (return)))))
    (loop $row
      (local.set $wi (if (result f64) (local.get $w)
        (then (f64.load (i32.add (local.get $w) (i32.shl (local.get $i) (i32.const 3)))))
        (else (f64.const 1))))
      (local.set $yi (f64.load (i32.add (local.get $y) (i32.shl (local.get $i) (i32.const 3)))))
      (local.set $at (i32.add (local.get $gh) (i32.shl (local.get $i) (i32.const 4))))
      (if (i32.eqz (local.get $kind))
        (then
          (local.set $p (f64.div (f64.const 1) (f64.add (f64.const 1)
            (call $exp (f64.neg (f64.load (i32.add (local.get $raw) (i32.shl (local.get $i) (i32.const 3)))))))))
          (f64.store (local.get $at) (f64.mul (f64.sub (local.get $p) (local.get $yi)) (local.get $wi)))
          (f64.store offset=8 (local.get $at)
            (f64.mul (f64.max (f64.mul (local.get $p) (f64.sub (f64.const 1) (local.get $p))) (f64.const 1e-16))
              (local.get $wi))))
        (else (if (i32.eq (local.get $kind) (i32.const 2))
          (then
            (local.set $r (f64.load (i32.add (local.get $raw) (i32.shl (local.get $i) (i32.const 3)))))
            (f64.store (local.get $at) (f64.mul (f64.sub (local.get $r) (local.get $yi)) (local.get $wi)))
            (f64.store offset=8 (local.get $at) (local.get $wi)))
          (else
            ;; Softmax as softmaxInPlace computes it, then per class (p − [k = y]) w, p(1 − p) w.
            ;; Output k of row i at raw + 8 (k n + i): a stride of 8 n bytes from row i's first.
            (local.set $o (i32.add (local.get $raw) (i32.shl (local.get $i) (i32.const 3))))
            (local.set $stride (i32.shl (local.get $n) (i32.const 3)))
            (local.set $max (f64.const -inf))
            (local.set $k (i32.const 0))
            (loop $m
              (local.set $v (f64.load (i32.add (local.get $o) (i32.mul (local.get $k) (local.get $stride)))))
              (if (f64.gt (local.get $v) (local.get $max)) (then (local.set $max (local.get $v))))
              (br_if $m (i32.lt_s (local.tee $k (i32.add (local.get $k) (i32.const 1))) (local.get $K))))
            (local.set $sum (f64.const 0))
            (local.set $k (i32.const 0))
            (loop $x
              (local.set $v (call $exp (f64.sub (f64.load (i32.add (local.get $o) (i32.mul (local.get $k) (local.get $stride))))
                (local.get $max))))
              (f64.store (i32.add (local.get $e) (i32.shl (local.get $k) (i32.const 3))) (local.get $v))
              (local.set $sum (f64.add (local.get $sum) (local.get $v)))
              (br_if $x (i32.lt_s (local.tee $k (i32.add (local.get $k) (i32.const 1))) (local.get $K))))
            (local.set $k (i32.const 0))
            (loop $c
              (local.set $p (f64.div (f64.load (i32.add (local.get $e) (i32.shl (local.get $k) (i32.const 3))))
                (local.get $sum)))
              (local.set $at (i32.add (local.get $gh)
                (i32.shl (i32.add (i32.mul (local.get $k) (local.get $n)) (local.get $i)) (i32.const 4))))
              (f64.store (local.get $at)
                (f64.mul (f64.sub (local.get $p)
                  (select (f64.const 1) (f64.const 0) (f64.eq (f64.convert_i32_s (local.get $k)) (local.get $yi))))
                  (local.get $wi)))
              (f64.store offset=8 (local.get $at)
                (f64.mul (f64.max (f64.mul (local.get $p) (f64.sub (f64.const 1) (local.get $p))) (f64.const 1e-16))
                  (local.get $wi)))
              (br_if $c (i32.lt_s (local.tee $k (i32.add (local.get $k) (i32.const 1))) (local.get $K))))))))
      (br_if $row (i32.lt_s (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $end)))))

  ;; Sorts the n f64 at `a` ascending (no NaN among them; -0 before +0, as a Float64Array's
  ;; sort() does): an LSD radix sort of their bits, turned so that unsigned order is numeric
  ;; order, 11 bits a pass (6 passes; a pass whose digit is the same for all keys is skipped).
  ;; `tmp`: room for n f64; `counts`: 6 × 2048 u32.
  (func (export "sort") (param $a i32) (param $n i32) (param $tmp i32) (param $counts i32)
    (local $i i32) (local $k i64) (local $pass i32) (local $src i32) (local $dst i32) (local $shift i64)
    (local $base i32) (local $d i32) (local $sum i32) (local $t i32) (local $at i32)
    (if (i32.lt_s (local.get $n) (i32.const 2)) (then (return)))
    (memory.fill (local.get $counts) (i32.const 0) (i32.const 49152))
    ;; Turn the keys and count the digits of every pass in one go.
    (local.set $i (i32.const 0))
    (loop $turn
      (local.set $at (i32.add (local.get $a) (i32.shl (local.get $i) (i32.const 3))))
      (local.set $k (i64.load (local.get $at)))
      (local.set $k (select (i64.xor (local.get $k) (i64.const -1))
                            (i64.or (local.get $k) (i64.const 0x8000000000000000))
                            (i64.ne (i64.shr_u (local.get $k) (i64.const 63)) (i64.const 0))))
      (i64.store (local.get $at) (local.get $k))
      (local.set $pass (i32.const 0))
      (loop $count
        (local.set $at (i32.add (local.get $counts)
          (i32.add (i32.shl (local.get $pass) (i32.const 13))
            (i32.shl (i32.wrap_i64 (i64.and (i64.shr_u (local.get $k) (i64.extend_i32_u (i32.mul (local.get $pass) (i32.const 11))))
              (i64.const 2047))) (i32.const 2)))))
        (i32.store (local.get $at) (i32.add (i32.load (local.get $at)) (i32.const 1)))
        (br_if $count (i32.lt_u (local.tee $pass (i32.add (local.get $pass) (i32.const 1))) (i32.const 6))))
      (br_if $turn (i32.lt_s (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.set $src (local.get $a))
    (local.set $dst (local.get $tmp))
    (local.set $pass (i32.const 0))
    (loop $passes
      (local.set $shift (i64.extend_i32_u (i32.mul (local.get $pass) (i32.const 11))))
      (local.set $base (i32.add (local.get $counts) (i32.shl (local.get $pass) (i32.const 13))))
      (local.set $d (i32.wrap_i64 (i64.and (i64.shr_u (i64.load (local.get $src)) (local.get $shift)) (i64.const 2047))))
      (if (i32.ne (i32.load (i32.add (local.get $base) (i32.shl (local.get $d) (i32.const 2)))) (local.get $n))
        (then
          ;; Exclusive prefix sums: where each digit's keys start.
          (local.set $sum (i32.const 0))
          (local.set $d (i32.const 0))
          (loop $prefix
            (local.set $at (i32.add (local.get $base) (i32.shl (local.get $d) (i32.const 2))))
            (local.set $t (i32.load (local.get $at)))
            (i32.store (local.get $at) (local.get $sum))
            (local.set $sum (i32.add (local.get $sum) (local.get $t)))
            (br_if $prefix (i32.lt_u (local.tee $d (i32.add (local.get $d) (i32.const 1))) (i32.const 2048))))
          ;; Scatter, stable.
          (local.set $i (i32.const 0))
          (loop $scatter
            (local.set $k (i64.load (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 3)))))
            (local.set $at (i32.add (local.get $base)
              (i32.shl (i32.wrap_i64 (i64.and (i64.shr_u (local.get $k) (local.get $shift)) (i64.const 2047))) (i32.const 2))))
            (local.set $t (i32.load (local.get $at)))
            (i32.store (local.get $at) (i32.add (local.get $t) (i32.const 1)))
            (i64.store (i32.add (local.get $dst) (i32.shl (local.get $t) (i32.const 3))) (local.get $k))
            (br_if $scatter (i32.lt_s (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
          (local.set $t (local.get $src))
          (local.set $src (local.get $dst))
          (local.set $dst (local.get $t))))
      (br_if $passes (i32.lt_u (local.tee $pass (i32.add (local.get $pass) (i32.const 1))) (i32.const 6))))
    (if (i32.ne (local.get $src) (local.get $a))
      (then (memory.copy (local.get $a) (local.get $src) (i32.shl (local.get $n) (i32.const 3)))))
    ;; Turn the keys back.
    (local.set $i (i32.const 0))
    (loop $back
      (local.set $at (i32.add (local.get $a) (i32.shl (local.get $i) (i32.const 3))))
      (local.set $k (i64.load (local.get $at)))
      (i64.store (local.get $at)
        (select (i64.xor (local.get $k) (i64.const 0x8000000000000000))
                (i64.xor (local.get $k) (i64.const -1))
                (i64.ne (i64.shr_u (local.get $k) (i64.const 63)) (i64.const 0))))
      (br_if $back (i32.lt_s (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n)))))

  ;; The bins of one column of n f64 at `vals`: for each value the number of bounds below it,
  ;; by a branch-free search over the 255 f64 at `bounds` (the bounds, padded with +Infinity),
  ;; 255 for NaN, as binning.ts's binColumn; to the column-major bins at `col`. Four values go
  ;; side by side: each search is a chain of eight dependent loads, and four chains overlap.
  (func (export "binColumn") (param $vals i32) (param $n i32) (param $bounds i32) (param $col i32)
    (local $i i32) (local $n4 i32) (local $p i32)
    (local $v0 f64) (local $v1 f64) (local $v2 f64) (local $v3 f64)
    (local $l0 i32) (local $l1 i32) (local $l2 i32) (local $l3 i32)
    (local.set $n4 (i32.and (local.get $n) (i32.const -4)))
    (block $quad_done
      (br_if $quad_done (i32.eqz (local.get $n4)))
      (loop $four
        (local.set $p (i32.add (local.get $vals) (i32.shl (local.get $i) (i32.const 3))))
        (local.set $v0 (f64.load (local.get $p)))
        (local.set $v1 (f64.load offset=8 (local.get $p)))
        (local.set $v2 (f64.load offset=16 (local.get $p)))
        (local.set $v3 (f64.load offset=24 (local.get $p)))
        (local.set $l0 (select (i32.const 128) (i32.const 0) (f64.lt (f64.load offset=1016 (local.get $bounds)) (local.get $v0))))
        (local.set $l1 (select (i32.const 128) (i32.const 0) (f64.lt (f64.load offset=1016 (local.get $bounds)) (local.get $v1))))
        (local.set $l2 (select (i32.const 128) (i32.const 0) (f64.lt (f64.load offset=1016 (local.get $bounds)) (local.get $v2))))
        (local.set $l3 (select (i32.const 128) (i32.const 0) (f64.lt (f64.load offset=1016 (local.get $bounds)) (local.get $v3))))
        (local.set $l0 (i32.add (local.get $l0) (select (i32.const 64) (i32.const 0) (f64.lt (f64.load offset=504 (i32.add (local.get $bounds) (i32.shl (local.get $l0) (i32.const 3)))) (local.get $v0)))))
        (local.set $l1 (i32.add (local.get $l1) (select (i32.const 64) (i32.const 0) (f64.lt (f64.load offset=504 (i32.add (local.get $bounds) (i32.shl (local.get $l1) (i32.const 3)))) (local.get $v1)))))
        (local.set $l2 (i32.add (local.get $l2) (select (i32.const 64) (i32.const 0) (f64.lt (f64.load offset=504 (i32.add (local.get $bounds) (i32.shl (local.get $l2) (i32.const 3)))) (local.get $v2)))))
        (local.set $l3 (i32.add (local.get $l3) (select (i32.const 64) (i32.const 0) (f64.lt (f64.load offset=504 (i32.add (local.get $bounds) (i32.shl (local.get $l3) (i32.const 3)))) (local.get $v3)))))
        (local.set $l0 (i32.add (local.get $l0) (select (i32.const 32) (i32.const 0) (f64.lt (f64.load offset=248 (i32.add (local.get $bounds) (i32.shl (local.get $l0) (i32.const 3)))) (local.get $v0)))))
        (local.set $l1 (i32.add (local.get $l1) (select (i32.const 32) (i32.const 0) (f64.lt (f64.load offset=248 (i32.add (local.get $bounds) (i32.shl (local.get $l1) (i32.const 3)))) (local.get $v1)))))
        (local.set $l2 (i32.add (local.get $l2) (select (i32.const 32) (i32.const 0) (f64.lt (f64.load offset=248 (i32.add (local.get $bounds) (i32.shl (local.get $l2) (i32.const 3)))) (local.get $v2)))))
        (local.set $l3 (i32.add (local.get $l3) (select (i32.const 32) (i32.const 0) (f64.lt (f64.load offset=248 (i32.add (local.get $bounds) (i32.shl (local.get $l3) (i32.const 3)))) (local.get $v3)))))
        (local.set $l0 (i32.add (local.get $l0) (select (i32.const 16) (i32.const 0) (f64.lt (f64.load offset=120 (i32.add (local.get $bounds) (i32.shl (local.get $l0) (i32.const 3)))) (local.get $v0)))))
        (local.set $l1 (i32.add (local.get $l1) (select (i32.const 16) (i32.const 0) (f64.lt (f64.load offset=120 (i32.add (local.get $bounds) (i32.shl (local.get $l1) (i32.const 3)))) (local.get $v1)))))
        (local.set $l2 (i32.add (local.get $l2) (select (i32.const 16) (i32.const 0) (f64.lt (f64.load offset=120 (i32.add (local.get $bounds) (i32.shl (local.get $l2) (i32.const 3)))) (local.get $v2)))))
        (local.set $l3 (i32.add (local.get $l3) (select (i32.const 16) (i32.const 0) (f64.lt (f64.load offset=120 (i32.add (local.get $bounds) (i32.shl (local.get $l3) (i32.const 3)))) (local.get $v3)))))
        (local.set $l0 (i32.add (local.get $l0) (select (i32.const 8) (i32.const 0) (f64.lt (f64.load offset=56 (i32.add (local.get $bounds) (i32.shl (local.get $l0) (i32.const 3)))) (local.get $v0)))))
        (local.set $l1 (i32.add (local.get $l1) (select (i32.const 8) (i32.const 0) (f64.lt (f64.load offset=56 (i32.add (local.get $bounds) (i32.shl (local.get $l1) (i32.const 3)))) (local.get $v1)))))
        (local.set $l2 (i32.add (local.get $l2) (select (i32.const 8) (i32.const 0) (f64.lt (f64.load offset=56 (i32.add (local.get $bounds) (i32.shl (local.get $l2) (i32.const 3)))) (local.get $v2)))))
        (local.set $l3 (i32.add (local.get $l3) (select (i32.const 8) (i32.const 0) (f64.lt (f64.load offset=56 (i32.add (local.get $bounds) (i32.shl (local.get $l3) (i32.const 3)))) (local.get $v3)))))
        (local.set $l0 (i32.add (local.get $l0) (select (i32.const 4) (i32.const 0) (f64.lt (f64.load offset=24 (i32.add (local.get $bounds) (i32.shl (local.get $l0) (i32.const 3)))) (local.get $v0)))))
        (local.set $l1 (i32.add (local.get $l1) (select (i32.const 4) (i32.const 0) (f64.lt (f64.load offset=24 (i32.add (local.get $bounds) (i32.shl (local.get $l1) (i32.const 3)))) (local.get $v1)))))
        (local.set $l2 (i32.add (local.get $l2) (select (i32.const 4) (i32.const 0) (f64.lt (f64.load offset=24 (i32.add (local.get $bounds) (i32.shl (local.get $l2) (i32.const 3)))) (local.get $v2)))))
        (local.set $l3 (i32.add (local.get $l3) (select (i32.const 4) (i32.const 0) (f64.lt (f64.load offset=24 (i32.add (local.get $bounds) (i32.shl (local.get $l3) (i32.const 3)))) (local.get $v3)))))
        (local.set $l0 (i32.add (local.get $l0) (select (i32.const 2) (i32.const 0) (f64.lt (f64.load offset=8 (i32.add (local.get $bounds) (i32.shl (local.get $l0) (i32.const 3)))) (local.get $v0)))))
        (local.set $l1 (i32.add (local.get $l1) (select (i32.const 2) (i32.const 0) (f64.lt (f64.load offset=8 (i32.add (local.get $bounds) (i32.shl (local.get $l1) (i32.const 3)))) (local.get $v1)))))
        (local.set $l2 (i32.add (local.get $l2) (select (i32.const 2) (i32.const 0) (f64.lt (f64.load offset=8 (i32.add (local.get $bounds) (i32.shl (local.get $l2) (i32.const 3)))) (local.get $v2)))))
        (local.set $l3 (i32.add (local.get $l3) (select (i32.const 2) (i32.const 0) (f64.lt (f64.load offset=8 (i32.add (local.get $bounds) (i32.shl (local.get $l3) (i32.const 3)))) (local.get $v3)))))
        (local.set $l0 (i32.add (local.get $l0) (select (i32.const 1) (i32.const 0) (f64.lt (f64.load (i32.add (local.get $bounds) (i32.shl (local.get $l0) (i32.const 3)))) (local.get $v0)))))
        (local.set $l1 (i32.add (local.get $l1) (select (i32.const 1) (i32.const 0) (f64.lt (f64.load (i32.add (local.get $bounds) (i32.shl (local.get $l1) (i32.const 3)))) (local.get $v1)))))
        (local.set $l2 (i32.add (local.get $l2) (select (i32.const 1) (i32.const 0) (f64.lt (f64.load (i32.add (local.get $bounds) (i32.shl (local.get $l2) (i32.const 3)))) (local.get $v2)))))
        (local.set $l3 (i32.add (local.get $l3) (select (i32.const 1) (i32.const 0) (f64.lt (f64.load (i32.add (local.get $bounds) (i32.shl (local.get $l3) (i32.const 3)))) (local.get $v3)))))
        (i32.store8 offset=0 (i32.add (local.get $col) (local.get $i)) (select (local.get $l0) (i32.const 255) (f64.eq (local.get $v0) (local.get $v0))))
        (i32.store8 offset=1 (i32.add (local.get $col) (local.get $i)) (select (local.get $l1) (i32.const 255) (f64.eq (local.get $v1) (local.get $v1))))
        (i32.store8 offset=2 (i32.add (local.get $col) (local.get $i)) (select (local.get $l2) (i32.const 255) (f64.eq (local.get $v2) (local.get $v2))))
        (i32.store8 offset=3 (i32.add (local.get $col) (local.get $i)) (select (local.get $l3) (i32.const 255) (f64.eq (local.get $v3) (local.get $v3))))
        (br_if $four (i32.lt_s (local.tee $i (i32.add (local.get $i) (i32.const 4))) (local.get $n4)))))
    ;; The last values, one at a time.
    (block $done
      (br_if $done (i32.ge_s (local.get $i) (local.get $n)))
      (loop $one
        (local.set $v0 (f64.load (i32.add (local.get $vals) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $l0 (select (i32.const 128) (i32.const 0) (f64.lt (f64.load offset=1016 (local.get $bounds)) (local.get $v0))))
        (local.set $l0 (i32.add (local.get $l0) (select (i32.const 64) (i32.const 0) (f64.lt (f64.load offset=504 (i32.add (local.get $bounds) (i32.shl (local.get $l0) (i32.const 3)))) (local.get $v0)))))
        (local.set $l0 (i32.add (local.get $l0) (select (i32.const 32) (i32.const 0) (f64.lt (f64.load offset=248 (i32.add (local.get $bounds) (i32.shl (local.get $l0) (i32.const 3)))) (local.get $v0)))))
        (local.set $l0 (i32.add (local.get $l0) (select (i32.const 16) (i32.const 0) (f64.lt (f64.load offset=120 (i32.add (local.get $bounds) (i32.shl (local.get $l0) (i32.const 3)))) (local.get $v0)))))
        (local.set $l0 (i32.add (local.get $l0) (select (i32.const 8) (i32.const 0) (f64.lt (f64.load offset=56 (i32.add (local.get $bounds) (i32.shl (local.get $l0) (i32.const 3)))) (local.get $v0)))))
        (local.set $l0 (i32.add (local.get $l0) (select (i32.const 4) (i32.const 0) (f64.lt (f64.load offset=24 (i32.add (local.get $bounds) (i32.shl (local.get $l0) (i32.const 3)))) (local.get $v0)))))
        (local.set $l0 (i32.add (local.get $l0) (select (i32.const 2) (i32.const 0) (f64.lt (f64.load offset=8 (i32.add (local.get $bounds) (i32.shl (local.get $l0) (i32.const 3)))) (local.get $v0)))))
        (local.set $l0 (i32.add (local.get $l0) (select (i32.const 1) (i32.const 0) (f64.lt (f64.load (i32.add (local.get $bounds) (i32.shl (local.get $l0) (i32.const 3)))) (local.get $v0)))))
        (i32.store8 (i32.add (local.get $col) (local.get $i)) (select (local.get $l0) (i32.const 255) (f64.eq (local.get $v0) (local.get $v0))))
        (br_if $one (i32.lt_s (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))))

  ;; The row-major quads (nq u32 a row; feature f's byte at 4 × (f >> 2) + (f & 3), little-endian)
  ;; of the nf column-major bin columns at `cols` (n bytes each), 256 rows at a time so that
  ;; the rows being written stay in the cache. Bytes of the padding features are 0.
  (func (export "transpose") (param $cols i32) (param $n i32) (param $nf i32) (param $quads i32) (param $nq i32)
    (local $r0 i32) (local $r1 i32) (local $f i32) (local $r i32) (local $src i32) (local $dst i32) (local $row i32)
    (if (i32.lt_s (local.get $n) (i32.const 1)) (then (return)))
    (local.set $row (i32.shl (local.get $nq) (i32.const 2)))
    (memory.fill (local.get $quads) (i32.const 0) (i32.mul (local.get $n) (local.get $row)))
    (if (i32.lt_s (local.get $nf) (i32.const 1)) (then (return)))
    (loop $block
      (local.set $r1 (select (i32.add (local.get $r0) (i32.const 256)) (local.get $n)
        (i32.lt_s (i32.add (local.get $r0) (i32.const 256)) (local.get $n))))
      (local.set $f (i32.const 0))
      (loop $feature
        (local.set $src (i32.add (i32.add (local.get $cols) (i32.mul (local.get $f) (local.get $n))) (local.get $r0)))
        (local.set $dst (i32.add (i32.add (local.get $quads) (i32.mul (local.get $r0) (local.get $row))) (local.get $f)))
        (local.set $r (local.get $r0))
        (loop $rows
          (i32.store8 (local.get $dst) (i32.load8_u (local.get $src)))
          (local.set $src (i32.add (local.get $src) (i32.const 1)))
          (local.set $dst (i32.add (local.get $dst) (local.get $row)))
          (br_if $rows (i32.lt_s (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $r1))))
        (br_if $feature (i32.lt_s (local.tee $f (i32.add (local.get $f) (i32.const 1))) (local.get $nf))))
      (br_if $block (i32.lt_s (local.tee $r0 (local.get $r1)) (local.get $n)))))

  ;; The sums of the (g, h) pairs of rows[start, end) as two f64 at `out`: g first, each summed
  ;; in row order (a scalar add per row, as the TypeScript does: the same bits).
  (func (export "sumPairs") (param $rows i32) (param $start i32) (param $end i32) (param $gh i32) (param $out i32)
    (local $p i32) (local $e i32) (local $at i32) (local $g f64) (local $h f64)
    (if (i32.lt_s (local.get $start) (local.get $end))
      (then
        (local.set $p (i32.add (local.get $rows) (i32.shl (local.get $start) (i32.const 2))))
        (local.set $e (i32.add (local.get $rows) (i32.shl (local.get $end) (i32.const 2))))
        (loop $l
          (local.set $at (i32.add (local.get $gh) (i32.shl (i32.load (local.get $p)) (i32.const 4))))
          (local.set $g (f64.add (local.get $g) (f64.load (local.get $at))))
          (local.set $h (f64.add (local.get $h) (f64.load offset=8 (local.get $at))))
          (br_if $l (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 4))) (local.get $e))))))
    (f64.store (local.get $out) (local.get $g))
    (f64.store offset=8 (local.get $out) (local.get $h)))

  ;; Adds each leaf's value to the raw score (f64 at `col`, one per row) of its rows: `n` leaves
  ;; as three f64 at `leaves` (start, end, value), the rows of leaf j being rows[start, end).
  (func (export "addLeaves") (param $rows i32) (param $leaves i32) (param $n i32) (param $col i32)
    (local $l i32) (local $p i32) (local $e i32) (local $v f64) (local $at i32)
    (if (i32.eqz (local.get $n)) (then (return)))
    (local.set $l (i32.add (local.get $leaves) (i32.mul (local.get $n) (i32.const 24))))
    (loop $leaf
      (local.set $p (i32.add (local.get $rows)
        (i32.shl (i32.trunc_f64_u (f64.load (local.get $leaves))) (i32.const 2))))
      (local.set $e (i32.add (local.get $rows)
        (i32.shl (i32.trunc_f64_u (f64.load offset=8 (local.get $leaves))) (i32.const 2))))
      (local.set $v (f64.load offset=16 (local.get $leaves)))
      (if (i32.lt_u (local.get $p) (local.get $e))
        (then
          (loop $row
            (local.set $at (i32.add (local.get $col) (i32.shl (i32.load (local.get $p)) (i32.const 3))))
            (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (local.get $v)))
            (br_if $row (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 4))) (local.get $e))))))
      (br_if $leaf (i32.lt_u (local.tee $leaves (i32.add (local.get $leaves) (i32.const 24))) (local.get $l)))))

    ;; dst[j] -= src[j] for the f64 at byte offsets dst, src, over `bytes` (a multiple of 16).
  (func (export "sub") (param $dst i32) (param $src i32) (param $bytes i32)
    (local $e i32)
    (if (i32.eqz (local.get $bytes)) (then (return)))
    (local.set $e (i32.add (local.get $dst) (local.get $bytes)))
    (loop $l
      (v128.store (local.get $dst) (f64x2.sub (v128.load (local.get $dst)) (v128.load (local.get $src))))
      (local.set $src (i32.add (local.get $src) (i32.const 16)))
      (br_if $l (i32.lt_u (local.tee $dst (i32.add (local.get $dst) (i32.const 16))) (local.get $e)))))

  ;; dst[j] += src[j], as `sub`.
  (func (export "add") (param $dst i32) (param $src i32) (param $bytes i32)
    (local $e i32)
    (if (i32.eqz (local.get $bytes)) (then (return)))
    (local.set $e (i32.add (local.get $dst) (local.get $bytes)))
    (loop $l
      (v128.store (local.get $dst) (f64x2.add (v128.load (local.get $dst)) (v128.load (local.get $src))))
      (local.set $src (i32.add (local.get $src) (i32.const 16)))
      (br_if $l (i32.lt_u (local.tee $dst (i32.add (local.get $dst) (i32.const 16))) (local.get $e))))))
