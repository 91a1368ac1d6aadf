/*
 * Tensor kernels for tfjs on Node: convolution forward and both of its gradients, and matrix
 * products, computed on memory that tfjs owns (its wasm heap), in place, with no copies.
 *
 * Every kernel is a GEMM. The matrix product runs in onnxruntime (its MLAS sgemm, near the
 * CPU's peak on every core), through a one-node Gemm session per (transA, transB, threads) with
 * free dimensions, so a handful of sessions serve every shape. Its inputs and output are
 * OrtValues over the caller's buffers: Run writes the product straight into tfjs' tensor.
 *
 * Convolutions are NHWC with tfjs' filter layout [kh, kw, Ci, Co], which read as a matrix is
 * W [K = kh·kw·Ci, Co]. With P = N·outH·outW output pixels and cols [P, K] the im2col of x:
 *   forward          y [P, Co]  = cols · W
 *   backprop input   dcols      = dy · Wᵀ,  then col2im adds each row into its dx window
 *   backprop filter  dW [K, Co] = colsᵀ · dy
 * A 1×1, stride-1, unpadded conv skips im2col (cols = x). Large problems go in chunks of
 * output pixels, so the im2col buffer stays below CHUNK_FLOATS.
 *
 * A sparse x (a one-hot label map: SPADE's shared MLP, the discriminators' first conv) skips the
 * GEMM in the forward and the filter gradient: each nonzero x[q, c] adds its value times filter
 * row (tap, c) into the outputs its window reaches, which is kh·kw·Co work per nonzero instead of
 * kh·kw·Ci·Co per pixel (150× less on ADE20K's labels).
 *
 * The calls are synchronous (tfjs kernels are): onnxruntime's own thread pool does the work
 * while the JS thread waits.
 */
#include "ort_api.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_FLOATS (8u << 20) /* 32 MiB of im2col per chunk */

/* ---- a one-node ONNX model, written by hand (protobuf wire format) -------------------------- */

typedef struct {
  uint8_t *p;
  size_t n, cap;
} Buf;

static void put_raw(Buf *b, const void *data, size_t len) {
  if (b->n + len > b->cap) {
    b->cap = (b->n + len) * 2 + 64;
    b->p = realloc(b->p, b->cap);
  }
  memcpy(b->p + b->n, data, len);
  b->n += len;
}
static void put_varint(Buf *b, uint64_t v) {
  uint8_t t[10];
  size_t n = 0;
  do {
    t[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
    v >>= 7;
  } while (v);
  put_raw(b, t, n);
}
static void put_int(Buf *b, unsigned field, uint64_t v) {
  put_varint(b, (uint64_t)field << 3);
  put_varint(b, v);
}
static void put_bytes(Buf *b, unsigned field, const void *data, size_t len) {
  put_varint(b, ((uint64_t)field << 3) | 2);
  put_varint(b, len);
  put_raw(b, data, len);
}
static void put_str(Buf *b, unsigned field, const char *s) { put_bytes(b, field, s, strlen(s)); }
/* Appends `inner` as a sub-message and frees it. */
static void put_msg(Buf *b, unsigned field, Buf *inner) {
  put_bytes(b, field, inner->p, inner->n);
  free(inner->p);
  *inner = (Buf){0};
}

/* ValueInfoProto: a float32 matrix whose two dimensions are free. */
static void value_info(Buf *graph, unsigned field, const char *name) {
  Buf vi = {0}, type = {0}, tensor = {0}, shape = {0}, dim = {0};
  for (int d = 0; d < 2; d++) {
    char param[16];
    snprintf(param, sizeof param, "%s%d", name, d);
    put_str(&dim, 2, param); /* dim_param */
    put_msg(&shape, 1, &dim);
  }
  put_int(&tensor, 1, 1); /* elem_type FLOAT */
  put_msg(&tensor, 2, &shape);
  put_msg(&type, 1, &tensor); /* TypeProto.tensor_type */
  put_str(&vi, 1, name);
  put_msg(&vi, 2, &type);
  put_msg(graph, field, &vi);
}

/* ModelProto of Y = op(A) · op(B) (Gemm, opset 13). Caller frees .p. */
static Buf gemm_model(int trans_a, int trans_b) {
  Buf model = {0}, opset = {0}, graph = {0}, node = {0}, attr = {0};
  put_str(&node, 1, "A");
  put_str(&node, 1, "B");
  put_str(&node, 2, "Y");
  put_str(&node, 4, "Gemm");
  const char *names[2] = {"transA", "transB"};
  const int values[2] = {trans_a, trans_b};
  for (int i = 0; i < 2; i++) {
    put_str(&attr, 1, names[i]);
    put_int(&attr, 3, (uint64_t)values[i]); /* i */
    put_int(&attr, 20, 2);                  /* type INT */
    put_msg(&node, 5, &attr);
  }
  put_msg(&graph, 1, &node);
  put_str(&graph, 2, "gemm");
  value_info(&graph, 11, "A");
  value_info(&graph, 11, "B");
  value_info(&graph, 12, "Y");
  put_int(&model, 1, 8); /* ir_version */
  put_str(&opset, 1, "");
  put_int(&opset, 2, 13);
  put_msg(&model, 8, &opset);
  put_msg(&model, 7, &graph);
  return model;
}

/* ---- cached Gemm sessions ------------------------------------------------------------------- */

#define MAX_THREADS 64
static OrtSession *gemm_sessions[2][2][MAX_THREADS + 1];

static OrtStatus *gemm_session(int ta, int tb, int threads, OrtSession **out) {
  if (threads < 1) threads = 1;
  if (threads > MAX_THREADS) threads = MAX_THREADS;
  if ((*out = gemm_sessions[ta][tb][threads])) return NULL;
  OrtSessionOptions *so = NULL;
  Buf model = gemm_model(ta, tb);
  OrtStatus *s = FN(CreateSessionOptions, OrtStatus *, OrtSessionOptions **)(&so);
  if (!s) s = FN(SetSessionGraphOptimizationLevel, OrtStatus *, OrtSessionOptions *, int)(so, 99);
  if (!s) s = FN(SetSessionExecutionMode, OrtStatus *, OrtSessionOptions *, int)(so, 0);
  if (!s) s = FN(SetIntraOpNumThreads, OrtStatus *, OrtSessionOptions *, int)(so, threads);
  if (!s) s = FN(SetInterOpNumThreads, OrtStatus *, OrtSessionOptions *, int)(so, 1);
  /*
   * No spin-waiting between GEMMs: tfjs' own kernels run on the JS thread in between, and a
   * pool thread spinning on the other core slowed a 2-thread training step below 1 thread's.
   */
  if (!s) s = FN(AddSessionConfigEntry, OrtStatus *, OrtSessionOptions *, const char *, const char *)(so, "session.intra_op.allow_spinning", "0");
  if (!s)
    s = FN(CreateSessionFromArray, OrtStatus *, const OrtEnv *, const void *, size_t, const OrtSessionOptions *, OrtSession **)(
        env, model.p, model.n, so, out);
  if (so) FN(ReleaseSessionOptions, void, OrtSessionOptions *)(so);
  free(model.p);
  if (!s) gemm_sessions[ta][tb][threads] = *out;
  return s;
}

static OrtStatus *matrix(float *data, int64_t rows, int64_t cols, OrtValue **v) {
  int64_t d[2] = {rows, cols};
  return FN(CreateTensorWithDataAsOrtValue, OrtStatus *, const OrtMemoryInfo *, void *, size_t, const int64_t *, size_t, int, OrtValue **)(
      cpu_info, data, (size_t)(rows * cols) * sizeof(float), d, 2, ORT_FLOAT, v);
}

/*
 * C [M, N] = op(A) · op(B), written into C. A is [M, K] (or [K, M] with ta), B is [K, N] (or
 * [N, K] with tb); row-major.
 */
static OrtStatus *gemm(const float *a, const float *b, float *c, int64_t m, int64_t k, int64_t n, int ta, int tb, int threads) {
  OrtSession *session;
  OrtStatus *s = gemm_session(ta, tb, threads, &session);
  if (s) return s;
  if (m == 0 || n == 0) return NULL;
  if (k == 0) {
    memset(c, 0, (size_t)(m * n) * sizeof(float));
    return NULL;
  }
  OrtValue *va = NULL, *vb = NULL, *vc = NULL;
  s = ta ? matrix((float *)a, k, m, &va) : matrix((float *)a, m, k, &va);
  if (!s) s = tb ? matrix((float *)b, n, k, &vb) : matrix((float *)b, k, n, &vb);
  if (!s) s = matrix(c, m, n, &vc);
  if (!s) {
    const char *in_names[2] = {"A", "B"}, *out_names[1] = {"Y"};
    const OrtValue *ins[2] = {va, vb};
    s = FN(Run, OrtStatus *, OrtSession *, const void *, const char *const *, const OrtValue *const *, size_t, const char *const *, size_t, OrtValue **)(
        session, NULL, in_names, ins, 2, out_names, 1, &vc);
  }
  if (va) FN(ReleaseValue, void, OrtValue *)(va);
  if (vb) FN(ReleaseValue, void, OrtValue *)(vb);
  if (vc) FN(ReleaseValue, void, OrtValue *)(vc);
  return s;
}

/* ---- convolution geometry, im2col and col2im ------------------------------------------------ */

/* NHWC conv geometry, as tfjs' computeConv2DInfo gives it (dilation 1). */
typedef struct {
  int64_t n, h, w, ci, kh, kw, co, oh, ow, sh, sw, pt, pl;
  int64_t chunk_floats; /* im2col floats per chunk; 0 = CHUNK_FLOATS (tests lower it) */
} Geom;

static int64_t geom_k(const Geom *g) { return g->kh * g->kw * g->ci; }
static int64_t geom_p(const Geom *g) { return g->n * g->oh * g->ow; }
static int pointwise(const Geom *g) { return g->kh == 1 && g->kw == 1 && g->sh == 1 && g->sw == 1 && g->pt == 0 && g->pl == 0 && g->oh == g->h && g->ow == g->w; }
/* Output pixels per chunk: cols [rows, K] stays below CHUNK_FLOATS. */
static int64_t chunk_rows(const Geom *g) {
  int64_t r = (g->chunk_floats ? g->chunk_floats : (int64_t)CHUNK_FLOATS) / (geom_k(g) + 1);
  return r < 1 ? 1 : r;
}

/*
 * cols[p - p0, lead + (ky·kw + kx)·Ci + c] = x[b, oy·sh − pt + ky, ox·sw − pl + kx, c] (0 outside
 * x). With lead = 1 each row starts with a 1, which meets the bias row of the filter: the GEMM
 * then adds the bias first, as the wasm backend (XNNPACK) and PyTorch's convolutions do. Adding
 * it after the sum rounds differently, which a batch norm over 2×2 pixels amplifies.
 */
static void im2col(const Geom *g, const float *x, float *cols, int64_t p0, int64_t p1, int64_t lead) {
  const int64_t k = geom_k(g) + lead, ci = g->ci, run = g->kw * ci;
  for (int64_t p = p0; p < p1; p++) {
    const int64_t b = p / (g->oh * g->ow), r = p % (g->oh * g->ow), oy = r / g->ow, ox = r % g->ow;
    float *row = cols + (p - p0) * k;
    if (lead) *row++ = 1.0f;
    const int64_t x0 = ox * g->sw - g->pl;
    for (int64_t ky = 0; ky < g->kh; ky++) {
      const int64_t iy = oy * g->sh - g->pt + ky;
      float *dst = row + ky * run;
      if (iy < 0 || iy >= g->h) {
        memset(dst, 0, (size_t)run * sizeof(float));
        continue;
      }
      const float *src = x + ((b * g->h + iy) * g->w) * ci;
      if (x0 >= 0 && x0 + g->kw <= g->w) { /* the whole window row is inside: one copy */
        memcpy(dst, src + x0 * ci, (size_t)run * sizeof(float));
        continue;
      }
      for (int64_t kx = 0; kx < g->kw; kx++) {
        const int64_t ix = x0 + kx;
        if (ix < 0 || ix >= g->w) memset(dst + kx * ci, 0, (size_t)ci * sizeof(float));
        else memcpy(dst + kx * ci, src + ix * ci, (size_t)ci * sizeof(float));
      }
    }
  }
}

/* The adjoint of im2col: dx[window of p] += dcols[p − p0] for p in [p0, p1). */
SIMD_CLONES static void col2im(const Geom *g, const float *dcols, float *dx, int64_t p0, int64_t p1) {
  const int64_t k = geom_k(g), ci = g->ci;
  for (int64_t p = p0; p < p1; p++) {
    const int64_t b = p / (g->oh * g->ow), r = p % (g->oh * g->ow), oy = r / g->ow, ox = r % g->ow;
    const float *row = dcols + (p - p0) * k;
    for (int64_t ky = 0; ky < g->kh; ky++) {
      const int64_t iy = oy * g->sh - g->pt + ky;
      if (iy < 0 || iy >= g->h) continue;
      for (int64_t kx = 0; kx < g->kw; kx++) {
        const int64_t ix = ox * g->sw - g->pl + kx;
        if (ix < 0 || ix >= g->w) continue;
        float *dst = dx + ((b * g->h + iy) * g->w + ix) * ci;
        const float *src = row + (ky * g->kw + kx) * ci;
        for (int64_t c = 0; c < ci; c++) dst[c] += src[c];
      }
    }
  }
}

/* ---- the three convolution kernels ---------------------------------------------------------- */

/*
 * Scratch buffers that live as long as the process and only grow. A fresh 32 MiB malloc per call
 * is a fresh mmap, and first-touching its pages cost more than the GEMM itself (measured: 90 ms
 * against 8 ms). The kernels run on the JS thread only, one at a time.
 */
static float *scratch[4];
static size_t scratch_floats[4];

static float *scratch_buffer(int which, size_t floats) {
  if (floats > scratch_floats[which]) {
    free(scratch[which]);
    scratch[which] = malloc(floats * sizeof(float));
    scratch_floats[which] = scratch[which] ? floats : 0;
  }
  return scratch[which];
}

static OrtStatus *no_memory(void) { return FN(CreateStatus, OrtStatus *, int, const char *)(ORT_INVALID_ARGUMENT, "clade_ort: out of memory for im2col"); }

/* ---- sparse inputs --------------------------------------------------------------------------- */

/* x's nonzeros, pixel by pixel: pixel q holds entries [start[q], start[q + 1]). */
typedef struct {
  int32_t c;
  float v;
} Entry;
typedef struct {
  const int64_t *start;
  const Entry *entries;
} Sparse;

/*
 * x as a Sparse when at most 1 in SPARSE_DENSITY of its values is nonzero; 0 otherwise (the count
 * stops there, so a dense x costs a read of a small part of it). The sparse kernels do about
 * three vector operations per nonzero and filter row where the GEMM does one per value, and run on
 * one thread: 1/16 leaves the GEMM every case it wins.
 */
#define SPARSE_DENSITY 16
static int sparse_of(const Geom *g, const float *x, Sparse *out) {
  const int64_t pixels = g->n * g->h * g->w, ci = g->ci, limit = pixels * ci / SPARSE_DENSITY;
  if (ci < SPARSE_DENSITY) return 0;
  int64_t nnz = 0;
  for (int64_t i = 0; i < pixels * ci; i++)
    if (x[i] != 0.0f && ++nnz > limit) return 0;
  int64_t *start = (int64_t *)scratch_buffer(2, (size_t)(pixels + 1) * 2);
  Entry *entries = (Entry *)scratch_buffer(3, (size_t)(nnz + 1) * 2);
  if (!start || !entries) return 0;
  nnz = 0;
  for (int64_t q = 0; q < pixels; q++) {
    start[q] = nnz;
    const float *row = x + q * ci;
    for (int64_t c = 0; c < ci; c++)
      if (row[c] != 0.0f) entries[nnz++] = (Entry){(int32_t)c, row[c]};
  }
  start[pixels] = nnz;
  out->start = start;
  out->entries = entries;
  return 1;
}

/* dst[0..n) += v · src[0..n) */
SIMD_CLONES static void axpy(float *dst, const float *src, float v, int64_t n) {
  for (int64_t i = 0; i < n; i++) dst[i] += v * src[i];
}

/*
 * For every output pixel p and every tap of its window that lands on x pixel q, and every
 * nonzero x[q, c]: forward y[p] += x[q, c] · w[tap, c]; backprop filter dw[tap, c] += x[q, c] · dy[p].
 * Zeros contribute nothing, so the sums equal the dense ones but for rounding order (and a
 * zero times an infinite weight, which the dense product makes NaN).
 */
static void sparse_conv(const Geom *g, const Sparse *x, const float *w, const float *bias, float *y, const float *dy, float *dw) {
  const int64_t co = g->co, ci = g->ci, p = geom_p(g);
  if (dw) memset(dw, 0, (size_t)(geom_k(g) * co) * sizeof(float));
  for (int64_t i = 0; i < p; i++) {
    const int64_t b = i / (g->oh * g->ow), r = i % (g->oh * g->ow), oy = r / g->ow, ox = r % g->ow;
    float *yrow = y ? y + i * co : NULL;
    const float *dyrow = dy ? dy + i * co : NULL;
    if (yrow) {
      if (bias) memcpy(yrow, bias, (size_t)co * sizeof(float));
      else memset(yrow, 0, (size_t)co * sizeof(float));
    }
    for (int64_t ky = 0; ky < g->kh; ky++) {
      const int64_t iy = oy * g->sh - g->pt + ky;
      if (iy < 0 || iy >= g->h) continue;
      for (int64_t kx = 0; kx < g->kw; kx++) {
        const int64_t ix = ox * g->sw - g->pl + kx, q = (b * g->h + iy) * g->w + ix;
        if (ix < 0 || ix >= g->w) continue;
        const int64_t tap = (ky * g->kw + kx) * ci;
        for (int64_t e = x->start[q]; e < x->start[q + 1]; e++) {
          const Entry en = x->entries[e];
          if (yrow) axpy(yrow, w + (tap + en.c) * co, en.v, co);
          else axpy(dw + (tap + en.c) * co, dyrow, en.v, co);
        }
      }
    }
  }
}

/* y = conv(x, w) (+ bias, added first: see im2col). */
static OrtStatus *conv_forward(const Geom *g, const float *x, const float *w, const float *bias, float *y, int threads) {
  const int64_t lead = bias ? 1 : 0, k = geom_k(g) + lead, p = geom_p(g), co = g->co;
  if (pointwise(g) && !bias) return gemm(x, w, y, p, k, co, 0, 0, threads);
  Sparse sx;
  if (sparse_of(g, x, &sx)) return sparse_conv(g, &sx, w, bias, y, NULL, NULL), NULL;
  const int64_t rows = chunk_rows(g);
  float *cols = scratch_buffer(0, (size_t)((rows < p ? rows : p) * k));
  float *wb = bias ? scratch_buffer(1, (size_t)(k * co)) : NULL;
  if (!cols || (bias && !wb)) return no_memory();
  if (bias) { /* [bias; w]: the filter with the bias as its first row */
    memcpy(wb, bias, (size_t)co * sizeof(float));
    memcpy(wb + co, w, (size_t)((k - 1) * co) * sizeof(float));
  }
  OrtStatus *s = NULL;
  for (int64_t p0 = 0; p0 < p && !s; p0 += rows) {
    const int64_t p1 = p0 + rows < p ? p0 + rows : p;
    im2col(g, x, cols, p0, p1, lead);
    s = gemm(cols, bias ? wb : w, y + p0 * co, p1 - p0, k, co, 0, 0, threads);
  }
  return s;
}

static OrtStatus *conv_backprop_input(const Geom *g, const float *dy, const float *w, float *dx, int threads) {
  const int64_t k = geom_k(g), p = geom_p(g);
  if (pointwise(g)) return gemm(dy, w, dx, p, g->co, k, 0, 1, threads);
  memset(dx, 0, (size_t)(g->n * g->h * g->w * g->ci) * sizeof(float));
  const int64_t rows = chunk_rows(g);
  float *dcols = scratch_buffer(0, (size_t)((rows < p ? rows : p) * k));
  if (!dcols) return no_memory();
  OrtStatus *s = NULL;
  for (int64_t p0 = 0; p0 < p && !s; p0 += rows) {
    const int64_t p1 = p0 + rows < p ? p0 + rows : p;
    s = gemm(dy + p0 * g->co, w, dcols, p1 - p0, g->co, k, 0, 1, threads);
    if (!s) col2im(g, dcols, dx, p0, p1);
  }
  return s;
}

static OrtStatus *conv_backprop_filter(const Geom *g, const float *x, const float *dy, float *dw, int threads) {
  const int64_t k = geom_k(g), p = geom_p(g), co = g->co;
  if (pointwise(g)) return gemm(x, dy, dw, k, p, co, 1, 0, threads);
  Sparse sx;
  if (sparse_of(g, x, &sx)) return sparse_conv(g, &sx, NULL, NULL, NULL, dy, dw), NULL;
  const int64_t rows = chunk_rows(g);
  const int chunked = rows < p;
  float *cols = scratch_buffer(0, (size_t)((chunked ? rows : p) * k));
  float *part = chunked ? scratch_buffer(1, (size_t)(k * co)) : NULL;
  if (!cols || (chunked && !part)) return no_memory();
  OrtStatus *s = NULL;
  for (int64_t p0 = 0; p0 < p && !s; p0 += rows) {
    const int64_t p1 = p0 + rows < p ? p0 + rows : p;
    im2col(g, x, cols, p0, p1, 0);
    s = gemm(cols, dy + p0 * co, p0 == 0 ? dw : part, k, p1 - p0, co, 1, 0, threads);
    if (!s && p0 > 0)
      for (int64_t i = 0; i < k * co; i++) dw[i] += part[i];
  }
  return s;
}

/* ---- reductions over leading axes ----------------------------------------------------------- */

/*
 * out[a, b] = Σ_r x[a, r, b] (÷ red for a mean), x viewed as [pre, red, post]: a channels-last
 * tensor's per-channel statistics over its pixels. tfjs' wasm Sum/Mean first transpose the
 * reduced axes last (a full copy). Accumulated in double, as PyTorch's CPU batch norm does.
 */
static OrtStatus *reduce_rows(const float *x, float *out, int64_t pre, int64_t red, int64_t post, int mean) {
  double *acc = (double *)scratch_buffer(1, (size_t)(post * 2));
  if (!acc && post) return no_memory();
  for (int64_t a = 0; a < pre; a++) {
    const float *xa = x + a * red * post;
    for (int64_t b = 0; b < post; b++) acc[b] = 0;
    for (int64_t r = 0; r < red; r++) {
      const float *row = xa + r * post;
      for (int64_t b = 0; b < post; b++) acc[b] += row[b];
    }
    for (int64_t b = 0; b < post; b++) out[a * post + b] = (float)(mean ? acc[b] / (double)red : acc[b]);
  }
  return NULL;
}

/* ---- Node-API glue -------------------------------------------------------------------------- */

static int throw_type(napi_env e, const char *msg) {
  napi_throw_type_error(e, NULL, msg);
  return 0;
}

/* A Float32Array argument of at least `need` elements. */
static float *f32_arg(napi_env e, napi_value v, size_t need, const char *what) {
  napi_typedarray_type type;
  size_t len;
  void *data;
  char msg[160];
  if (napi_get_typedarray_info(e, v, &type, &len, &data, NULL, NULL) != napi_ok || type != napi_float32_array) {
    snprintf(msg, sizeof msg, "clade_ort: %s must be a Float32Array", what);
    throw_type(e, msg);
    return NULL;
  }
  if (len < need) {
    snprintf(msg, sizeof msg, "clade_ort: %s holds %zu floats, fewer than the %zu its shape needs", what, len, need);
    throw_type(e, msg);
    return NULL;
  }
  return (float *)data;
}

/* An Int32Array of `count` non-negative integers. */
static int ints_arg(napi_env e, napi_value v, int64_t *out, size_t count, const char *what) {
  napi_typedarray_type type;
  size_t len;
  void *data;
  char msg[160];
  if (napi_get_typedarray_info(e, v, &type, &len, &data, NULL, NULL) != napi_ok || type != napi_int32_array || len != count) {
    snprintf(msg, sizeof msg, "clade_ort: %s must be an Int32Array of %zu integers", what, count);
    return throw_type(e, msg);
  }
  for (size_t i = 0; i < count; i++) {
    if (((int32_t *)data)[i] < 0) {
      snprintf(msg, sizeof msg, "clade_ort: %s[%zu] must be >= 0, got %d", what, i, ((int32_t *)data)[i]);
      return throw_type(e, msg);
    }
    out[i] = ((int32_t *)data)[i];
  }
  return 1;
}

static int ready(napi_env e) {
  if (api) return 1;
  napi_throw_error(e, NULL, "clade_ort: init() first");
  return 0;
}

/* gemm(a, b, c, dims Int32Array [m, k, n, transA, transB, threads]) */
static napi_value js_gemm(napi_env e, napi_callback_info info) {
  napi_value argv[4];
  size_t argc = 4;
  int64_t d[6];
  if (napi_get_cb_info(e, info, &argc, argv, NULL, NULL) != napi_ok || argc < 4) return throw_type(e, "clade_ort.gemm: 4 arguments expected"), NULL;
  if (!ready(e) || !ints_arg(e, argv[3], d, 6, "gemm dims")) return NULL;
  const float *a = f32_arg(e, argv[0], (size_t)(d[0] * d[1]), "gemm's a");
  const float *b = a ? f32_arg(e, argv[1], (size_t)(d[1] * d[2]), "gemm's b") : NULL;
  float *c = b ? f32_arg(e, argv[2], (size_t)(d[0] * d[2]), "gemm's c") : NULL;
  if (!c) return NULL;
  thrown(e, gemm(a, b, c, d[0], d[1], d[2], d[3] != 0, d[4] != 0, (int)d[5]));
  return NULL;
}

enum { CONV_FORWARD, CONV_BACKPROP_INPUT, CONV_BACKPROP_FILTER };

/*
 * conv2d(kind, a, b, out, geom Int32Array [n, h, w, ci, kh, kw, co, oh, ow, sh, sw, pt, pl, threads, chunkFloats], bias?)
 *   kind 0 forward:         a = x,  b = filter, out = y (+ bias [co], optional)
 *   kind 1 backprop input:  a = dy, b = filter, out = dx
 *   kind 2 backprop filter: a = x,  b = dy,     out = dfilter
 */
static napi_value js_conv2d(napi_env e, napi_callback_info info) {
  napi_value argv[6];
  size_t argc = 6;
  int32_t kind;
  int64_t d[15];
  if (napi_get_cb_info(e, info, &argc, argv, NULL, NULL) != napi_ok || argc < 5) return throw_type(e, "clade_ort.conv2d: 5 arguments expected"), NULL;
  if (!ready(e)) return NULL;
  if (napi_get_value_int32(e, argv[0], &kind) != napi_ok || kind < 0 || kind > 2) return throw_type(e, "clade_ort.conv2d: kind must be 0, 1 or 2"), NULL;
  if (!ints_arg(e, argv[4], d, 15, "conv2d geometry")) return NULL;
  const Geom g = {d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11], d[12], d[14]};
  if (g.sh < 1 || g.sw < 1) return throw_type(e, "clade_ort.conv2d: strides must be >= 1"), NULL;
  const size_t xs = (size_t)(g.n * g.h * g.w * g.ci), ws = (size_t)(geom_k(&g) * g.co), ys = (size_t)(geom_p(&g) * g.co);
  const size_t need[3][3] = {{xs, ws, ys}, {ys, ws, xs}, {xs, ys, ws}};
  const char *names[3][3] = {{"x", "filter", "y"}, {"dy", "filter", "dx"}, {"x", "dy", "dfilter"}};
  float *t[3];
  for (int i = 0; i < 3; i++)
    if (!(t[i] = f32_arg(e, argv[1 + i], need[kind][i], names[kind][i]))) return NULL;
  const int threads = (int)d[13];
  napi_valuetype bias_type = napi_undefined;
  if (argc > 5) napi_typeof(e, argv[5], &bias_type);
  const float *bias = NULL;
  if (bias_type != napi_undefined && bias_type != napi_null) {
    if (kind != CONV_FORWARD) return throw_type(e, "clade_ort.conv2d: a bias goes with kind 0 (forward) only"), NULL;
    if (!(bias = f32_arg(e, argv[5], (size_t)g.co, "bias"))) return NULL;
  }
  OrtStatus *s = kind == CONV_FORWARD ? conv_forward(&g, t[0], t[1], bias, t[2], threads)
               : kind == CONV_BACKPROP_INPUT ? conv_backprop_input(&g, t[0], t[1], t[2], threads)
                                             : conv_backprop_filter(&g, t[0], t[1], t[2], threads);
  thrown(e, s);
  return NULL;
}

/* reduceRows(x, out, dims Int32Array [pre, red, post, mean]) */
static napi_value js_reduce_rows(napi_env e, napi_callback_info info) {
  napi_value argv[3];
  size_t argc = 3;
  int64_t d[4];
  if (napi_get_cb_info(e, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3) return throw_type(e, "clade_ort.reduceRows: 3 arguments expected"), NULL;
  if (!ready(e) || !ints_arg(e, argv[2], d, 4, "reduceRows dims")) return NULL;
  const float *x = f32_arg(e, argv[0], (size_t)(d[0] * d[1] * d[2]), "reduceRows' x");
  float *out = x ? f32_arg(e, argv[1], (size_t)(d[0] * d[2]), "reduceRows' out") : NULL;
  if (!out) return NULL;
  thrown(e, reduce_rows(x, out, d[0], d[1], d[2], d[3] != 0));
  return NULL;
}

void register_tensor_kernels(napi_env e, napi_value exports) {
  napi_property_descriptor props[] = {
      {"reduceRows", NULL, js_reduce_rows, NULL, NULL, NULL, napi_default, NULL},
      {"gemm", NULL, js_gemm, NULL, NULL, NULL, napi_default, NULL},
      {"conv2d", NULL, js_conv2d, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(e, exports, sizeof props / sizeof props[0], props);
}
