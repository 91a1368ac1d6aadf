/*
 * clade_ort: a small Node-API binding of onnxruntime's C API whose sessions know clade's fused
 * CLADE modulation (custom ops in the domain 'ai.clade').
 *
 * Why it exists: onnxruntime-node cannot register custom ops (its binding exposes no session
 * option for them), and CLADE's guided sampling + modulation written in standard ONNX is two
 * Gathers, a Mul and an Add: four passes over the activation and two dense [N,h,w,C] maps. The op
 * here reads x and the class id once per pixel and writes the result once.
 *
 * No onnxruntime headers are needed: libonnxruntime is dlopen'ed (the copy onnxruntime-node ships)
 * and its OrtApi table is called by slot. OrtApi is append-only, so these slot numbers hold for
 * every ORT >= 1.17. Only Node's own node_api.h is included.
 *
 *   CladeModulate(x f32 [N,h,w,C], label i32 [N,h,w], gamma f32 [K,C], beta f32 [K,C]) -> f32 [N,h,w,C]
 *     y = x * gamma[label] + beta[label]
 *   CladeModulateScaled(x, label, gamma, beta, sg f32 [N,h,w,1], sb f32 [N,h,w,1])   (CLADE-ICPE)
 *     y = x * (gamma[label] * sg) + beta[label] * sb
 * Rounding equals the composed ops (one multiply, then one add; built with -ffp-contract=off).
 */
#include "ort_api.h"
#include <dlfcn.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


OrtApiTable api;
static const char *ort_version;
OrtEnv *env;
OrtMemoryInfo *cpu_info;
static OrtAllocator *allocator;

/* Every OrtApi call below returns an OrtStatus* (NULL = ok) unless noted. */
static OrtStatus *st_dims(const OrtValue *v, int64_t *dims, size_t *rank, int *type) {
  OrtTensorTypeAndShapeInfo *info;
  OrtStatus *s = FN(GetTensorTypeAndShape, OrtStatus *, const OrtValue *, OrtTensorTypeAndShapeInfo **)(v, &info);
  if (s) return s;
  s = FN(GetDimensionsCount, OrtStatus *, const OrtTensorTypeAndShapeInfo *, size_t *)(info, rank);
  if (!s && *rank > 8) *rank = 8;
  if (!s) s = FN(GetDimensions, OrtStatus *, const OrtTensorTypeAndShapeInfo *, int64_t *, size_t)(info, dims, *rank);
  if (!s && type) s = FN(GetTensorElementType, OrtStatus *, const OrtTensorTypeAndShapeInfo *, int *)(info, type);
  FN(ReleaseTensorTypeAndShapeInfo, void, OrtTensorTypeAndShapeInfo *)(info);
  return s;
}

static OrtStatus *invalid(const char *msg) { return FN(CreateStatus, OrtStatus *, int, const char *)(ORT_INVALID_ARGUMENT, msg); }

/* ---- the custom ops ------------------------------------------------------------------------ */

/* The layout below is onnxruntime's struct OrtCustomOp (version 17 fields; later fields unread). */
typedef struct OrtCustomOp {
  uint32_t version;
  void *(*CreateKernel)(const struct OrtCustomOp *, OrtApiTable, const OrtKernelInfo *);
  const char *(*GetName)(const struct OrtCustomOp *);
  const char *(*GetExecutionProviderType)(const struct OrtCustomOp *);
  int (*GetInputType)(const struct OrtCustomOp *, size_t);
  size_t (*GetInputTypeCount)(const struct OrtCustomOp *);
  int (*GetOutputType)(const struct OrtCustomOp *, size_t);
  size_t (*GetOutputTypeCount)(const struct OrtCustomOp *);
  void (*KernelCompute)(void *, OrtKernelContext *);
  void (*KernelDestroy)(void *);
  int (*GetInputCharacteristic)(const struct OrtCustomOp *, size_t);
  int (*GetOutputCharacteristic)(const struct OrtCustomOp *, size_t);
  int (*GetInputMemoryType)(const struct OrtCustomOp *, size_t);
  int (*GetVariadicInputMinArity)(const struct OrtCustomOp *);
  int (*GetVariadicInputHomogeneity)(const struct OrtCustomOp *);
  int (*GetVariadicOutputMinArity)(const struct OrtCustomOp *);
  int (*GetVariadicOutputHomogeneity)(const struct OrtCustomOp *);
  OrtStatus *(*CreateKernelV2)(const struct OrtCustomOp *, OrtApiTable, const OrtKernelInfo *, void **);
  OrtStatus *(*KernelComputeV2)(void *, OrtKernelContext *);
  OrtStatus *(*InferOutputShapeFn)(const struct OrtCustomOp *, OrtShapeInferContext *);
  int (*GetStartVersion)(const struct OrtCustomOp *);
  int (*GetEndVersion)(const struct OrtCustomOp *);
  void *reserved[4]; /* GetMayInplace .. ReleaseAliasMap: left NULL */
} OrtCustomOp;

typedef struct {
  OrtCustomOp base;
  const char *name;
  size_t inputs; /* 4, or 6 with the per-pixel factors */
} CladeOp;

/* One parallel job: rows of pixels. */
typedef struct {
  const float *x, *g, *b, *sg, *sb;
  const int32_t *label;
  float *y;
  size_t pixels, c, chunk;
} Job;

SIMD_CLONES static void modulate_rows(void *arg, size_t part) {
  const Job *j = (const Job *)arg;
  size_t p0 = part * j->chunk, p1 = p0 + j->chunk < j->pixels ? p0 + j->chunk : j->pixels;
  const size_t c = j->c;
  for (size_t p = p0; p < p1; p++) {
    const float *gr = j->g + (size_t)j->label[p] * c, *br = j->b + (size_t)j->label[p] * c;
    const float *xr = j->x + p * c;
    float *yr = j->y + p * c;
    if (j->sg) {
      const float sg = j->sg[p], sb = j->sb[p];
      for (size_t i = 0; i < c; i++) {
        const float gs = gr[i] * sg, bs = br[i] * sb;
        yr[i] = xr[i] * gs + bs;
      }
    } else {
      for (size_t i = 0; i < c; i++) {
        const float t = xr[i] * gr[i];
        yr[i] = t + br[i];
      }
    }
  }
}

static OrtStatus *input(OrtKernelContext *ctx, size_t i, const OrtValue **v, const void **data) {
  OrtStatus *s = FN(KernelContext_GetInput, OrtStatus *, const OrtKernelContext *, size_t, const OrtValue **)(ctx, i, v);
  if (!s) s = FN(GetTensorMutableData, OrtStatus *, const OrtValue *, void **)(*v, (void **)data);
  return s;
}

static OrtStatus *modulate_compute(void *kernel, OrtKernelContext *ctx) {
  const CladeOp *op = (const CladeOp *)kernel;
  const OrtValue *vx, *vl, *vg, *vb, *vsg = NULL, *vsb = NULL;
  Job j = {0};
  OrtStatus *s;
  if ((s = input(ctx, 0, &vx, (const void **)&j.x)) || (s = input(ctx, 1, &vl, (const void **)&j.label)) ||
      (s = input(ctx, 2, &vg, (const void **)&j.g)) || (s = input(ctx, 3, &vb, (const void **)&j.b)))
    return s;
  if (op->inputs == 6 && ((s = input(ctx, 4, &vsg, (const void **)&j.sg)) || (s = input(ctx, 5, &vsb, (const void **)&j.sb))))
    return s;
  int64_t dx[8], dl[8], dg[8], db[8], d[8];
  size_t rx, rl, rg, rb, r;
  if ((s = st_dims(vx, dx, &rx, NULL)) || (s = st_dims(vl, dl, &rl, NULL)) || (s = st_dims(vg, dg, &rg, NULL)) ||
      (s = st_dims(vb, db, &rb, NULL)))
    return s;
  char msg[256];
  if (rx != 4 || rl != 3 || dl[0] != dx[0] || dl[1] != dx[1] || dl[2] != dx[2] || rg != 2 || rb != 2 ||
      dg[1] != dx[3] || db[0] != dg[0] || db[1] != dg[1]) {
    snprintf(msg, sizeof msg, "%s: expects x [N,h,w,C], label [N,h,w], gamma and beta [K,C]; got ranks %zu, %zu, %zu, %zu.", op->name, rx, rl, rg, rb);
    return invalid(msg);
  }
  j.c = (size_t)dx[3];
  j.pixels = (size_t)(dx[0] * dx[1] * dx[2]);
  for (int t = 0; t < 2 && op->inputs == 6; t++) {
    if ((s = st_dims(t ? vsb : vsg, d, &r, NULL))) return s;
    if (r != 4 || d[0] * d[1] * d[2] * d[3] != (int64_t)j.pixels || d[3] != 1) return invalid("CladeModulateScaled: the factors must be [N,h,w,1].");
  }
  const int32_t k = (int32_t)dg[0];
  for (size_t p = 0; p < j.pixels; p++)
    if (j.label[p] < 0 || j.label[p] >= k) {
      snprintf(msg, sizeof msg, "%s: label %d at pixel %zu is out of bounds: class ids must be in [0, %d).", op->name, j.label[p], p, k);
      return invalid(msg);
    }
  OrtValue *vy;
  if ((s = FN(KernelContext_GetOutput, OrtStatus *, OrtKernelContext *, size_t, const int64_t *, size_t, OrtValue **)(ctx, 0, dx, 4, &vy)) ||
      (s = FN(GetTensorMutableData, OrtStatus *, OrtValue *, void **)(vy, (void **)&j.y)))
    return s;
  /* Chunks of ~64K floats: enough work per task for ORT's pool, and it divides any thread count. */
  j.chunk = j.c ? (65536 + j.c - 1) / j.c : j.pixels;
  if (j.chunk == 0) j.chunk = 1;
  size_t parts = (j.pixels + j.chunk - 1) / j.chunk;
  if (parts <= 1) {
    if (parts) modulate_rows(&j, 0);
    return NULL;
  }
  return FN(KernelContext_ParallelFor, OrtStatus *, const OrtKernelContext *, void (*)(void *, size_t), size_t, size_t, void *)(ctx, modulate_rows, parts, 0, &j);
}

static OrtStatus *op_create_kernel(const OrtCustomOp *op, OrtApiTable a, const OrtKernelInfo *info, void **kernel) {
  (void)a, (void)info;
  *kernel = (void *)op;
  return NULL;
}
static void op_destroy_kernel(void *k) { (void)k; }
static const char *op_name(const OrtCustomOp *op) { return ((const CladeOp *)op)->name; }
static const char *op_ep(const OrtCustomOp *op) { (void)op; return NULL; }
static int op_input_type(const OrtCustomOp *op, size_t i) { (void)op; return i == 1 ? ORT_INT32 : ORT_FLOAT; }
static size_t op_input_count(const OrtCustomOp *op) { return ((const CladeOp *)op)->inputs; }
static int op_output_type(const OrtCustomOp *op, size_t i) { (void)op, (void)i; return ORT_FLOAT; }
static size_t op_output_count(const OrtCustomOp *op) { (void)op; return 1; }
static int op_required(const OrtCustomOp *op, size_t i) { (void)op, (void)i; return 0; }
static int op_mem_default(const OrtCustomOp *op, size_t i) { (void)op, (void)i; return 0; }
static int op_arity(const OrtCustomOp *op) { (void)op; return 1; }
static int op_homogeneous(const OrtCustomOp *op) { (void)op; return 1; }
static int op_start(const OrtCustomOp *op) { (void)op; return 1; }
static int op_end(const OrtCustomOp *op) { (void)op; return INT_MAX; }
/* y has x's type and shape. */
static OrtStatus *op_infer(const OrtCustomOp *op, OrtShapeInferContext *ctx) {
  (void)op;
  OrtTensorTypeAndShapeInfo *info;
  OrtStatus *s = FN(ShapeInferContext_GetInputTypeShape, OrtStatus *, const OrtShapeInferContext *, size_t, OrtTensorTypeAndShapeInfo **)(ctx, 0, &info);
  if (s) return s;
  /* The context owns `info` (releasing it here is a double free). */
  return FN(ShapeInferContext_SetOutputTypeShape, OrtStatus *, const OrtShapeInferContext *, size_t, const OrtTensorTypeAndShapeInfo *)(ctx, 0, info);
}

static CladeOp make_op(const char *name, size_t inputs) {
  CladeOp o;
  memset(&o, 0, sizeof o);
  o.base.version = API_VERSION;
  o.base.GetName = op_name;
  o.base.GetExecutionProviderType = op_ep;
  o.base.GetInputType = op_input_type;
  o.base.GetInputTypeCount = op_input_count;
  o.base.GetOutputType = op_output_type;
  o.base.GetOutputTypeCount = op_output_count;
  o.base.KernelDestroy = op_destroy_kernel;
  o.base.GetInputCharacteristic = op_required;
  o.base.GetOutputCharacteristic = op_required;
  o.base.GetInputMemoryType = op_mem_default;
  o.base.GetVariadicInputMinArity = op_arity;
  o.base.GetVariadicInputHomogeneity = op_homogeneous;
  o.base.GetVariadicOutputMinArity = op_arity;
  o.base.GetVariadicOutputHomogeneity = op_homogeneous;
  o.base.CreateKernelV2 = op_create_kernel;
  o.base.KernelComputeV2 = modulate_compute;
  o.base.InferOutputShapeFn = op_infer;
  o.base.GetStartVersion = op_start;
  o.base.GetEndVersion = op_end;
  o.name = name;
  o.inputs = inputs;
  return o;
}

static CladeOp op_modulate, op_modulate_scaled;

/* ---- Node-API glue ------------------------------------------------------------------------- */

#define NAPI_OK(call)                                  \
  do {                                                 \
    if ((call) != napi_ok) {                           \
      napi_throw_error(e, NULL, "clade_ort: " #call);  \
      return NULL;                                     \
    }                                                  \
  } while (0)

/* Throws an ORT status as a JS Error (prefixed 'onnxruntime: ') and frees it. Returns 1 if thrown. */
int thrown(napi_env e, OrtStatus *s) {
  if (!s) return 0;
  char buf[1024];
  snprintf(buf, sizeof buf, "onnxruntime: %s", FN(GetErrorMessage, const char *, const OrtStatus *)(s));
  FN(ReleaseStatus, void, OrtStatus *)(s);
  napi_throw_error(e, NULL, buf);
  return 1;
}

static napi_value args(napi_env e, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  NAPI_OK(napi_get_cb_info(e, info, &argc, argv, NULL, NULL));
  if (argc < want) {
    napi_throw_type_error(e, NULL, "clade_ort: too few arguments");
    return NULL;
  }
  return argv[0];
}

static char *string_arg(napi_env e, napi_value v) {
  size_t n;
  if (napi_get_value_string_utf8(e, v, NULL, 0, &n) != napi_ok) return NULL;
  char *s = malloc(n + 1);
  napi_get_value_string_utf8(e, v, s, n + 1, &n);
  return s;
}

/* init(libonnxruntimePath) -> onnxruntime version. Idempotent. */
static napi_value js_init(napi_env e, napi_callback_info info) {
  napi_value argv[1], out;
  if (!args(e, info, 1, argv)) return NULL;
  if (!api) {
    char *path = string_arg(e, argv[0]);
    if (!path) return NULL;
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      char buf[1024];
      snprintf(buf, sizeof buf, "cannot load '%s' (%s)", path, dlerror());
      free(path);
      napi_throw_error(e, NULL, buf);
      return NULL;
    }
    free(path);
    const OrtApiBase *(*get_base)(void) = (const OrtApiBase *(*)(void))dlsym(lib, "OrtGetApiBase");
    const OrtApiBase *base = get_base ? get_base() : NULL;
    OrtApiTable table = base ? base->GetApi(API_VERSION) : NULL;
    if (!table) {
      napi_throw_error(e, NULL, "this onnxruntime does not offer C API version 17 (onnxruntime >= 1.17 is needed)");
      return NULL;
    }
    api = table;
    ort_version = base->GetVersionString();
    if (thrown(e, FN(CreateEnv, OrtStatus *, int, const char *, OrtEnv **)(4, "clade", &env))) return NULL;
    if (thrown(e, FN(CreateCpuMemoryInfo, OrtStatus *, int, int, OrtMemoryInfo **)(0, 0, &cpu_info))) return NULL;
    if (thrown(e, FN(GetAllocatorWithDefaultOptions, OrtStatus *, OrtAllocator **)(&allocator))) return NULL;
    op_modulate = make_op("CladeModulate", 4);
    op_modulate_scaled = make_op("CladeModulateScaled", 6);
  }
  NAPI_OK(napi_create_string_utf8(e, ort_version, NAPI_AUTO_LENGTH, &out));
  return out;
}

typedef struct {
  OrtSession *session;
  OrtCustomOpDomain *domain; /* must outlive the session */
  int busy;                  /* runs in flight */
  int release_pending;       /* release() came during a run: done when the last run ends */
} Handle;

static void finalize_session(napi_env e, void *data, void *hint) {
  (void)e, (void)hint;
  Handle *h = (Handle *)data;
  if (h->session) FN(ReleaseSession, void, OrtSession *)(h->session);
  if (h->domain) FN(ReleaseCustomOpDomain, void, OrtCustomOpDomain *)(h->domain);
  free(h);
}

static Handle *handle_arg(napi_env e, napi_value v) {
  Handle *h = NULL;
  if (napi_get_value_external(e, v, (void **)&h) != napi_ok || !h) {
    napi_throw_type_error(e, NULL, "clade_ort: not a session");
    return NULL;
  }
  if (!h->session || h->release_pending) {
    napi_throw_error(e, NULL, "clade_ort: the session was released");
    return NULL;
  }
  return h;
}

/* createSession(modelBytes: Uint8Array, threads: number (0 = ORT's default), profilePrefix: string) */
static napi_value js_create_session(napi_env e, napi_callback_info info) {
  napi_value argv[3], out;
  if (!args(e, info, 3, argv)) return NULL;
  if (!api) {
    napi_throw_error(e, NULL, "clade_ort: init() first");
    return NULL;
  }
  napi_typedarray_type type;
  size_t len;
  void *bytes;
  NAPI_OK(napi_get_typedarray_info(e, argv[0], &type, &len, &bytes, NULL, NULL));
  int32_t threads;
  NAPI_OK(napi_get_value_int32(e, argv[1], &threads));
  char *prefix = string_arg(e, argv[2]);
  OrtSessionOptions *so = NULL;
  OrtCustomOpDomain *domain = NULL;
  OrtSession *session = NULL;
  OrtStatus *s = FN(CreateSessionOptions, OrtStatus *, OrtSessionOptions **)(&so);
  if (!s) s = FN(SetSessionGraphOptimizationLevel, OrtStatus *, OrtSessionOptions *, int)(so, 99);
  if (!s) s = FN(SetSessionExecutionMode, OrtStatus *, OrtSessionOptions *, int)(so, 0);
  /*
   * No memory pattern: with it, every run takes one fresh block for all intermediates, and on
   * machines where first-touch page faults are slow the first op to write each region pays
   * for them (measured: the CLADE op took 103 of 684 ms at 256², ngf 64; 16 of 493 without).
   */
  if (!s) s = FN(DisableMemPattern, OrtStatus *, OrtSessionOptions *)(so);
  if (!s && threads > 0) s = FN(SetIntraOpNumThreads, OrtStatus *, OrtSessionOptions *, int)(so, threads);
  if (!s && threads > 0) s = FN(SetInterOpNumThreads, OrtStatus *, OrtSessionOptions *, int)(so, 1);
  if (!s && prefix && *prefix) s = FN(EnableProfiling, OrtStatus *, OrtSessionOptions *, const char *)(so, prefix);
  if (!s) s = FN(CreateCustomOpDomain, OrtStatus *, const char *, OrtCustomOpDomain **)("ai.clade", &domain);
  if (!s) s = FN(CustomOpDomain_Add, OrtStatus *, OrtCustomOpDomain *, const OrtCustomOp *)(domain, &op_modulate.base);
  if (!s) s = FN(CustomOpDomain_Add, OrtStatus *, OrtCustomOpDomain *, const OrtCustomOp *)(domain, &op_modulate_scaled.base);
  if (!s) s = FN(AddCustomOpDomain, OrtStatus *, OrtSessionOptions *, OrtCustomOpDomain *)(so, domain);
  if (!s) s = FN(CreateSessionFromArray, OrtStatus *, const OrtEnv *, const void *, size_t, const OrtSessionOptions *, OrtSession **)(env, bytes, len, so, &session);
  free(prefix);
  if (so) FN(ReleaseSessionOptions, void, OrtSessionOptions *)(so);
  if (s && domain) FN(ReleaseCustomOpDomain, void, OrtCustomOpDomain *)(domain);
  if (thrown(e, s)) return NULL;
  Handle *h = calloc(1, sizeof *h);
  h->session = session;
  h->domain = domain;
  NAPI_OK(napi_create_external(e, h, finalize_session, NULL, &out));
  return out;
}

static napi_value names(napi_env e, OrtSession *session, int outputs) {
  size_t n;
  napi_value arr;
  if (thrown(e, outputs ? FN(SessionGetOutputCount, OrtStatus *, const OrtSession *, size_t *)(session, &n)
                        : FN(SessionGetInputCount, OrtStatus *, const OrtSession *, size_t *)(session, &n)))
    return NULL;
  NAPI_OK(napi_create_array_with_length(e, n, &arr));
  for (size_t i = 0; i < n; i++) {
    char *name;
    napi_value item, v, dims;
    OrtStatus *s = outputs ? FN(SessionGetOutputName, OrtStatus *, const OrtSession *, size_t, OrtAllocator *, char **)(session, i, allocator, &name)
                           : FN(SessionGetInputName, OrtStatus *, const OrtSession *, size_t, OrtAllocator *, char **)(session, i, allocator, &name);
    if (thrown(e, s)) return NULL;
    NAPI_OK(napi_create_object(e, &item));
    NAPI_OK(napi_create_string_utf8(e, name, NAPI_AUTO_LENGTH, &v));
    FN(AllocatorFree, OrtStatus *, OrtAllocator *, void *)(allocator, name);
    NAPI_OK(napi_set_named_property(e, item, "name", v));
    if (!outputs) {
      OrtTypeInfo *ti;
      const OrtTensorTypeAndShapeInfo *tsi;
      int64_t d[8];
      size_t rank;
      int type;
      if (thrown(e, FN(SessionGetInputTypeInfo, OrtStatus *, const OrtSession *, size_t, OrtTypeInfo **)(session, i, &ti))) return NULL;
      s = FN(CastTypeInfoToTensorInfo, OrtStatus *, const OrtTypeInfo *, const OrtTensorTypeAndShapeInfo **)(ti, &tsi);
      if (!s) s = FN(GetDimensionsCount, OrtStatus *, const OrtTensorTypeAndShapeInfo *, size_t *)(tsi, &rank);
      if (!s && rank > 8) rank = 8;
      if (!s) s = FN(GetDimensions, OrtStatus *, const OrtTensorTypeAndShapeInfo *, int64_t *, size_t)(tsi, d, rank);
      if (!s) s = FN(GetTensorElementType, OrtStatus *, const OrtTensorTypeAndShapeInfo *, int *)(tsi, &type);
      FN(ReleaseTypeInfo, void, OrtTypeInfo *)(ti);
      if (thrown(e, s)) return NULL;
      NAPI_OK(napi_create_array_with_length(e, rank, &dims));
      for (size_t r = 0; r < rank; r++) {
        NAPI_OK(napi_create_int64(e, d[r], &v));
        NAPI_OK(napi_set_element(e, dims, (uint32_t)r, v));
      }
      NAPI_OK(napi_set_named_property(e, item, "dims", dims));
      NAPI_OK(napi_create_int32(e, type, &v));
      NAPI_OK(napi_set_named_property(e, item, "type", v));
    }
    NAPI_OK(napi_set_element(e, arr, (uint32_t)i, item));
  }
  return arr;
}

/* describe(session) -> { inputs: [{name, dims (-1 = free), type}], outputs: [{name}] } */
static napi_value js_describe(napi_env e, napi_callback_info info) {
  napi_value argv[1], out, ins, outs;
  if (!args(e, info, 1, argv)) return NULL;
  Handle *h = handle_arg(e, argv[0]);
  if (!h || !(ins = names(e, h->session, 0)) || !(outs = names(e, h->session, 1))) return NULL;
  NAPI_OK(napi_create_object(e, &out));
  NAPI_OK(napi_set_named_property(e, out, "inputs", ins));
  NAPI_OK(napi_set_named_property(e, out, "outputs", outs));
  return out;
}

/* One run in flight: what the worker thread needs, and what keeps the JS inputs alive meanwhile. */
typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  Handle *h;
  napi_ref session_ref, input_refs[16];
  char *in_names[16], *out_names[16];
  OrtValue *ins[16], *outs[16];
  uint32_t nin, nout;
  OrtStatus *status;
} RunJob;

/* On a libuv worker: no JS, only onnxruntime. */
static void run_execute(napi_env e, void *data) {
  (void)e;
  RunJob *j = (RunJob *)data;
  j->status = FN(Run, OrtStatus *, OrtSession *, const void *, const char *const *, const OrtValue *const *, size_t, const char *const *, size_t, OrtValue **)(
      j->h->session, NULL, (const char *const *)j->in_names, (const OrtValue *const *)j->ins, j->nin, (const char *const *)j->out_names, j->nout, j->outs);
}

static void release_session(Handle *h) {
  FN(ReleaseSession, void, OrtSession *)(h->session);
  FN(ReleaseCustomOpDomain, void, OrtCustomOpDomain *)(h->domain);
  h->session = NULL;
  h->domain = NULL;
}

static void run_free(napi_env e, RunJob *j) {
  for (int i = 0; i < 16; i++) {
    free(j->in_names[i]);
    free(j->out_names[i]);
    if (j->ins[i]) FN(ReleaseValue, void, OrtValue *)(j->ins[i]);
    if (j->outs[i]) FN(ReleaseValue, void, OrtValue *)(j->outs[i]);
    if (j->input_refs[i]) napi_delete_reference(e, j->input_refs[i]);
  }
  if (j->session_ref) napi_delete_reference(e, j->session_ref);
  if (j->work) napi_delete_async_work(e, j->work);
  free(j);
}

/* Rejects the job's promise with an ORT status (freed) or a message. */
static void reject(napi_env e, RunJob *j, OrtStatus *s, const char *msg) {
  char buf[1024];
  napi_value text, err;
  if (s) {
    snprintf(buf, sizeof buf, "onnxruntime: %s", FN(GetErrorMessage, const char *, const OrtStatus *)(s));
    FN(ReleaseStatus, void, OrtStatus *)(s);
  } else
    snprintf(buf, sizeof buf, "%s", msg);
  napi_create_string_utf8(e, buf, NAPI_AUTO_LENGTH, &text);
  napi_create_error(e, NULL, text, &err);
  napi_reject_deferred(e, j->deferred, err);
}

/* Back on the JS thread: copy the outputs into Float32Arrays and settle the promise. */
static void run_complete(napi_env e, napi_status status, void *data) {
  RunJob *j = (RunJob *)data;
  OrtStatus *s = j->status;
  napi_value result = NULL;
  if (!s && status == napi_ok && napi_create_array_with_length(e, j->nout, &result) == napi_ok) {
    for (uint32_t i = 0; i < j->nout && !s; i++) {
      int64_t d[8];
      size_t rank, count = 1;
      int type;
      float *data;
      if ((s = st_dims(j->outs[i], d, &rank, &type))) break;
      if (type != ORT_FLOAT) {
        s = invalid("clade_ort.run: only float32 outputs are supported");
        break;
      }
      if ((s = FN(GetTensorMutableData, OrtStatus *, OrtValue *, void **)(j->outs[i], (void **)&data))) break;
      napi_value item, dims, v, ab, arr;
      void *buf;
      napi_create_object(e, &item);
      napi_create_array_with_length(e, rank, &dims);
      for (size_t r = 0; r < rank; r++) {
        napi_create_int64(e, d[r], &v);
        napi_set_element(e, dims, (uint32_t)r, v);
        count *= (size_t)d[r];
      }
      napi_create_arraybuffer(e, count * 4, &buf, &ab);
      memcpy(buf, data, count * 4);
      napi_create_typedarray(e, napi_float32_array, count, ab, 0, &arr);
      napi_set_named_property(e, item, "dims", dims);
      napi_set_named_property(e, item, "data", arr);
      napi_set_element(e, result, i, item);
    }
  }
  if (s) reject(e, j, s, NULL);
  else if (status != napi_ok) reject(e, j, NULL, "clade_ort.run: the run was cancelled");
  else napi_resolve_deferred(e, j->deferred, result);
  Handle *h = j->h;
  run_free(e, j);
  if (--h->busy == 0 && h->release_pending) release_session(h);
}

/*
 * run(session, inputs: [{name, dims, data: Float32Array | Int32Array}], outputNames: string[])
 *   -> Promise<[{dims, data: Float32Array}]>   (float32 outputs only)
 * onnxruntime runs on a libuv worker thread, so the event loop stays free; the inputs' memory
 * is read in place, and referenced until the run ends.
 */
static napi_value js_run(napi_env e, napi_callback_info info) {
  napi_value argv[3], promise, name;
  if (!args(e, info, 3, argv)) return NULL;
  Handle *h = handle_arg(e, argv[0]);
  if (!h) return NULL;
  RunJob *j = calloc(1, sizeof *j);
  j->h = h;
  NAPI_OK(napi_create_promise(e, &j->deferred, &promise));
  OrtStatus *s = NULL;
  const char *bad = NULL;
  if (napi_get_array_length(e, argv[1], &j->nin) != napi_ok || napi_get_array_length(e, argv[2], &j->nout) != napi_ok || j->nin > 16 || j->nout > 16)
    bad = "clade_ort.run: inputs and output names must be arrays of at most 16";
  for (uint32_t i = 0; !bad && !s && i < j->nin; i++) {
    napi_value item, v, dims;
    napi_typedarray_type type;
    size_t len;
    void *data;
    uint32_t rank;
    int64_t d[8];
    if (napi_get_element(e, argv[1], i, &item) != napi_ok || napi_get_named_property(e, item, "name", &v) != napi_ok ||
        !(j->in_names[i] = string_arg(e, v)) || napi_get_named_property(e, item, "dims", &dims) != napi_ok ||
        napi_get_array_length(e, dims, &rank) != napi_ok || rank > 8 || napi_get_named_property(e, item, "data", &v) != napi_ok ||
        napi_get_typedarray_info(e, v, &type, &len, &data, NULL, NULL) != napi_ok ||
        (type != napi_float32_array && type != napi_int32_array)) {
      bad = "clade_ort.run: each input needs a name, dims (rank <= 8) and a Float32Array or Int32Array";
      break;
    }
    for (uint32_t r = 0; r < rank; r++) {
      napi_value dv;
      napi_get_element(e, dims, r, &dv);
      napi_get_value_int64(e, dv, &d[r]);
    }
    napi_create_reference(e, v, 1, &j->input_refs[i]);
    s = FN(CreateTensorWithDataAsOrtValue, OrtStatus *, const OrtMemoryInfo *, void *, size_t, const int64_t *, size_t, int, OrtValue **)(
        cpu_info, data, len * 4, d, rank, type == napi_float32_array ? ORT_FLOAT : ORT_INT32, &j->ins[i]);
  }
  for (uint32_t i = 0; !bad && !s && i < j->nout; i++) {
    napi_value v;
    if (napi_get_element(e, argv[2], i, &v) != napi_ok || !(j->out_names[i] = string_arg(e, v))) bad = "clade_ort.run: output names must be strings";
  }
  if (bad || s) {
    reject(e, j, s, bad);
    run_free(e, j);
    return promise;
  }
  /* The session handle stays referenced (no finalizer) and unreleased (busy) until the run ends. */
  napi_create_reference(e, argv[0], 1, &j->session_ref);
  NAPI_OK(napi_create_string_utf8(e, "clade_ort.run", NAPI_AUTO_LENGTH, &name));
  NAPI_OK(napi_create_async_work(e, NULL, name, run_execute, run_complete, j, &j->work));
  h->busy++;
  NAPI_OK(napi_queue_async_work(e, j->work));
  return promise;
}

/* endProfiling(session) -> the profile's file path */
static napi_value js_end_profiling(napi_env e, napi_callback_info info) {
  napi_value argv[1], out;
  if (!args(e, info, 1, argv)) return NULL;
  Handle *h = handle_arg(e, argv[0]);
  char *path;
  if (!h || thrown(e, FN(SessionEndProfiling, OrtStatus *, OrtSession *, OrtAllocator *, char **)(h->session, allocator, &path))) return NULL;
  NAPI_OK(napi_create_string_utf8(e, path, NAPI_AUTO_LENGTH, &out));
  FN(AllocatorFree, OrtStatus *, OrtAllocator *, void *)(allocator, path);
  return out;
}

/* release(session): frees the native session now, or when its runs in flight end (idempotent). */
static napi_value js_release(napi_env e, napi_callback_info info) {
  napi_value argv[1];
  if (!args(e, info, 1, argv)) return NULL;
  Handle *h = NULL;
  NAPI_OK(napi_get_value_external(e, argv[0], (void **)&h));
  if (h && h->session) {
    if (h->busy) h->release_pending = 1;
    else release_session(h);
  }
  return NULL;
}

static napi_value init_module(napi_env e, napi_value exports) {
  napi_property_descriptor props[] = {
      {"init", NULL, js_init, NULL, NULL, NULL, napi_default, NULL},
      {"createSession", NULL, js_create_session, NULL, NULL, NULL, napi_default, NULL},
      {"describe", NULL, js_describe, NULL, NULL, NULL, napi_default, NULL},
      {"run", NULL, js_run, NULL, NULL, NULL, napi_default, NULL},
      {"endProfiling", NULL, js_end_profiling, NULL, NULL, NULL, napi_default, NULL},
      {"release", NULL, js_release, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(e, exports, sizeof props / sizeof props[0], props);
  register_tensor_kernels(e, exports);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init_module)
