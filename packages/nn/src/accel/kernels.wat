;; WebAssembly SIMD kernels of pq's accelerated path, run on the tfjs wasm backend's own heap:
;; the module imports that backend's memory, so tensors are read and written where tfjs keeps
;; them (byte offsets from the backend's dataIdMap), without copies. `pnpm --filter @pq/nn run
;; build:wasm` compiles it (wabt) into kernels-wasm.ts, committed; a test checks that the shipped
;; bytes are this file's compilation.
;;
;; Every product and sum is one float32 operation (f32x4.mul, then f32x4.add: no fused
;; multiply-add), as in tfjs's cpu kernels; only the order in which the sums are taken differs.
;; Loads and stores say align=1: tensors are float32s, aligned to 4 bytes only.
(module
  (import "env" "memory" (memory 1))

  ;; d[i] += a[i] * b[i] for the $n floats at byte offsets d, a, b.
  (func $mac (param $d i32) (param $a i32) (param $b i32) (param $n i32)
    (local $end i32) (local $vend i32)
    (local.set $end (i32.add (local.get $d) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $vend (i32.add (local.get $d) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $vdone
      (br_if $vdone (i32.ge_u (local.get $d) (local.get $vend)))
      (loop $v
        (v128.store align=1 (local.get $d)
          (f32x4.add (v128.load align=1 (local.get $d))
            (f32x4.mul (v128.load align=1 (local.get $a)) (v128.load align=1 (local.get $b)))))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (local.set $b (i32.add (local.get $b) (i32.const 16)))
        (br_if $v (i32.lt_u (local.tee $d (i32.add (local.get $d) (i32.const 16))) (local.get $vend)))))
    (block $done
      (br_if $done (i32.ge_u (local.get $d) (local.get $end)))
      (loop $s
        (f32.store (local.get $d)
          (f32.add (f32.load (local.get $d)) (f32.mul (f32.load (local.get $a)) (f32.load (local.get $b)))))
        (local.set $a (i32.add (local.get $a) (i32.const 4)))
        (local.set $b (i32.add (local.get $b) (i32.const 4)))
        (br_if $s (i32.lt_u (local.tee $d (i32.add (local.get $d) (i32.const 4))) (local.get $end))))))

  ;; add_row: out[r*len + j] = big[r*len + j] + row[j] for r < rows, j < len (a bias added to
  ;; every row). out may be big.
  (func (export "add_row") (param $out i32) (param $big i32) (param $row i32) (param $rows i32) (param $len i32)
    (local $j i32) (local $bytes i32) (local $vbytes i32)
    (local.set $bytes (i32.shl (local.get $len) (i32.const 2)))
    (local.set $vbytes (i32.shl (i32.and (local.get $len) (i32.const -4)) (i32.const 2)))
    (block $rdone
      (br_if $rdone (i32.eqz (local.get $rows)))
      (loop $r
        (local.set $j (i32.const 0))
        (block $vdone
          (br_if $vdone (i32.ge_u (local.get $j) (local.get $vbytes)))
          (loop $v
            (v128.store align=1 (i32.add (local.get $out) (local.get $j))
              (f32x4.add (v128.load align=1 (i32.add (local.get $big) (local.get $j)))
                (v128.load align=1 (i32.add (local.get $row) (local.get $j)))))
            (br_if $v (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 16))) (local.get $vbytes)))))
        (block $done
          (br_if $done (i32.ge_u (local.get $j) (local.get $bytes)))
          (loop $s
            (f32.store (i32.add (local.get $out) (local.get $j))
              (f32.add (f32.load (i32.add (local.get $big) (local.get $j))) (f32.load (i32.add (local.get $row) (local.get $j)))))
            (br_if $s (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 4))) (local.get $bytes)))))
        (local.set $out (i32.add (local.get $out) (local.get $bytes)))
        (local.set $big (i32.add (local.get $big) (local.get $bytes)))
        (br_if $r (local.tee $rows (i32.sub (local.get $rows) (i32.const 1)))))))

  ;; col_sum: out[j] += x[r*cols + j] for r < rows in order, j < cols (out zeroed by the caller):
  ;; a sum over every axis but the trailing ones, each column summed in float32 from +0 row by
  ;; row, as tfjs-wasm's Sum sums the row it transposes that column into.
  (func (export "col_sum") (param $x i32) (param $out i32) (param $rows i32) (param $cols i32)
    (local $j i32) (local $bytes i32) (local $vbytes i32)
    (local.set $bytes (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $vbytes (i32.shl (i32.and (local.get $cols) (i32.const -4)) (i32.const 2)))
    (block $rdone
      (br_if $rdone (i32.eqz (local.get $rows)))
      (loop $r
        (local.set $j (i32.const 0))
        (block $vdone
          (br_if $vdone (i32.ge_u (local.get $j) (local.get $vbytes)))
          (loop $v
            (v128.store align=1 (i32.add (local.get $out) (local.get $j))
              (f32x4.add (v128.load align=1 (i32.add (local.get $out) (local.get $j)))
                (v128.load align=1 (i32.add (local.get $x) (local.get $j)))))
            (br_if $v (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 16))) (local.get $vbytes)))))
        (block $done
          (br_if $done (i32.ge_u (local.get $j) (local.get $bytes)))
          (loop $s
            (f32.store (i32.add (local.get $out) (local.get $j))
              (f32.add (f32.load (i32.add (local.get $out) (local.get $j))) (f32.load (i32.add (local.get $x) (local.get $j)))))
            (br_if $s (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 4))) (local.get $bytes)))))
        (local.set $x (i32.add (local.get $x) (local.get $bytes)))
        (br_if $r (local.tee $rows (i32.sub (local.get $rows) (i32.const 1)))))))

  ;; bn_sums: batch norm's per-channel sums for four channels at once, in float64, each summed
  ;; in the order of the one-channel loop (n, then the S spatial positions): four independent
  ;; chains, so one addition's latency does not bound the loop. Channel k's values for image n
  ;; are the S floats at $pk + n*$stride (bytes); results go to the four doubles at $out.
  ;;   mode 0: Σx                 mode 1: Σ(x - m_k)²
  ;;   mode 2: Σdy and Σdy·(x - m_k), x at $q0..$q3 (eight doubles: the four Σdy first)
  ;; A channel may be given more than once (to fill the four when fewer remain).
  (func (export "bn_sums") (param $mode i32) (param $p0 i32) (param $p1 i32) (param $p2 i32) (param $p3 i32)
    (param $q0 i32) (param $q1 i32) (param $q2 i32) (param $q3 i32) (param $N i32) (param $S i32) (param $stride i32)
    (param $m0 f64) (param $m1 f64) (param $m2 f64) (param $m3 f64) (param $out i32)
    (local $n i32) (local $i i32) (local $end i32) (local $base i32)
    (local $a0 f64) (local $a1 f64) (local $a2 f64) (local $a3 f64)
    (local $b0 f64) (local $b1 f64) (local $b2 f64) (local $b3 f64)
    (local $d0 f64) (local $d1 f64) (local $d2 f64) (local $d3 f64)
    (local $g0 f64) (local $g1 f64) (local $g2 f64) (local $g3 f64)
    (local.set $end (i32.shl (local.get $S) (i32.const 2)))
    (block $ndone (loop $nl
      (br_if $ndone (i32.ge_u (local.get $n) (local.get $N)))
      (local.set $base (i32.mul (local.get $n) (local.get $stride)))
      (local.set $i (local.get $base))
      (local.set $end (i32.add (local.get $base) (i32.shl (local.get $S) (i32.const 2))))
      (block $idone (loop $il
        (br_if $idone (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $d0 (f64.promote_f32 (f32.load (i32.add (local.get $p0) (local.get $i)))))
        (local.set $d1 (f64.promote_f32 (f32.load (i32.add (local.get $p1) (local.get $i)))))
        (local.set $d2 (f64.promote_f32 (f32.load (i32.add (local.get $p2) (local.get $i)))))
        (local.set $d3 (f64.promote_f32 (f32.load (i32.add (local.get $p3) (local.get $i)))))
        (if (i32.eqz (local.get $mode))
          (then
            (local.set $a0 (f64.add (local.get $a0) (local.get $d0)))
            (local.set $a1 (f64.add (local.get $a1) (local.get $d1)))
            (local.set $a2 (f64.add (local.get $a2) (local.get $d2)))
            (local.set $a3 (f64.add (local.get $a3) (local.get $d3))))
          (else (if (i32.eq (local.get $mode) (i32.const 1))
            (then
              (local.set $d0 (f64.sub (local.get $d0) (local.get $m0)))
              (local.set $d1 (f64.sub (local.get $d1) (local.get $m1)))
              (local.set $d2 (f64.sub (local.get $d2) (local.get $m2)))
              (local.set $d3 (f64.sub (local.get $d3) (local.get $m3)))
              (local.set $a0 (f64.add (local.get $a0) (f64.mul (local.get $d0) (local.get $d0))))
              (local.set $a1 (f64.add (local.get $a1) (f64.mul (local.get $d1) (local.get $d1))))
              (local.set $a2 (f64.add (local.get $a2) (f64.mul (local.get $d2) (local.get $d2))))
              (local.set $a3 (f64.add (local.get $a3) (f64.mul (local.get $d3) (local.get $d3)))))
            (else
              ;; d = dy here; g = x - m
              (local.set $g0 (f64.sub (f64.promote_f32 (f32.load (i32.add (local.get $q0) (local.get $i)))) (local.get $m0)))
              (local.set $g1 (f64.sub (f64.promote_f32 (f32.load (i32.add (local.get $q1) (local.get $i)))) (local.get $m1)))
              (local.set $g2 (f64.sub (f64.promote_f32 (f32.load (i32.add (local.get $q2) (local.get $i)))) (local.get $m2)))
              (local.set $g3 (f64.sub (f64.promote_f32 (f32.load (i32.add (local.get $q3) (local.get $i)))) (local.get $m3)))
              (local.set $a0 (f64.add (local.get $a0) (local.get $d0)))
              (local.set $a1 (f64.add (local.get $a1) (local.get $d1)))
              (local.set $a2 (f64.add (local.get $a2) (local.get $d2)))
              (local.set $a3 (f64.add (local.get $a3) (local.get $d3)))
              (local.set $b0 (f64.add (local.get $b0) (f64.mul (local.get $d0) (local.get $g0))))
              (local.set $b1 (f64.add (local.get $b1) (f64.mul (local.get $d1) (local.get $g1))))
              (local.set $b2 (f64.add (local.get $b2) (f64.mul (local.get $d2) (local.get $g2))))
              (local.set $b3 (f64.add (local.get $b3) (f64.mul (local.get $d3) (local.get $g3))))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $il)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $nl)))
    (f64.store offset=0 (local.get $out) (local.get $a0))
    (f64.store offset=8 (local.get $out) (local.get $a1))
    (f64.store offset=16 (local.get $out) (local.get $a2))
    (f64.store offset=24 (local.get $out) (local.get $a3))
    (f64.store offset=32 (local.get $out) (local.get $b0))
    (f64.store offset=40 (local.get $out) (local.get $b1))
    (f64.store offset=48 (local.get $out) (local.get $b2))
    (f64.store offset=56 (local.get $out) (local.get $b3)))

  ;; bn_apply: one channel's elementwise pass in float64, two floats at a time, rounded to float32:
  ;;   mode 0: y = x·a + b                    ($y written; $dy unused)
  ;;   mode 1: dx = a·(dy - b - (x - m)·p)    ($y is dx)
  ;; over the S floats at byte offset n*$stride of $x, $dy and $y for n < N.
  (func (export "bn_apply") (param $mode i32) (param $x i32) (param $dy i32) (param $y i32) (param $N i32) (param $S i32) (param $stride i32)
    (param $a f64) (param $b f64) (param $m f64) (param $p f64)
    (local $n i32) (local $i i32) (local $end i32) (local $vend i32) (local $X v128) (local $r v128)
    (local $A v128) (local $B v128) (local $M v128) (local $P v128) (local $xs f64)
    (local.set $A (f64x2.splat (local.get $a)))
    (local.set $B (f64x2.splat (local.get $b)))
    (local.set $M (f64x2.splat (local.get $m)))
    (local.set $P (f64x2.splat (local.get $p)))
    (block $ndone (loop $nl
      (br_if $ndone (i32.ge_u (local.get $n) (local.get $N)))
      (local.set $i (i32.mul (local.get $n) (local.get $stride)))
      (local.set $end (i32.add (local.get $i) (i32.shl (local.get $S) (i32.const 2))))
      (local.set $vend (i32.add (local.get $i) (i32.shl (i32.and (local.get $S) (i32.const -2)) (i32.const 2))))
      (block $vdone (loop $vl
        (br_if $vdone (i32.ge_u (local.get $i) (local.get $vend)))
        (local.set $X (f64x2.promote_low_f32x4 (v128.load64_zero align=1 (i32.add (local.get $x) (local.get $i)))))
        (local.set $r
          (if (result v128) (i32.eqz (local.get $mode))
            (then (f64x2.add (f64x2.mul (local.get $X) (local.get $A)) (local.get $B)))
            (else (f64x2.mul (local.get $A)
              (f64x2.sub
                (f64x2.sub (f64x2.promote_low_f32x4 (v128.load64_zero align=1 (i32.add (local.get $dy) (local.get $i)))) (local.get $B))
                (f64x2.mul (f64x2.sub (local.get $X) (local.get $M)) (local.get $P)))))))
        (v128.store64_lane align=1 0 (i32.add (local.get $y) (local.get $i)) (f32x4.demote_f64x2_zero (local.get $r)))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br $vl)))
      (if (i32.lt_u (local.get $i) (local.get $end)) (then
        (local.set $xs (f64.promote_f32 (f32.load (i32.add (local.get $x) (local.get $i)))))
        (f32.store (i32.add (local.get $y) (local.get $i)) (f32.demote_f64
          (if (result f64) (i32.eqz (local.get $mode))
            (then (f64.add (f64.mul (local.get $xs) (local.get $a)) (local.get $b)))
            (else (f64.mul (local.get $a)
              (f64.sub
                (f64.sub (f64.promote_f32 (f32.load (i32.add (local.get $dy) (local.get $i)))) (local.get $b))
                (f64.mul (f64.sub (local.get $xs) (local.get $m)) (local.get $p))))))))))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $nl))))

  ;; momentum: one step of SGD with momentum over the $n floats of a parameter p, its velocity v
  ;; and gradient g, written to new tensors op and ov, as tfjs's MomentumOptimizer's ops compute
  ;; it (each product and sum rounded to float32, in this order):
  ;;   v' = m*v + g;  p' = c*v' + p, or with Nesterov p' = c*(g + v'*m) + p   (c = -lr)
  (func (export "momentum") (param $p i32) (param $v i32) (param $g i32) (param $op i32) (param $ov i32) (param $n i32)
    (param $c f32) (param $m f32) (param $nesterov i32)
    (local $i i32) (local $bytes i32) (local $vbytes i32)
    (local $C v128) (local $M v128) (local $G v128) (local $V v128) (local $gs f32) (local $vs f32)
    (local.set $C (f32x4.splat (local.get $c)))
    (local.set $M (f32x4.splat (local.get $m)))
    (local.set $bytes (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vbytes (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $vdone
      (br_if $vdone (i32.ge_u (local.get $i) (local.get $vbytes)))
      (loop $vl
        (local.set $G (v128.load align=1 (i32.add (local.get $g) (local.get $i))))
        (local.set $V (f32x4.add (f32x4.mul (local.get $M) (v128.load align=1 (i32.add (local.get $v) (local.get $i)))) (local.get $G)))
        (v128.store align=1 (i32.add (local.get $ov) (local.get $i)) (local.get $V))
        (v128.store align=1 (i32.add (local.get $op) (local.get $i))
          (f32x4.add
            (f32x4.mul (local.get $C)
              (select (f32x4.add (local.get $G) (f32x4.mul (local.get $V) (local.get $M))) (local.get $V) (local.get $nesterov)))
            (v128.load align=1 (i32.add (local.get $p) (local.get $i)))))
        (br_if $vl (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 16))) (local.get $vbytes)))))
    (block $done
      (br_if $done (i32.ge_u (local.get $i) (local.get $bytes)))
      (loop $sl
        (local.set $gs (f32.load (i32.add (local.get $g) (local.get $i))))
        (local.set $vs (f32.add (f32.mul (local.get $m) (f32.load (i32.add (local.get $v) (local.get $i)))) (local.get $gs)))
        (f32.store (i32.add (local.get $ov) (local.get $i)) (local.get $vs))
        (f32.store (i32.add (local.get $op) (local.get $i))
          (f32.add
            (f32.mul (local.get $c)
              (select (f32.add (local.get $gs) (f32.mul (local.get $vs) (local.get $m))) (local.get $vs) (local.get $nesterov)))
            (f32.load (i32.add (local.get $p) (local.get $i)))))
        (br_if $sl (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 4))) (local.get $bytes))))))

  ;; dx[at + lane] += v unless at is -1 (no maximum: the window held only NaN or -inf).
  (func $add_at (param $dx i32) (param $at i32) (param $lane i32) (param $v f32)
    (local $a i32)
    (if (i32.ge_s (local.get $at) (i32.const 0)) (then
      (local.set $a (i32.add (local.get $dx) (i32.add (local.get $at) (local.get $lane))))
      (f32.store (local.get $a) (f32.add (f32.load (local.get $a)) (local.get $v))))))

  ;; max_pool_grad: MaxPoolGrad, NHWC: x and dx [N, H, W, C], dy [N, OH, OW, C]; dx must hold
  ;; zeros. For every output (n, yr, yc, d), in that order, the first maximum of its window
  ;; (strict >, rows then columns, from -inf: NaN never wins) gets dy added, as pq's JS loop does;
  ;; four channels at a time, each lane its own window, so every cell sums in the same order.
  (func (export "max_pool_grad") (param $x i32) (param $dy i32) (param $dx i32)
    (param $N i32) (param $H i32) (param $W i32) (param $C i32) (param $OH i32) (param $OW i32)
    (param $KH i32) (param $KW i32) (param $sh i32) (param $sw i32) (param $pt i32) (param $pl i32)
    (local $b i32) (local $yr i32) (local $yc i32) (local $d i32) (local $r i32) (local $c i32)
    (local $rMin i32) (local $rMax i32) (local $cMin i32) (local $cMax i32)
    (local $img i32) (local $cb i32) (local $rowb i32) (local $vcb i32) (local $o i32) (local $off i32) (local $t i32)
    (local $best v128) (local $at v128) (local $xv v128) (local $gt v128) (local $dyv v128)
    (local $bs f32) (local $as i32) (local $xs f32)
    (local.set $cb (i32.shl (local.get $C) (i32.const 2)))
    (local.set $rowb (i32.mul (local.get $W) (local.get $cb)))
    (local.set $vcb (i32.shl (i32.and (local.get $C) (i32.const -4)) (i32.const 2)))
    (local.set $o (local.get $dy))
    (block $bdone (loop $bl
      (br_if $bdone (i32.ge_u (local.get $b) (local.get $N)))
      (local.set $img (i32.mul (i32.mul (local.get $b) (local.get $H)) (local.get $rowb)))
      (local.set $yr (i32.const 0))
      (block $yrdone (loop $yrl
        (br_if $yrdone (i32.ge_u (local.get $yr) (local.get $OH)))
        (local.set $t (i32.sub (i32.mul (local.get $yr) (local.get $sh)) (local.get $pt)))
        (local.set $rMin (select (local.get $t) (i32.const 0) (i32.gt_s (local.get $t) (i32.const 0))))
        (local.set $t (i32.add (local.get $t) (local.get $KH)))
        (local.set $rMax (select (local.get $t) (local.get $H) (i32.lt_s (local.get $t) (local.get $H))))
        (local.set $yc (i32.const 0))
        (block $ycdone (loop $ycl
          (br_if $ycdone (i32.ge_u (local.get $yc) (local.get $OW)))
          (local.set $t (i32.sub (i32.mul (local.get $yc) (local.get $sw)) (local.get $pl)))
          (local.set $cMin (select (local.get $t) (i32.const 0) (i32.gt_s (local.get $t) (i32.const 0))))
          (local.set $t (i32.add (local.get $t) (local.get $KW)))
          (local.set $cMax (select (local.get $t) (local.get $W) (i32.lt_s (local.get $t) (local.get $W))))
          ;; four channels at a time: the window's first maxima (as byte offsets, -1 for none) ...
          (local.set $d (i32.const 0))
          (block $vdone (loop $vl
            (br_if $vdone (i32.ge_u (local.get $d) (local.get $vcb)))
            (local.set $best (f32x4.splat (f32.const -inf)))
            (local.set $at (i32x4.splat (i32.const -1)))
            (local.set $r (local.get $rMin))
            (block $r1done (loop $r1l
              (br_if $r1done (i32.ge_s (local.get $r) (local.get $rMax)))
              (local.set $c (local.get $cMin))
              (block $c1done (loop $c1l
                (br_if $c1done (i32.ge_s (local.get $c) (local.get $cMax)))
                (local.set $off (i32.add (i32.add (local.get $img) (i32.mul (local.get $r) (local.get $rowb)))
                  (i32.add (i32.mul (local.get $c) (local.get $cb)) (local.get $d))))
                (local.set $xv (v128.load align=1 (i32.add (local.get $x) (local.get $off))))
                (local.set $gt (f32x4.gt (local.get $xv) (local.get $best)))
                (local.set $best (v128.bitselect (local.get $xv) (local.get $best) (local.get $gt)))
                (local.set $at (v128.bitselect (i32x4.splat (local.get $off)) (local.get $at) (local.get $gt)))
                (local.set $c (i32.add (local.get $c) (i32.const 1)))
                (br $c1l)))
              (local.set $r (i32.add (local.get $r) (i32.const 1)))
              (br $r1l)))
            ;; ... then dx += dy at each lane's maximum, one float at a time (lane l is channel d + l)
            (local.set $dyv (v128.load align=1 (i32.add (local.get $o) (local.get $d))))
            (call $add_at (local.get $dx) (i32x4.extract_lane 0 (local.get $at)) (i32.const 0) (f32x4.extract_lane 0 (local.get $dyv)))
            (call $add_at (local.get $dx) (i32x4.extract_lane 1 (local.get $at)) (i32.const 4) (f32x4.extract_lane 1 (local.get $dyv)))
            (call $add_at (local.get $dx) (i32x4.extract_lane 2 (local.get $at)) (i32.const 8) (f32x4.extract_lane 2 (local.get $dyv)))
            (call $add_at (local.get $dx) (i32x4.extract_lane 3 (local.get $at)) (i32.const 12) (f32x4.extract_lane 3 (local.get $dyv)))
            (local.set $d (i32.add (local.get $d) (i32.const 16)))
            (br $vl)))
          ;; the last C mod 4 channels one at a time
          (block $sdone (loop $sl
            (br_if $sdone (i32.ge_u (local.get $d) (local.get $cb)))
            (local.set $bs (f32.const -inf))
            (local.set $as (i32.const -1))
            (local.set $r (local.get $rMin))
            (block $r3done (loop $r3l
              (br_if $r3done (i32.ge_s (local.get $r) (local.get $rMax)))
              (local.set $c (local.get $cMin))
              (block $c3done (loop $c3l
                (br_if $c3done (i32.ge_s (local.get $c) (local.get $cMax)))
                (local.set $off (i32.add (i32.add (local.get $img) (i32.mul (local.get $r) (local.get $rowb)))
                  (i32.add (i32.mul (local.get $c) (local.get $cb)) (local.get $d))))
                (local.set $xs (f32.load (i32.add (local.get $x) (local.get $off))))
                (if (f32.gt (local.get $xs) (local.get $bs)) (then
                  (local.set $bs (local.get $xs))
                  (local.set $as (local.get $off))))
                (local.set $c (i32.add (local.get $c) (i32.const 1)))
                (br $c3l)))
              (local.set $r (i32.add (local.get $r) (i32.const 1)))
              (br $r3l)))
            (call $add_at (local.get $dx) (local.get $as) (i32.const 0) (f32.load (i32.add (local.get $o) (local.get $d))))
            (local.set $d (i32.add (local.get $d) (i32.const 4)))
            (br $sl)))
          (local.set $o (i32.add (local.get $o) (local.get $cb)))
          (local.set $yc (i32.add (local.get $yc) (i32.const 1)))
          (br $ycl)))
        (local.set $yr (i32.add (local.get $yr) (i32.const 1)))
        (br $yrl)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bl))))

  ;; relu_grad: out[i] = x[i] > 0 ? dy[i] : dy[i] * (x[i] is NaN ? x[i] : 0), tfjs's dy * step(x)
  ;; (NaN where x is NaN, and dy * 0 keeping the sign of zero) for the $n floats at x, dy.
  (func (export "relu_grad") (param $x i32) (param $dy i32) (param $out i32) (param $n i32)
    (local $i i32) (local $bytes i32) (local $vbytes i32) (local $X v128) (local $D v128) (local $xs f32) (local $ds f32)
    (local.set $bytes (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vbytes (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $vdone
      (br_if $vdone (i32.ge_u (local.get $i) (local.get $vbytes)))
      (loop $vl
        (local.set $X (v128.load align=1 (i32.add (local.get $x) (local.get $i))))
        (local.set $D (v128.load align=1 (i32.add (local.get $dy) (local.get $i))))
        (v128.store align=1 (i32.add (local.get $out) (local.get $i))
          (v128.bitselect (local.get $D)
            (f32x4.mul (local.get $D) (v128.and (local.get $X) (f32x4.ne (local.get $X) (local.get $X))))
            (f32x4.gt (local.get $X) (f32x4.splat (f32.const 0)))))
        (br_if $vl (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 16))) (local.get $vbytes)))))
    (block $done
      (br_if $done (i32.ge_u (local.get $i) (local.get $bytes)))
      (loop $sl
        (local.set $xs (f32.load (i32.add (local.get $x) (local.get $i))))
        (local.set $ds (f32.load (i32.add (local.get $dy) (local.get $i))))
        (f32.store (i32.add (local.get $out) (local.get $i))
          (select (local.get $ds)
            (f32.mul (local.get $ds) (select (local.get $xs) (f32.const 0) (f32.ne (local.get $xs) (local.get $xs))))
            (f32.gt (local.get $xs) (f32.const 0))))
        (br_if $sl (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 4))) (local.get $bytes))))))

  ;; hardtanh_grad: out[i] = x[i] <= lo or x[i] >= hi ? +0 : dy[i] (NaN in x passes dy) for the
  ;; $n floats at x, dy: PyTorch's hardtanh_backward, as pq's JS loop computes it.
  (func (export "hardtanh_grad") (param $x i32) (param $dy i32) (param $out i32) (param $n i32) (param $lo f32) (param $hi f32)
    (local $i i32) (local $bytes i32) (local $vbytes i32) (local $X v128) (local $L v128) (local $H v128) (local $xs f32)
    (local.set $bytes (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vbytes (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (local.set $L (f32x4.splat (local.get $lo)))
    (local.set $H (f32x4.splat (local.get $hi)))
    (block $vdone
      (br_if $vdone (i32.ge_u (local.get $i) (local.get $vbytes)))
      (loop $vl
        (local.set $X (v128.load align=1 (i32.add (local.get $x) (local.get $i))))
        (v128.store align=1 (i32.add (local.get $out) (local.get $i))
          (v128.andnot (v128.load align=1 (i32.add (local.get $dy) (local.get $i)))
            (v128.or (f32x4.le (local.get $X) (local.get $L)) (f32x4.ge (local.get $X) (local.get $H)))))
        (br_if $vl (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 16))) (local.get $vbytes)))))
    (block $done
      (br_if $done (i32.ge_u (local.get $i) (local.get $bytes)))
      (loop $sl
        (local.set $xs (f32.load (i32.add (local.get $x) (local.get $i))))
        (f32.store (i32.add (local.get $out) (local.get $i))
          (select (f32.const 0) (f32.load (i32.add (local.get $dy) (local.get $i)))
            (i32.or (f32.le (local.get $xs) (local.get $lo)) (f32.ge (local.get $xs) (local.get $hi)))))
        (br_if $sl (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 4))) (local.get $bytes))))))

    ;; dw: a depthwise convolution's three products, channels last, channel multiplier 1:
  ;; input x [N, H, W, C], output y [N, OH, OW, C], filter k [KH, KW, C], and for every
  ;; n, oh, ow, kh, kw with ih = oh*sh - pt + kh*dh in [0, H) and iw = ow*sw - pl + kw*dw in [0, W),
  ;; over the C channels:
  ;;   mode 0 (filter gradient, x and dy given):  k[kh, kw]     += x[n, ih, iw] * y[n, oh, ow]
  ;;   mode 1 (input gradient, dy and k given):   x[n, ih, iw]  += y[n, oh, ow] * k[kh, kw]
  ;;   mode 2 (forward, x and k given):           y[n, oh, ow]  += x[n, ih, iw] * k[kh, kw]
  ;; The accumulated tensor must hold zeros (or a bias) on entry.
  (func (export "dw") (param $mode i32) (param $x i32) (param $y i32) (param $k i32)
    (param $N i32) (param $H i32) (param $W i32) (param $C i32) (param $OH i32) (param $OW i32)
    (param $KH i32) (param $KW i32) (param $sh i32) (param $sw i32) (param $dh i32) (param $dw i32)
    (param $pt i32) (param $pl i32)
    (local $n i32) (local $oh i32) (local $ow i32) (local $kh i32) (local $kw i32)
    (local $ih i32) (local $iw i32) (local $px i32) (local $py i32) (local $pk i32) (local $cb i32)
    (local.set $cb (i32.shl (local.get $C) (i32.const 2)))
    (local.set $py (local.get $y))
    (local.set $n (i32.const 0))
    (block $ndone (loop $nl
      (br_if $ndone (i32.ge_u (local.get $n) (local.get $N)))
      (local.set $oh (i32.const 0))
      (block $ohdone (loop $ohl
        (br_if $ohdone (i32.ge_u (local.get $oh) (local.get $OH)))
        (local.set $kh (i32.const 0))
        (block $khdone (loop $khl
          (br_if $khdone (i32.ge_u (local.get $kh) (local.get $KH)))
          (local.set $ih (i32.add (i32.sub (i32.mul (local.get $oh) (local.get $sh)) (local.get $pt)) (i32.mul (local.get $kh) (local.get $dh))))
          ;; unsigned compare: a negative ih is out of range too
          (if (i32.lt_u (local.get $ih) (local.get $H)) (then
            (local.set $ow (i32.const 0))
            (block $owdone (loop $owl
              (br_if $owdone (i32.ge_u (local.get $ow) (local.get $OW)))
              ;; y's row for (n, oh, ow)
              (local.set $py (i32.add (local.get $y)
                (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (local.get $OH)) (local.get $oh)) (local.get $OW)) (local.get $ow)) (local.get $cb))))
              (local.set $kw (i32.const 0))
              (block $kwdone (loop $kwl
                (br_if $kwdone (i32.ge_u (local.get $kw) (local.get $KW)))
                (local.set $iw (i32.add (i32.sub (i32.mul (local.get $ow) (local.get $sw)) (local.get $pl)) (i32.mul (local.get $kw) (local.get $dw))))
                (if (i32.lt_u (local.get $iw) (local.get $W)) (then
                  (local.set $px (i32.add (local.get $x)
                    (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (local.get $H)) (local.get $ih)) (local.get $W)) (local.get $iw)) (local.get $cb))))
                  (local.set $pk (i32.add (local.get $k) (i32.mul (i32.add (i32.mul (local.get $kh) (local.get $KW)) (local.get $kw)) (local.get $cb))))
                  (if (i32.eqz (local.get $mode))
                    (then (call $mac (local.get $pk) (local.get $px) (local.get $py) (local.get $C)))
                    (else (if (i32.eq (local.get $mode) (i32.const 1))
                      (then (call $mac (local.get $px) (local.get $py) (local.get $pk) (local.get $C)))
                      (else (call $mac (local.get $py) (local.get $px) (local.get $pk) (local.get $C))))))))
                (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
                (br $kwl)))
              (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
              (br $owl)))))
          (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
          (br $khl)))
        (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
        (br $ohl)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $nl))))

  ;; transpose: out[b, j, i] = in[b, i, j] for b < batch, i < rows, j < cols (4-byte elements;
  ;; the NCHW <-> NHWC transposes around every convolution are this with rows = C, cols = H·W or
  ;; the reverse). 4x4 blocks go through SIMD shuffles, a strip of 16 rows at a time (column by
  ;; column of blocks), so that each output row gets a whole 64-byte cache line at once even when
  ;; rows are a power of two bytes apart (cache-set conflicts); the edges move one element at a
  ;; time.
  (func (export "transpose") (param $out i32) (param $in i32) (param $batch i32) (param $rows i32) (param $cols i32)
    (local $i0 i32) (local $iend i32) (local $i i32) (local $j i32) (local $r4 i32) (local $c4 i32) (local $rb i32) (local $cb i32)
    (local $p i32) (local $q i32)
    (local $a v128) (local $b v128) (local $c v128) (local $d v128) (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $r4 (i32.and (local.get $rows) (i32.const -4)))
    (local.set $c4 (i32.and (local.get $cols) (i32.const -4)))
    (local.set $rb (i32.shl (local.get $rows) (i32.const 2)))
    (local.set $cb (i32.shl (local.get $cols) (i32.const 2)))
    (block $bdone (loop $bl
      (br_if $bdone (i32.eqz (local.get $batch)))
      ;; strips [i0, iend) of up to 8 rows, within the first rows - rows % 4
      (local.set $i0 (i32.const 0))
      (block $sdone (loop $sl
        (br_if $sdone (i32.ge_u (local.get $i0) (local.get $r4)))
        (local.set $iend (select (local.get $r4) (i32.add (local.get $i0) (i32.const 16)) (i32.lt_u (local.get $r4) (i32.add (local.get $i0) (i32.const 16)))))
        (local.set $j (i32.const 0))
        (block $jdone (loop $jl
          (br_if $jdone (i32.ge_u (local.get $j) (local.get $c4)))
          (local.set $i (local.get $i0))
          (loop $il
            (local.set $p (i32.add (local.get $in) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $cols)) (local.get $j)) (i32.const 2))))
            (local.set $a (v128.load align=1 (local.get $p)))
            (local.set $b (v128.load align=1 (local.tee $p (i32.add (local.get $p) (local.get $cb)))))
            (local.set $c (v128.load align=1 (local.tee $p (i32.add (local.get $p) (local.get $cb)))))
            (local.set $d (v128.load align=1 (i32.add (local.get $p) (local.get $cb))))
            (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a) (local.get $b)))
            (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a) (local.get $b)))
            (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $c) (local.get $d)))
            (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $c) (local.get $d)))
            (local.set $q (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $rows)) (local.get $i)) (i32.const 2))))
            (v128.store align=1 (local.get $q) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
            (v128.store align=1 (local.tee $q (i32.add (local.get $q) (local.get $rb)))
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
            (v128.store align=1 (local.tee $q (i32.add (local.get $q) (local.get $rb)))
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
            (v128.store align=1 (i32.add (local.get $q) (local.get $rb))
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
            (br_if $il (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 4))) (local.get $iend))))
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br $jl)))
        ;; the strip's last cols % 4 columns
        (block $tdone (loop $tl
          (br_if $tdone (i32.ge_u (local.get $j) (local.get $cols)))
          (local.set $i (local.get $i0))
          (loop $kl
            (i32.store
              (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $rows)) (local.get $i)) (i32.const 2)))
              (i32.load (i32.add (local.get $in) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $cols)) (local.get $j)) (i32.const 2)))))
            (br_if $kl (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $iend))))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $tl)))
        (local.set $i0 (local.get $iend))
        (br $sl)))
      ;; the last rows % 4 rows
      (local.set $i (local.get $r4))
      (block $rdone (loop $rl
        (br_if $rdone (i32.ge_u (local.get $i) (local.get $rows)))
        (local.set $j (i32.const 0))
        (block $cdone (loop $cl
          (br_if $cdone (i32.ge_u (local.get $j) (local.get $cols)))
          (i32.store
            (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $rows)) (local.get $i)) (i32.const 2)))
            (i32.load (i32.add (local.get $in) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $cols)) (local.get $j)) (i32.const 2)))))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $cl)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rl)))
      (local.set $in (i32.add (local.get $in) (i32.mul (local.get $rows) (local.get $cb))))
      (local.set $out (i32.add (local.get $out) (i32.mul (local.get $rows) (local.get $cb))))
      (local.set $batch (i32.sub (local.get $batch) (i32.const 1)))
      (br $bl))))

  ;; permute: out[i0, i1, i2, i3] = in[i0·s0 + i1·s1 + i2·s2 + i3·s3] over the out dims d0..d3,
  ;; with s the input's byte strides of the axes in output order (4-byte elements): any transpose
  ;; of rank <= 4 once adjacent axes are merged, or a strided view (a slice), written in order,
  ;; one element at a time, or a run at a time where the innermost axis is contiguous (s3 = 4)
  ;; and at least 16 long (a memory.copy costs a call into the engine: tens of ns).
  (func (export "permute") (param $out i32) (param $in i32)
    (param $d0 i32) (param $d1 i32) (param $d2 i32) (param $d3 i32)
    (param $s0 i32) (param $s1 i32) (param $s2 i32) (param $s3 i32)
    (local $i0 i32) (local $i1 i32) (local $i2 i32) (local $i3 i32) (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p i32)
    (block $d0done (loop $l0
      (br_if $d0done (i32.ge_u (local.get $i0) (local.get $d0)))
      (local.set $p0 (i32.add (local.get $in) (i32.mul (local.get $i0) (local.get $s0))))
      (local.set $i1 (i32.const 0))
      (block $d1done (loop $l1
        (br_if $d1done (i32.ge_u (local.get $i1) (local.get $d1)))
        (local.set $p1 (i32.add (local.get $p0) (i32.mul (local.get $i1) (local.get $s1))))
        (local.set $i2 (i32.const 0))
        (block $d2done (loop $l2
          (br_if $d2done (i32.ge_u (local.get $i2) (local.get $d2)))
          (local.set $p2 (i32.add (local.get $p1) (i32.mul (local.get $i2) (local.get $s2))))
          (local.set $p (local.get $p2))
          (local.set $i3 (local.get $d3))
          (if (i32.and (i32.eq (local.get $s3) (i32.const 4)) (i32.ge_u (local.get $d3) (i32.const 16))) (then
            (memory.copy (local.get $out) (local.get $p) (i32.shl (local.get $d3) (i32.const 2)))
            (local.set $out (i32.add (local.get $out) (i32.shl (local.get $d3) (i32.const 2))))
            (local.set $i3 (i32.const 0))))
          (block $d3done (loop $l3
            (br_if $d3done (i32.eqz (local.get $i3)))
            (i32.store (local.get $out) (i32.load (local.get $p)))
            (local.set $out (i32.add (local.get $out) (i32.const 4)))
            (local.set $p (i32.add (local.get $p) (local.get $s3)))
            (local.set $i3 (i32.sub (local.get $i3) (i32.const 1)))
            (br $l3)))
          (local.set $i2 (i32.add (local.get $i2) (i32.const 1)))
          (br $l2)))
        (local.set $i1 (i32.add (local.get $i1) (i32.const 1)))
        (br $l1)))
      (local.set $i0 (i32.add (local.get $i0) (i32.const 1)))
      (br $l0))))

  ;; place: out[i0·t0 + i1·t1 + i2·t2 + i3·t3] = in[i0, i1, i2, i3] over the in dims d0..d3, with
  ;; t the output's byte strides (4-byte elements): permute's mirror, which writes a dense tensor
  ;; into a strided view (the interior of a padded one), a run at a time as permute does.
  (func (export "place") (param $out i32) (param $in i32)
    (param $d0 i32) (param $d1 i32) (param $d2 i32) (param $d3 i32)
    (param $t0 i32) (param $t1 i32) (param $t2 i32) (param $t3 i32)
    (local $i0 i32) (local $i1 i32) (local $i2 i32) (local $i3 i32) (local $q0 i32) (local $q1 i32) (local $q i32)
    (block $d0done (loop $l0
      (br_if $d0done (i32.ge_u (local.get $i0) (local.get $d0)))
      (local.set $q0 (i32.add (local.get $out) (i32.mul (local.get $i0) (local.get $t0))))
      (local.set $i1 (i32.const 0))
      (block $d1done (loop $l1
        (br_if $d1done (i32.ge_u (local.get $i1) (local.get $d1)))
        (local.set $q1 (i32.add (local.get $q0) (i32.mul (local.get $i1) (local.get $t1))))
        (local.set $i2 (i32.const 0))
        (block $d2done (loop $l2
          (br_if $d2done (i32.ge_u (local.get $i2) (local.get $d2)))
          (local.set $q (i32.add (local.get $q1) (i32.mul (local.get $i2) (local.get $t2))))
          (local.set $i3 (local.get $d3))
          (if (i32.and (i32.eq (local.get $t3) (i32.const 4)) (i32.ge_u (local.get $d3) (i32.const 16))) (then
            (memory.copy (local.get $q) (local.get $in) (i32.shl (local.get $d3) (i32.const 2)))
            (local.set $in (i32.add (local.get $in) (i32.shl (local.get $d3) (i32.const 2))))
            (local.set $i3 (i32.const 0))))
          (block $d3done (loop $l3
            (br_if $d3done (i32.eqz (local.get $i3)))
            (i32.store (local.get $q) (i32.load (local.get $in)))
            (local.set $in (i32.add (local.get $in) (i32.const 4)))
            (local.set $q (i32.add (local.get $q) (local.get $t3)))
            (local.set $i3 (i32.sub (local.get $i3) (i32.const 1)))
            (br $l3)))
          (local.set $i2 (i32.add (local.get $i2) (i32.const 1)))
          (br $l2)))
        (local.set $i1 (i32.add (local.get $i1) (i32.const 1)))
        (br $l1)))
      (local.set $i0 (i32.add (local.get $i0) (i32.const 1)))
      (br $l0))))

  ;; swap: out[c, b, a] = in[a, b, c] for a < A, b < B, c < C (4-byte elements): the outer and
  ;; inner axes exchanged, the middle one kept, as in a conv weight's layout change [Co, Ci, kh·kw]
  ;; <-> [kh·kw, Ci, Co], whose short inner run (9 taps) the permute kernel would gather an
  ;; element at a time. 4x4 blocks of (a, c) for each b go through SIMD shuffles; a dim that is
  ;; no multiple of 4 ends with a block overlapping the one before (the same values written
  ;; twice), so A and C must be at least 4. Strips of 16 a's by 16 c's are walked b by b: every
  ;; input row in[a, b, c0..] and output row out[c, b, a0..] is then streamed in order, a cache
  ;; line at a time (16 floats) where the dim allows.
  (func (export "swap") (param $out i32) (param $in i32) (param $A i32) (param $B i32) (param $C i32)
    (local $a0 i32) (local $aend i32) (local $c0 i32) (local $cend i32) (local $b i32) (local $a i32) (local $c i32)
    (local $sa i32) (local $sc i32) (local $inb i32) (local $outb i32) (local $p i32) (local $q i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128) (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    ;; byte strides of a in the input and of c in the output
    (local.set $sa (i32.shl (i32.mul (local.get $B) (local.get $C)) (i32.const 2)))
    (local.set $sc (i32.shl (i32.mul (local.get $B) (local.get $A)) (i32.const 2)))
    (block $adone (loop $al
      (br_if $adone (i32.ge_u (local.get $a0) (local.get $A)))
      (local.set $aend (select (local.get $A) (i32.add (local.get $a0) (i32.const 16)) (i32.lt_u (local.get $A) (i32.add (local.get $a0) (i32.const 16)))))
      (local.set $c0 (i32.const 0))
      (block $cdone (loop $cl
        (br_if $cdone (i32.ge_u (local.get $c0) (local.get $C)))
        (local.set $cend (select (local.get $C) (i32.add (local.get $c0) (i32.const 16)) (i32.lt_u (local.get $C) (i32.add (local.get $c0) (i32.const 16)))))
        (local.set $b (i32.const 0))
        (block $bdone (loop $bl
          (br_if $bdone (i32.ge_u (local.get $b) (local.get $B)))
          (local.set $inb (i32.add (local.get $in) (i32.shl (i32.mul (local.get $b) (local.get $C)) (i32.const 2))))
          (local.set $outb (i32.add (local.get $out) (i32.shl (i32.mul (local.get $b) (local.get $A)) (i32.const 2))))
          (local.set $c (local.get $c0))
          (loop $cbl
            (local.set $a (local.get $a0))
            (loop $abl
              ;; the block at (min(a, A-4), min(c, C-4))
              (local.set $p (i32.add (local.get $inb) (i32.add
                (i32.mul (select (local.get $a) (i32.sub (local.get $A) (i32.const 4)) (i32.le_u (local.get $a) (i32.sub (local.get $A) (i32.const 4)))) (local.get $sa))
                (i32.shl (select (local.get $c) (i32.sub (local.get $C) (i32.const 4)) (i32.le_u (local.get $c) (i32.sub (local.get $C) (i32.const 4)))) (i32.const 2)))))
              (local.set $q (i32.add (local.get $outb) (i32.add
                (i32.shl (select (local.get $a) (i32.sub (local.get $A) (i32.const 4)) (i32.le_u (local.get $a) (i32.sub (local.get $A) (i32.const 4)))) (i32.const 2))
                (i32.mul (select (local.get $c) (i32.sub (local.get $C) (i32.const 4)) (i32.le_u (local.get $c) (i32.sub (local.get $C) (i32.const 4)))) (local.get $sc)))))
              (local.set $r0 (v128.load align=1 (local.get $p)))
              (local.set $r1 (v128.load align=1 (local.tee $p (i32.add (local.get $p) (local.get $sa)))))
              (local.set $r2 (v128.load align=1 (local.tee $p (i32.add (local.get $p) (local.get $sa)))))
              (local.set $r3 (v128.load align=1 (i32.add (local.get $p) (local.get $sa))))
              (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
              (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
              (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
              (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
              (v128.store align=1 (local.get $q) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
              (v128.store align=1 (local.tee $q (i32.add (local.get $q) (local.get $sc)))
                (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
              (v128.store align=1 (local.tee $q (i32.add (local.get $q) (local.get $sc)))
                (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
              (v128.store align=1 (i32.add (local.get $q) (local.get $sc))
                (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
              (br_if $abl (i32.lt_u (local.tee $a (i32.add (local.get $a) (i32.const 4))) (local.get $aend))))
            (br_if $cbl (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 4))) (local.get $cend))))
          (local.set $b (i32.add (local.get $b) (i32.const 1)))
          (br $bl)))
        (local.set $c0 (local.get $cend))
        (br $cl)))
      (local.set $a0 (local.get $aend))
      (br $al))))

    ;; im2col_t: the filter gradient's patch matrix, transposed: for x channel-major [C, N, H, W]
  ;; (batch images n0 <= n < n0 + nc), out[(kh, kw, c), (n - n0, oh, ow)] = x[c, n, ih, iw] with
  ;; ih = oh*sh - pt + kh*dh and iw = ow*sw - pl + kw*dw, or 0 where (ih, iw) is padding. Then
  ;; dW [kh·kw·C, Co] = out · dy [n·OH·OW, Co], one plain matrix product.
  (func (export "im2col_t") (param $out i32) (param $x i32)
    (param $C i32) (param $N i32) (param $H i32) (param $W i32) (param $n0 i32) (param $nc i32) (param $OH i32) (param $OW i32)
    (param $KH i32) (param $KW i32) (param $sh i32) (param $sw i32) (param $dh i32) (param $dw i32) (param $pt i32) (param $pl i32)
    (local $kh i32) (local $kw i32) (local $c i32) (local $n i32) (local $oh i32) (local $ow i32) (local $ih i32) (local $iw i32) (local $row i32)
    (local.set $kh (i32.const 0))
    (block $khd (loop $khl
      (br_if $khd (i32.ge_u (local.get $kh) (local.get $KH)))
      (local.set $kw (i32.const 0))
      (block $kwd (loop $kwl
        (br_if $kwd (i32.ge_u (local.get $kw) (local.get $KW)))
        (local.set $c (i32.const 0))
        (block $cd (loop $cl
          (br_if $cd (i32.ge_u (local.get $c) (local.get $C)))
          (local.set $n (local.get $n0))
          (block $nd (loop $nl
            (br_if $nd (i32.ge_u (local.get $n) (i32.add (local.get $n0) (local.get $nc))))
            (local.set $oh (i32.const 0))
            (block $ohd (loop $ohl
              (br_if $ohd (i32.ge_u (local.get $oh) (local.get $OH)))
              (local.set $ih (i32.add (i32.sub (i32.mul (local.get $oh) (local.get $sh)) (local.get $pt)) (i32.mul (local.get $kh) (local.get $dh))))
              (if (i32.lt_u (local.get $ih) (local.get $H))
                (then
                  ;; x's row (c, n, ih)
                  (local.set $row (i32.add (local.get $x)
                    (i32.shl (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $c) (local.get $N)) (local.get $n)) (local.get $H)) (local.get $ih)) (local.get $W)) (i32.const 2))))
                  (local.set $iw (i32.sub (i32.mul (local.get $kw) (local.get $dw)) (local.get $pl)))
                  (local.set $ow (local.get $OW))
                  (block $owd (loop $owl
                    (br_if $owd (i32.eqz (local.get $ow)))
                    (i32.store (local.get $out)
                      (if (result i32) (i32.lt_u (local.get $iw) (local.get $W))
                        (then (i32.load (i32.add (local.get $row) (i32.shl (local.get $iw) (i32.const 2)))))
                        (else (i32.const 0))))
                    (local.set $out (i32.add (local.get $out) (i32.const 4)))
                    (local.set $iw (i32.add (local.get $iw) (local.get $sw)))
                    (local.set $ow (i32.sub (local.get $ow) (i32.const 1)))
                    (br $owl))))
                (else
                  (memory.fill (local.get $out) (i32.const 0) (i32.shl (local.get $OW) (i32.const 2)))
                  (local.set $out (i32.add (local.get $out) (i32.shl (local.get $OW) (i32.const 2))))))
              (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
              (br $ohl)))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))
            (br $nl)))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br $cl)))
        (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
        (br $kwl)))
      (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
      (br $khl))))

  ;; Fake quantization and its straight-through gradient, @pq/core's arithmetic (simd.wat) on
  ;; tensors in place in the heap: q = nearest(clamp(x * s, lo, hi)), out = q / d. pmax/pmin and
  ;; the scalar selects are `a < b ? b : a` / `b < a ? b : a`, keeping NaN and -0 as core's JS
  ;; loops do; f32.nearest is round-half-to-even keeping the sign of zero.
  ;; fq: out[i] = nearest(clamp(x[i] * s, lo, hi)) / d for the $n floats at x (out may be x).
  (func (export "fq") (param $x i32) (param $out i32) (param $n i32) (param $s f32) (param $d f32) (param $lo f32) (param $hi f32)
    (local $i i32) (local $bytes i32) (local $vbytes i32) (local $v f32)
    (local $S v128) (local $D v128) (local $LO v128) (local $HI v128)
    (local.set $S (f32x4.splat (local.get $s)))
    (local.set $D (f32x4.splat (local.get $d)))
    (local.set $LO (f32x4.splat (local.get $lo)))
    (local.set $HI (f32x4.splat (local.get $hi)))
    (local.set $bytes (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vbytes (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $vdone
      (br_if $vdone (i32.ge_u (local.get $i) (local.get $vbytes)))
      (loop $vl
        (v128.store align=1 (i32.add (local.get $out) (local.get $i))
          (f32x4.div
            (f32x4.nearest
              (f32x4.pmin
                (f32x4.pmax (f32x4.mul (v128.load align=1 (i32.add (local.get $x) (local.get $i))) (local.get $S)) (local.get $LO))
                (local.get $HI)))
            (local.get $D)))
        (br_if $vl (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 16))) (local.get $vbytes)))))
    (block $done
      (br_if $done (i32.ge_u (local.get $i) (local.get $bytes)))
      (loop $sl
        (local.set $v (f32.mul (f32.load (i32.add (local.get $x) (local.get $i))) (local.get $s)))
        (local.set $v (select (local.get $lo) (local.get $v) (f32.lt (local.get $v) (local.get $lo))))
        (local.set $v (select (local.get $hi) (local.get $v) (f32.lt (local.get $hi) (local.get $v))))
        (f32.store (i32.add (local.get $out) (local.get $i)) (f32.div (f32.nearest (local.get $v)) (local.get $d)))
        (br_if $sl (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 4))) (local.get $bytes))))))

  ;; fqv: fq with per-element scales, s[i] and d[i] at byte offsets $s and $d.
  (func (export "fqv") (param $x i32) (param $out i32) (param $n i32) (param $s i32) (param $d i32) (param $lo f32) (param $hi f32)
    (local $i i32) (local $bytes i32) (local $vbytes i32) (local $v f32) (local $LO v128) (local $HI v128)
    (local.set $LO (f32x4.splat (local.get $lo)))
    (local.set $HI (f32x4.splat (local.get $hi)))
    (local.set $bytes (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vbytes (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $vdone
      (br_if $vdone (i32.ge_u (local.get $i) (local.get $vbytes)))
      (loop $vl
        (v128.store align=1 (i32.add (local.get $out) (local.get $i))
          (f32x4.div
            (f32x4.nearest
              (f32x4.pmin
                (f32x4.pmax
                  (f32x4.mul (v128.load align=1 (i32.add (local.get $x) (local.get $i))) (v128.load align=1 (i32.add (local.get $s) (local.get $i))))
                  (local.get $LO))
                (local.get $HI)))
            (v128.load align=1 (i32.add (local.get $d) (local.get $i)))))
        (br_if $vl (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 16))) (local.get $vbytes)))))
    (block $done
      (br_if $done (i32.ge_u (local.get $i) (local.get $bytes)))
      (loop $sl
        (local.set $v (f32.mul (f32.load (i32.add (local.get $x) (local.get $i))) (f32.load (i32.add (local.get $s) (local.get $i)))))
        (local.set $v (select (local.get $lo) (local.get $v) (f32.lt (local.get $v) (local.get $lo))))
        (local.set $v (select (local.get $hi) (local.get $v) (f32.lt (local.get $hi) (local.get $v))))
        (f32.store (i32.add (local.get $out) (local.get $i))
          (f32.div (f32.nearest (local.get $v)) (f32.load (i32.add (local.get $d) (local.get $i)))))
        (br_if $sl (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 4))) (local.get $bytes))))))

  ;; ste: out[i] = |x[i]| <= m ? dy[i] : +0 (NaN x gives 0), for the $n floats at x, dy, out.
  (func (export "ste") (param $x i32) (param $dy i32) (param $out i32) (param $n i32) (param $m f32)
    (local $i i32) (local $bytes i32) (local $vbytes i32) (local $M v128)
    (local.set $M (f32x4.splat (local.get $m)))
    (local.set $bytes (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vbytes (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $vdone
      (br_if $vdone (i32.ge_u (local.get $i) (local.get $vbytes)))
      (loop $vl
        (v128.store align=1 (i32.add (local.get $out) (local.get $i))
          (v128.and (v128.load align=1 (i32.add (local.get $dy) (local.get $i)))
            (f32x4.le (f32x4.abs (v128.load align=1 (i32.add (local.get $x) (local.get $i)))) (local.get $M))))
        (br_if $vl (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 16))) (local.get $vbytes)))))
    (block $done
      (br_if $done (i32.ge_u (local.get $i) (local.get $bytes)))
      (loop $sl
        (f32.store (i32.add (local.get $out) (local.get $i))
          (select (f32.load (i32.add (local.get $dy) (local.get $i))) (f32.const 0)
            (f32.le (f32.abs (f32.load (i32.add (local.get $x) (local.get $i)))) (local.get $m))))
        (br_if $sl (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 4))) (local.get $bytes))))))

  ;; stev: ste with a per-element bound m[i] at byte offset $m.
  (func (export "stev") (param $x i32) (param $dy i32) (param $out i32) (param $n i32) (param $m i32)
    (local $i i32) (local $bytes i32) (local $vbytes i32)
    (local.set $bytes (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vbytes (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $vdone
      (br_if $vdone (i32.ge_u (local.get $i) (local.get $vbytes)))
      (loop $vl
        (v128.store align=1 (i32.add (local.get $out) (local.get $i))
          (v128.and (v128.load align=1 (i32.add (local.get $dy) (local.get $i)))
            (f32x4.le (f32x4.abs (v128.load align=1 (i32.add (local.get $x) (local.get $i))))
              (v128.load align=1 (i32.add (local.get $m) (local.get $i))))))
        (br_if $vl (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 16))) (local.get $vbytes)))))
    (block $done
      (br_if $done (i32.ge_u (local.get $i) (local.get $bytes)))
      (loop $sl
        (f32.store (i32.add (local.get $out) (local.get $i))
          (select (f32.load (i32.add (local.get $dy) (local.get $i))) (f32.const 0)
            (f32.le (f32.abs (f32.load (i32.add (local.get $x) (local.get $i)))) (f32.load (i32.add (local.get $m) (local.get $i))))))
        (br_if $sl (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 4))) (local.get $bytes))))))

  ;; any_neg: 1 when one of the $n floats at x is < 0 (-0 and NaN are not), else 0.
  (func (export "any_neg") (param $x i32) (param $n i32) (result i32)
    (local $i i32) (local $bytes i32) (local $vbytes i32) (local $acc v128)
    (local.set $bytes (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vbytes (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $vdone
      (br_if $vdone (i32.ge_u (local.get $i) (local.get $vbytes)))
      (loop $vl
        (local.set $acc (v128.or (local.get $acc)
          (f32x4.lt (v128.load align=1 (i32.add (local.get $x) (local.get $i))) (v128.const f32x4 0 0 0 0))))
        (br_if $vl (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 16))) (local.get $vbytes)))))
    (if (v128.any_true (local.get $acc)) (then (return (i32.const 1))))
    (block $done
      (br_if $done (i32.ge_u (local.get $i) (local.get $bytes)))
      (loop $sl
        (if (f32.lt (f32.load (i32.add (local.get $x) (local.get $i))) (f32.const 0)) (then (return (i32.const 1))))
        (br_if $sl (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 4))) (local.get $bytes)))))
    (i32.const 0))
)
