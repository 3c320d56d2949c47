;; The WebAssembly SIMD module behind @pq/core's hot loops. `pnpm --filter @pq/core run build:wasm`
;; compiles it (wabt) into simd-wasm.ts, which is committed so that tests and browser builds need
;; no build step; a test checks that the shipped bytes are this file's compilation.
;;
;; WASM's f32x4 ops are exactly the reference's float32 semantics: f32x4.mul and f32x4.div round
;; to float32, f32x4.nearest is round-half-to-even keeping -0, and pmax/pmin (`a < b ? b : a`,
;; `b < a ? b : a`) clamp like the JS loops, keeping NaN and -0.
;;
;; Every function works in place over the float32s in [ptr, end), end - ptr a multiple of 16
;; bytes. Memory (16 pages = 1 MiB) holds regions of SIMD_CHUNK = 65536 floats: the data at 0,
;; per-element quantizing scales at QS = 262144 (bytes), per-element output scales at DS = 524288.
;; The loads and stores say align=1 because the data are float32s, aligned to 4 bytes only.
(module
  (memory (export "m") 16)

  ;; f: x = nearest(clamp(x * s, lo, hi)) / d
  (func (export "f") (param $ptr i32) (param $end i32) (param $s f32) (param $d f32) (param $lo f32) (param $hi f32)
    (local $S v128) (local $D v128) (local $LO v128) (local $HI v128)
    (local.set $S (f32x4.splat (local.get $s)))
    (local.set $D (f32x4.splat (local.get $d)))
    (local.set $LO (f32x4.splat (local.get $lo)))
    (local.set $HI (f32x4.splat (local.get $hi)))
    (block $done
      (br_if $done (i32.ge_u (local.get $ptr) (local.get $end)))
      (loop $next
        (v128.store align=1 (local.get $ptr)
          (f32x4.div
            (f32x4.nearest
              (f32x4.pmin
                (f32x4.pmax (f32x4.mul (v128.load align=1 (local.get $ptr)) (local.get $S)) (local.get $LO))
                (local.get $HI)))
            (local.get $D)))
        (br_if $next (i32.lt_u (local.tee $ptr (i32.add (local.get $ptr) (i32.const 16))) (local.get $end))))))

  ;; q: x = nearest(clamp(x * s, lo, hi)); d is unused (same signature as f)
  (func (export "q") (param $ptr i32) (param $end i32) (param $s f32) (param $d f32) (param $lo f32) (param $hi f32)
    (local $S v128) (local $D v128) (local $LO v128) (local $HI v128)
    (local.set $S (f32x4.splat (local.get $s)))
    (local.set $D (f32x4.splat (local.get $d)))
    (local.set $LO (f32x4.splat (local.get $lo)))
    (local.set $HI (f32x4.splat (local.get $hi)))
    (block $done
      (br_if $done (i32.ge_u (local.get $ptr) (local.get $end)))
      (loop $next
        (v128.store align=1 (local.get $ptr)
          (f32x4.nearest
            (f32x4.pmin
              (f32x4.pmax (f32x4.mul (v128.load align=1 (local.get $ptr)) (local.get $S)) (local.get $LO))
              (local.get $HI))))
        (br_if $next (i32.lt_u (local.tee $ptr (i32.add (local.get $ptr) (i32.const 16))) (local.get $end))))))

  ;; a: max |x|, NaN if any x is NaN. Two independent chains per step: a pmax for the maximum
  ;; and an OR of `v != v` for NaN, so that a NaN anywhere returns NaN, as the JS loop does.
  (func (export "a") (param $ptr i32) (param $end i32) (result f32)
    (local $acc v128) (local $nan v128) (local $v v128)
    (block $done
      (br_if $done (i32.ge_u (local.get $ptr) (local.get $end)))
      (loop $next
        (local.set $v (f32x4.abs (v128.load align=1 (local.get $ptr))))
        (local.set $acc (f32x4.pmax (local.get $acc) (local.get $v)))
        (local.set $nan (v128.or (local.get $nan) (f32x4.ne (local.get $v) (local.get $v))))
        (br_if $next (i32.lt_u (local.tee $ptr (i32.add (local.get $ptr) (i32.const 16))) (local.get $end)))))
    (if (v128.any_true (local.get $nan)) (then (return (f32.const nan))))
    (f32.max
      (f32.max
        (f32.max (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
        (f32x4.extract_lane 2 (local.get $acc)))
      (f32x4.extract_lane 3 (local.get $acc))))

  ;; fv: like f, with per-element scales s at ptr + QS and d at ptr + DS
  (func (export "fv") (param $ptr i32) (param $end i32) (param $lo f32) (param $hi f32)
    (local $LO v128) (local $HI v128)
    (local.set $LO (f32x4.splat (local.get $lo)))
    (local.set $HI (f32x4.splat (local.get $hi)))
    (block $done
      (br_if $done (i32.ge_u (local.get $ptr) (local.get $end)))
      (loop $next
        (v128.store align=1 (local.get $ptr)
          (f32x4.div
            (f32x4.nearest
              (f32x4.pmin
                (f32x4.pmax
                  (f32x4.mul (v128.load align=1 (local.get $ptr)) (v128.load offset=262144 align=1 (local.get $ptr)))
                  (local.get $LO))
                (local.get $HI)))
            (v128.load offset=524288 align=1 (local.get $ptr))))
        (br_if $next (i32.lt_u (local.tee $ptr (i32.add (local.get $ptr) (i32.const 16))) (local.get $end))))))

  ;; qv: like q, with per-element scales s at ptr + QS
  (func (export "qv") (param $ptr i32) (param $end i32) (param $lo f32) (param $hi f32)
    (local $LO v128) (local $HI v128)
    (local.set $LO (f32x4.splat (local.get $lo)))
    (local.set $HI (f32x4.splat (local.get $hi)))
    (block $done
      (br_if $done (i32.ge_u (local.get $ptr) (local.get $end)))
      (loop $next
        (v128.store align=1 (local.get $ptr)
          (f32x4.nearest
            (f32x4.pmin
              (f32x4.pmax
                (f32x4.mul (v128.load align=1 (local.get $ptr)) (v128.load offset=262144 align=1 (local.get $ptr)))
                (local.get $LO))
              (local.get $HI))))
        (br_if $next (i32.lt_u (local.tee $ptr (i32.add (local.get $ptr) (i32.const 16))) (local.get $end)))))))
